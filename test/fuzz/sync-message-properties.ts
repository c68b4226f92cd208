/**
 * Fuzz properties of sync messages (protocol/sync.ts): random bytes and truncated or mutated step 1, step 2
 * and update messages decode or give FRAME_MALFORMED; a state vector that passes isValidStateVector never
 * makes the host's answer (step 2) throw inside Yjs.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as Y from 'yjs';
import { decodeSync, encodeStep1, encodeStep2, encodeUpdate, isValidStateVector } from '../../protocol/sync.js';
import { TerminalDocWriter } from '../../host/terminal-doc-writer.js';
import { fuzzProperty, type FuzzProperty } from './fuzz-property.js';
import { valueOrCoded } from './coded-outcome.js';
import { mutateBytes } from './mutations.js';

/** A host document written by the real terminal writer: some output chunks, trimmed to a small scrollback. */
function terminalDoc(chunks: string[], scrollback: number): { doc: Y.Doc; states: Uint8Array[] } {
  const doc = new Y.Doc();
  const writer = new TerminalDocWriter(doc, { name: 'fuzz', command: 'sh', cols: 80, rows: 24 }, scrollback);
  const states = [Y.encodeStateVector(doc)];
  for (const chunk of chunks) {
    writer.appendOutput(chunk);
    writer.flush();
    states.push(Y.encodeStateVector(doc));
  }
  writer.close();
  return { doc, states };
}

const hostDoc = fc
  .tuple(fc.array(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 12 }), fc.integer({ min: 10, max: 200 }))
  .map(([chunks, scrollback]) => terminalDoc(chunks, scrollback));

/** Well-formed sync messages about a real document: step 1, step 2 from some earlier state, an update. */
const validSync = fc.tuple(hostDoc, fc.nat(), fc.constantFrom('step1', 'step2', 'update')).map(([{ doc, states }, at, type]) => {
  const from = states[at % states.length]!;
  if (type === 'step1') return encodeStep1(doc);
  if (type === 'step2') return encodeStep2(doc, from);
  return encodeUpdate(Y.encodeStateAsUpdate(doc, from));
});

const syncBytes = fc.oneof({ weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) }, { weight: 1, arbitrary: validSync }, { weight: 5, arbitrary: mutateBytes(validSync) });

/** Sync message and state vector properties. */
export const syncMessageProperties: FuzzProperty[] = [
  fuzzProperty({
    name: 'sync/decode-and-answer',
    arbitrary: fc.tuple(syncBytes, hostDoc),
    check: ([bytes, { doc }]) => {
      const out = valueOrCoded(() => decodeSync(bytes), ['FRAME_MALFORMED']);
      if (!out.ok || out.value.type !== 'step1') return;
      const sv = out.value.stateVector;
      if (!isValidStateVector(sv)) return;
      // What SessionChannel.answerSync does with a state vector that passed: none of it may throw.
      Y.decodeStateVector(sv);
      const answer = decodeSync(encodeStep2(doc, sv));
      assert.equal(answer.type, 'step2');
      // The answer is applicable: a replica at that state (here: empty) takes it without error.
      Y.applyUpdate(new Y.Doc(), answer.type === 'step2' ? answer.update : new Uint8Array());
    },
    runs: { short: 300, long: 8_000 },
  }),
  fuzzProperty({
    name: 'sync/state-vector',
    arbitrary: fc.oneof(fc.uint8Array({ maxLength: 40 }), mutateBytes(hostDoc.map(({ doc }) => Y.encodeStateVector(doc)))),
    check: (sv) => {
      const valid = isValidStateVector(sv);
      assert.equal(typeof valid, 'boolean');
      if (valid) {
        const { doc } = terminalDoc(['x'], 100);
        Y.encodeStateAsUpdate(doc, sv);
      }
    },
    runs: { short: 300, long: 10_000 },
  }),
];
