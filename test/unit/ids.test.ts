/**
 * Ids are typed on command lines (`tether sessions prune ID`, `tether devices revoke ID`): one that began
 * with "-" was read as an option and refused (BAD_FLAG), 1 id in 64. None begins with "-" now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ID_PATTERN, newId } from '../../protocol/ids.js';
import { fromBase64Url } from '../../protocol/encoding.js';

test('new ids never begin with "-" (a command line would take them for an option)', () => {
  for (let i = 0; i < 5_000; i++) {
    const id = newId();
    assert.match(id, ID_PATTERN);
    assert.ok(!id.startsWith('-'), `${id} begins with "-"`);
  }
});

test('new ids are 16 random bytes in base64url, each drawn once', () => {
  const seen = new Set<string>();
  const byteCounts = new Array<number>(256).fill(0);
  // Several pools' worth: ids from one pool and across refills never repeat.
  for (let i = 0; i < 5_000; i++) {
    const id = newId();
    assert.ok(!seen.has(id), `${id} drawn twice`);
    seen.add(id);
    const bytes = fromBase64Url(id);
    assert.equal(bytes.length, 16);
    assert.equal(Buffer.from(bytes).toString('base64url'), id, 'base64url of those 16 bytes');
    for (const b of bytes) byteCounts[b]!++;
  }
  // 80,000 bytes: each value ~312 times if random; an encoder that dropped bits would leave values unused.
  assert.ok(byteCounts.every((n) => n > 150 && n < 500), `byte values unevenly drawn: ${Math.min(...byteCounts)}..${Math.max(...byteCounts)}`);
});
