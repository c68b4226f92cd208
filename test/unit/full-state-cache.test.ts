/** The cached full-state encoding: applied (newer part first) it rebuilds exactly the host's document. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { FullStateCache } from '../../host/core/full-state-cache.js';

function write(doc: Y.Doc, from: number, to: number): void {
  const entries = doc.getArray<Y.Map<unknown>>('entries');
  for (let i = from; i < to; i++) {
    const m = new Y.Map<unknown>();
    m.set('n', i);
    const t = new Y.Text();
    m.set('text', t);
    entries.push([m]);
    t.insert(0, `message ${i}`);
  }
}

describe('FullStateCache', () => {
  it('reuses one encoding and adds only the diff since, which a new replica applies in either order', () => {
    const host = new Y.Doc();
    write(host, 0, 50);
    const cache = new FullStateCache(host);
    const [first, none] = cache.get();
    assert.equal(none, null);
    write(host, 50, 52);
    host.getArray<Y.Map<unknown>>('entries').delete(0, 1);
    const [again, since] = cache.get();
    assert.equal(again, first, 'the same encoding is reused');
    assert.ok(since && since.length < first.length / 4);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, since!); // newer part first, as the host sends it
    Y.applyUpdate(replica, again);
    assert.deepEqual(replica.getArray('entries').toJSON(), host.getArray('entries').toJSON());
    cache.close();
  });

  it('re-encodes once enough was written since', () => {
    const host = new Y.Doc();
    write(host, 0, 10);
    const cache = new FullStateCache(host);
    const [first] = cache.get();
    write(host, 10, 3000);
    const [second, since] = cache.get();
    assert.notEqual(second, first);
    assert.equal(since, null);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, second);
    assert.equal(replica.getArray('entries').length, 3000);
  });
});
