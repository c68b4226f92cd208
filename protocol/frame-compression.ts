/**
 * Deflated frames, host → a device that asked for them in its hello: a large frame (a first sync, a burst
 * of output) goes as `[deflated][varuint length of the frame][raw deflate of the frame]`. Measured on a
 * slow 2-core machine: a Chromium page's data channel carries 4–8 MB/s while program output and agent
 * text deflate ~3× at ~80 MB/s (zlib level 1), so the bytes a page can take grow about threefold; over a
 * TURN relay or a phone's radio the channel is narrower still. Small frames (a keystroke's echo, an
 * agent's chunk) go as they are: deflating them would save nothing and cost latency.
 *
 * Inflating is bounded: the declared length is checked against the receiver's frame limit first, and the
 * output may not exceed it (it is read as it comes, so a deflate bomb stops at its first chunk too many).
 * The platform's DecompressionStream inflates, in browsers and Node alike: measured in Chromium on 4 MB,
 * 70–130 ms against fflate's 220–500 (JavaScript, cold on a page's first large frame). It is
 * asynchronous: the link holds the frames behind a deflated one until it is inflated (peer-link.ts).
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { concatBytes } from './encoding.js';
import { TetherError } from './errors.js';
import { FrameTag, type Frame } from './frames.js';

/** Frames shorter than this are sent as they are. */
export const DEFLATE_MIN_BYTES = 2048;
/** A deflated frame is sent only when it is at most this share of the frame (else the plain frame goes). */
const DEFLATE_MAX_RATIO = 7 / 8;

/** Deflated bytes handed to the inflater at a time (see inflateFrame). */
export const INFLATE_SLICE_BYTES = 16 * 1024;

/** Raw deflate (RFC 1951) of some bytes: zlib's on the host. */
export type Deflate = (bytes: Uint8Array) => Uint8Array;
/** The same, done off the caller's thread (zlib's thread pool on the host). */
export type AsyncDeflate = (bytes: Uint8Array) => Promise<Uint8Array>;

/**
 * The deflated frame of `frame` (a whole logical frame: tag and payload), or null when it is too small
 * to be worth it or does not shrink enough.
 */
export function deflateFrame(frame: Uint8Array, deflate: Deflate): Uint8Array | null {
  if (frame.length < DEFLATE_MIN_BYTES) return null;
  return deflatedFrame(frame, deflate(frame));
}

/** deflateFrame with a deflate done off the caller's thread. */
export async function deflateFrameAsync(frame: Uint8Array, deflate: AsyncDeflate): Promise<Uint8Array | null> {
  if (frame.length < DEFLATE_MIN_BYTES) return null;
  return deflatedFrame(frame, await deflate(frame));
}

/** The deflated frame of `frame` from its deflated bytes, or null when that does not save enough. */
function deflatedFrame(frame: Uint8Array, body: Uint8Array): Uint8Array | null {
  const head = encoding.encode((encoder) => {
    encoding.writeUint8(encoder, FrameTag.deflated);
    encoding.writeVarUint(encoder, frame.length);
  });
  if (head.length + body.length > frame.length * DEFLATE_MAX_RATIO) return null;
  return concatBytes([head, body]);
}

/**
 * Whether this platform can inflate frames: DecompressionStream with raw deflate (Node 18+, Chromium
 * 103+, Safari 16.4+, Firefox 113+). A device asks the host for deflated frames only when it can.
 */
export function canInflate(): boolean {
  try {
    new DecompressionStream('deflate-raw');
    return true;
  } catch {
    // No DecompressionStream at all (a ReferenceError), or one without 'deflate-raw' (a TypeError).
    return false;
  }
}

function closedWhileInflating(): TetherError {
  return new TetherError('PEER_CLOSED', 'the link closed while a frame was inflating');
}

/**
 * The frame inside a deflated frame's payload. Rejects with FRAME_TOO_LARGE when it declares more than
 * `maxFrameBytes`, FRAME_MALFORMED when the deflate stream is broken, ends early or holds more than it
 * declared, or the frame inside is itself deflated or a fragment; with PEER_CLOSED once `signal` aborts
 * (the rest is not inflated).
 */
export async function inflateFrame(payload: Uint8Array, maxFrameBytes: number, signal?: AbortSignal): Promise<Frame> {
  let length: number;
  let at: number;
  try {
    const decoder = decoding.createDecoder(payload);
    length = decoding.readVarUint(decoder);
    at = decoder.pos;
  } catch {
    throw new TetherError('FRAME_MALFORMED', 'deflated frame without its length');
  }
  if (length > maxFrameBytes) throw new TetherError('FRAME_TOO_LARGE', `deflated frame declares ${length} bytes, more than ${maxFrameBytes}`);
  if (length < 1) throw new TetherError('FRAME_MALFORMED', 'deflated frame declares no bytes');
  const out = new Uint8Array(length);
  let written = 0;
  const inflater = new DecompressionStream('deflate-raw');
  const writer = inflater.writable.getWriter();
  // Fed in slices, each once the stream wants more: Chromium inflates a whole write at once and queues
  // all of it, so one write of a deflate bomb would take the page's memory before the check below sees
  // its first chunk. A slice inflates to at most ~1,000× its size.
  void (async () => {
    for (let from = at; from < payload.length; from += INFLATE_SLICE_BYTES) {
      await writer.ready;
      // Received bytes are never shared memory; the cast only narrows TypeScript's view of their buffer.
      void writer.write(payload.subarray(from, from + INFLATE_SLICE_BYTES) as Uint8Array<ArrayBuffer>).catch(() => undefined);
    }
    await writer.close();
  })().catch(() => undefined); // the reader below reports what went wrong
  const reader = inflater.readable.getReader();
  // The link that wanted the frame is gone: stop inflating (the read below then fails).
  const stop = (): void => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    if (signal?.aborted) throw closedWhileInflating();
    for (;;) {
      const { done, value } = await reader.read();
      // A cancelled stream reads as ended: that is the abort, not a short frame.
      if (signal?.aborted) throw closedWhileInflating();
      if (done) break;
      if (written + value.length > length) {
        // Stop inflating (below): whatever else it holds is not wanted (a deflate bomb stops here).
        throw new TetherError('FRAME_MALFORMED', `deflated frame holds more than the ${length} bytes it declares`);
      }
      out.set(value, written);
      written += value.length;
    }
  } catch (err) {
    void reader.cancel().catch(() => undefined); // nothing more of this stream is wanted
    if (err instanceof TetherError) throw err;
    if (signal?.aborted) throw closedWhileInflating();
    throw new TetherError('FRAME_MALFORMED', `deflated frame: ${(err as Error).message}`);
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  if (written !== length) throw new TetherError('FRAME_MALFORMED', `deflated frame holds ${written} bytes, not the ${length} it declares`);
  const tag = out[0]!;
  if (tag === FrameTag.deflated || tag === FrameTag.fragment || tag === FrameTag.fragmentEnd) {
    throw new TetherError('FRAME_MALFORMED', 'a deflated frame may not hold a deflated frame or a fragment');
  }
  return { tag, payload: out.subarray(1) };
}
