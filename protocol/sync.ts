/**
 * Yjs sync messages (y-protocols/sync wire format) inside SYNC frames. Clients only ever send
 * step 1 (their state vector); the host answers with step 2 (exactly what they miss) and then
 * streams updates. Decoding validates the message type and length prefixes.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';
import { TetherError } from './errors.js';
import { concatBytes } from './encoding.js';

/** The three y-protocols sync message types. */
export type SyncMessage =
  | { type: 'step1'; stateVector: Uint8Array }
  | { type: 'step2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array };

function encode(type: number, data: Uint8Array): Uint8Array {
  const head = encoding.encode((encoder) => {
    encoding.writeVarUint(encoder, type);
    encoding.writeVarUint(encoder, data.length);
  });
  return concatBytes([head, data]);
}

/** Step 1: "here is my state vector". */
export function encodeStep1(doc: Y.Doc): Uint8Array {
  return encode(messageYjsSyncStep1, Y.encodeStateVector(doc));
}

/** Step 2: everything `doc` has that a peer with `stateVector` misses. */
export function encodeStep2(doc: Y.Doc, stateVector?: Uint8Array): Uint8Array {
  return encode(messageYjsSyncStep2, Y.encodeStateAsUpdate(doc, stateVector));
}

/** Step 2 carrying an already encoded update (e.g. a cached full state). */
export function encodeStep2Update(update: Uint8Array): Uint8Array {
  return encode(messageYjsSyncStep2, update);
}

/** An incremental update. */
export function encodeUpdate(update: Uint8Array): Uint8Array {
  return encode(messageYjsUpdate, update);
}

/** Decodes one sync message; throws TetherError FRAME_MALFORMED. */
export function decodeSync(payload: Uint8Array): SyncMessage {
  try {
    const decoder = decoding.createDecoder(payload);
    const type = decoding.readVarUint(decoder);
    const data = decoding.readVarUint8Array(decoder);
    if (decoding.hasContent(decoder)) throw new Error('trailing bytes');
    if (type === messageYjsSyncStep1) return { type: 'step1', stateVector: data };
    if (type === messageYjsSyncStep2) return { type: 'step2', update: data };
    if (type === messageYjsUpdate) return { type: 'update', update: data };
    throw new Error(`unknown sync message type ${type}`);
  } catch (err) {
    throw new TetherError('FRAME_MALFORMED', `bad sync message: ${(err as Error).message}`, { cause: err });
  }
}

/** Checks that a state vector decodes (a hostile one must not throw later inside Yjs). */
export function isValidStateVector(stateVector: Uint8Array): boolean {
  try {
    Y.decodeStateVector(stateVector);
    return true;
  } catch {
    // A state vector that does not decode is invalid; the caller reports the error code.
    return false;
  }
}
