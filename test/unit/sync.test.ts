import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate, readSyncMessage } from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { decodeSync, encodeStep1, encodeStep2, encodeUpdate, isValidStateVector } from '../../protocol/sync.js';

function docWith(items: string[]): Y.Doc {
  const doc = new Y.Doc();
  doc.getArray<string>('output').push(items);
  return doc;
}

describe('sync message round trips', () => {
  it('step 1 carries the state vector', () => {
    const doc = docWith(['a', 'b']);
    const msg = decodeSync(encodeStep1(doc));
    assert.equal(msg.type, 'step1');
    assert.ok(msg.type === 'step1');
    assert.deepEqual(msg.stateVector, Y.encodeStateVector(doc));
    assert.deepEqual(Y.decodeStateVector(msg.stateVector), new Map([[doc.clientID, 2]]));
  });

  it('step 2 against an empty state vector carries the whole document', () => {
    const doc = docWith(['hello', 'world']);
    const msg = decodeSync(encodeStep2(doc));
    assert.ok(msg.type === 'step2');
    const replica = new Y.Doc();
    Y.applyUpdate(replica, msg.update);
    assert.deepEqual(replica.getArray('output').toArray(), ['hello', 'world']);
  });

  it('step 2 against a state vector carries exactly what the peer misses', () => {
    const doc = docWith(['one']);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    doc.getArray<string>('output').push(['two']);
    const step1 = decodeSync(encodeStep1(replica));
    assert.ok(step1.type === 'step1');
    const step2 = decodeSync(encodeStep2(doc, step1.stateVector));
    assert.ok(step2.type === 'step2');
    assert.ok(step2.update.length < Y.encodeStateAsUpdate(doc).length, 'the diff is smaller than the whole document');
    Y.applyUpdate(replica, step2.update);
    assert.deepEqual(replica.getArray('output').toArray(), ['one', 'two']);
  });

  it('an update round trips, including an empty one', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getMap('term').set('cols', 80);
    assert.equal(updates.length, 1);
    const msg = decodeSync(encodeUpdate(updates[0]!));
    assert.deepEqual(msg, { type: 'update', update: updates[0] });
    assert.deepEqual(decodeSync(encodeUpdate(new Uint8Array())), { type: 'update', update: new Uint8Array() });
  });

  it('a large update (multi-byte length prefix) round trips', () => {
    const doc = docWith(['x'.repeat(300_000)]);
    const update = Y.encodeStateAsUpdate(doc);
    const msg = decodeSync(encodeUpdate(update));
    assert.ok(msg.type === 'update');
    assert.deepEqual(msg.update, update);
  });

  it('uses the y-protocols wire format', () => {
    const doc = docWith(['a']);
    const bytes = encodeStep1(doc);
    const d = decoding.createDecoder(bytes);
    assert.equal(decoding.readVarUint(d), messageYjsSyncStep1);
    assert.deepEqual(decoding.readVarUint8Array(d), Y.encodeStateVector(doc));
    assert.equal(decoding.readVarUint(decoding.createDecoder(encodeStep2(doc))), messageYjsSyncStep2);
    assert.equal(decoding.readVarUint(decoding.createDecoder(encodeUpdate(new Uint8Array([0, 0])))), messageYjsUpdate);
    // And y-protocols' own reader applies our step 2.
    const replica = new Y.Doc();
    const reply = encoding.createEncoder();
    readSyncMessage(decoding.createDecoder(encodeStep2(doc)), reply, replica, null);
    assert.deepEqual(replica.getArray('output').toArray(), ['a']);
  });
});

describe('decodeSync rejects garbage with FRAME_MALFORMED', () => {
  const validUpdate = encodeUpdate(new Uint8Array([1, 2, 3]));
  const cases: Array<[string, Uint8Array]> = [
    ['an empty payload', new Uint8Array()],
    ['a type with no data', new Uint8Array([messageYjsUpdate])],
    ['an unfinished varint type', new Uint8Array([0x80])],
    ['an unknown message type', new Uint8Array([3, 0])],
    ['a huge message type', new Uint8Array([0xff, 0xff, 0xff, 0x7f, 0])],
    ['a length longer than the data', new Uint8Array([messageYjsUpdate, 5, 1, 2])],
    ['trailing bytes after the data', Uint8Array.from([...validUpdate, 0])],
    ['two messages in one payload', Uint8Array.from([...validUpdate, ...validUpdate])],
    ['text', new TextEncoder().encode('{"type":"update"}')],
  ];
  for (const [what, payload] of cases) {
    it(what, () => {
      assert.throws(() => decodeSync(payload), { name: 'TetherError', code: 'FRAME_MALFORMED', message: /^bad sync message/ });
    });
  }

  it('a length prefix reaching past a subarray view does not read the bytes after it', () => {
    // A frame payload is a view into the received message; the bytes after it must not be read.
    const backing = new Uint8Array([0x09, messageYjsUpdate, 4, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]);
    const view = backing.subarray(1, 4); // [update, len 4, 0xaa]
    assert.throws(() => decodeSync(view), { code: 'FRAME_MALFORMED' });
  });
});

describe('isValidStateVector', () => {
  it('accepts real state vectors', () => {
    assert.equal(isValidStateVector(Y.encodeStateVector(new Y.Doc())), true);
    assert.equal(isValidStateVector(Y.encodeStateVector(docWith(['a', 'b', 'c']))), true);
    const merged = docWith(['a']);
    Y.applyUpdate(merged, Y.encodeStateAsUpdate(docWith(['b'])));
    assert.equal(Y.decodeStateVector(Y.encodeStateVector(merged)).size, 2);
    assert.equal(isValidStateVector(Y.encodeStateVector(merged)), true);
  });

  const invalid: Array<[string, number[]]> = [
    ['empty bytes', []],
    ['a count with no entries', [5]],
    ['an entry without its clock', [1, 1]],
    ['an unfinished varint', [1, 0x80]],
    ['a lone continuation byte', [0xff]],
  ];
  for (const [what, bytes] of invalid) {
    it(`rejects ${what}`, () => {
      assert.equal(isValidStateVector(new Uint8Array(bytes)), false);
    });
  }

  it('accepts a hand-made vector that decodes (client 1 at clock 1)', () => {
    assert.equal(isValidStateVector(new Uint8Array([1, 1, 1])), true);
  });

  it('ignores trailing bytes after a complete vector (documented: Yjs decodes the same prefix later)', () => {
    assert.equal(isValidStateVector(new Uint8Array([0, 0xff])), true);
  });
});
