/**
 * A document snapshot record, { seq, update }, encoded as lmdb's msgpackr encoder writes it, but in a
 * buffer of its own. Through lmdb's encoder the update is copied into msgpackr's one shared output
 * buffer, which grows to the largest record it ever wrote and keeps that size: after a long session's
 * snapshot, megabytes held for the host's life (3.9 MB 10 s after the 30 MB burst bench, found in a heap
 * snapshot). The format is the one msgpackr writes, so every tether reads these records and this one
 * reads the older ones (test/unit/session-store.test.ts).
 */
import type { SnapshotRecord } from './session-store.js';

/**
 * msgpackr's record: an inline definition of structure 0x40 (ext 0x72 'r') with the keys "seq" and
 * "update", then the values in that order. With no shared structures each record carries its own.
 */
const RECORD_HEAD = Uint8Array.from([0xd4, 0x72, 0x40, 0x92, 0xa3, ...Buffer.from('seq'), 0xa6, ...Buffer.from('update')]);

/** The record as msgpackr writes it: `seq` as uint32 or float64 (both read back as the number), `update` as bin32. */
export function encodeSnapshotRecord(record: SnapshotRecord): Uint8Array {
  const { seq, update } = record;
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`snapshot seq must be a safe non-negative integer, not ${seq}`);
  const seqBytes = seq <= 0xffffffff ? 5 : 9;
  const out = new Uint8Array(RECORD_HEAD.length + seqBytes + 5 + update.length);
  const view = new DataView(out.buffer);
  let at = RECORD_HEAD.length;
  out.set(RECORD_HEAD);
  if (seqBytes === 5) {
    out[at] = 0xce;
    view.setUint32(at + 1, seq);
  } else {
    out[at] = 0xcb;
    view.setFloat64(at + 1, seq);
  }
  at += seqBytes;
  out[at] = 0xc6;
  view.setUint32(at + 1, update.length);
  out.set(update, at + 5);
  return out;
}
