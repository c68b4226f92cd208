/**
 * Ids are typed on command lines (`tether sessions prune ID`, `tether devices revoke ID`): one that began
 * with "-" was read as an option and refused (BAD_FLAG), 1 id in 64. None begins with "-" now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ID_PATTERN, newId } from '../../protocol/ids.js';

test('new ids never begin with "-" (a command line would take them for an option)', () => {
  for (let i = 0; i < 5_000; i++) {
    const id = newId();
    assert.match(id, ID_PATTERN);
    assert.ok(!id.startsWith('-'), `${id} begins with "-"`);
  }
});
