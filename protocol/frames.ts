/**
 * Data-channel framing: every frame is `[tag: u8][payload]`, dispatched through a handler table.
 * One connection carries every session a device opens on a host: session frames (sync, intent, reply,
 * end) start their payload with the channel number the device chose when it opened the session.
 * Frames larger than one SCTP message are split into FRAGMENT parts and reassembled, with the total
 * capped by the receiver's limit; an unknown tag or an oversized frame is a protocol error.
 */
import * as decoding from 'lib0/decoding';
import { TetherError } from './errors.js';
import { concatBytes, utf8Into } from './encoding.js';

/** One-byte frame tags. Values are part of the wire protocol: never renumber. */
export const FrameTag = {
  /** JSON Hello: the first frame in each direction (the device's first, then the host's answer). */
  hello: 0x01,
  /** Session frame: a y-protocols sync message (step 1, step 2 or update). */
  sync: 0x02,
  /** Session frame: a JSON Intent from a device. */
  intent: 0x03,
  /** Session frame: a JSON IntentReply from the host. */
  reply: 0x04,
  /** JSON ErrorFrame sent just before closing the whole connection. */
  error: 0x05,
  /** JSON OpenSession from a device: subscribe a channel number to a session. */
  open: 0x06,
  /** Session frame: JSON ChannelOpened from the host (the channel is live: send sync step 1). */
  opened: 0x07,
  /** Session frame: JSON ChannelEnd. Host → device: final (the session ended, sharing stopped…). Device → host: unsubscribe. */
  end: 0x08,
  /** Liveness probe, either direction; answered with pong. Payload: opaque, at most 16 bytes, echoed. */
  ping: 0x09,
  /** Answer to ping with the same payload. */
  pong: 0x0a,
  /** JSON Notice, host → device: something about this device's connection (role changed, revoked, waiting for approval…). */
  notice: 0x0b,
  /** Empty, device → host: this device is leaving (page closed); drop it from every list now. */
  bye: 0x0c,
  /** Session frame: JSON Presence from the host (who is connected; on the list, trusted devices too). */
  presence: 0x0d,
  /** Session frame: JSON Applied, device → host: how much of the channel's sync it has applied (flow control). */
  applied: 0x0e,
  /** Host → a device that asked for it: another frame, deflated (frame-compression.ts). */
  deflated: 0x0f,
  /** A fragment of a larger frame; more follow. */
  fragment: 0x7e,
  /** The last fragment of a larger frame. */
  fragmentEnd: 0x7f,
} as const;
export type FrameTagValue = (typeof FrameTag)[keyof typeof FrameTag];

/** Largest single data-channel message we send (well below every SCTP max-message-size). */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Largest frame a host accepts from a client (intents are small; pasted text is capped). */
export const MAX_CLIENT_FRAME_BYTES = 256 * 1024;
/** Largest frame a client accepts from the host (a full document sync). */
export const MAX_HOST_FRAME_BYTES = 64 * 1024 * 1024;

/** A decoded frame. */
export interface Frame {
  tag: number;
  payload: Uint8Array;
}

/** Most session channels one connection may have open at once. */
export const MAX_CHANNELS = 256;

/** Builds one logical frame. */
export function encodeFrame(tag: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = tag;
  out.set(payload, 1);
  return out;
}

/** Splits a logical frame into data-channel messages of at most MAX_MESSAGE_BYTES. */
export function splitFrame(frame: Uint8Array, maxMessage = MAX_MESSAGE_BYTES): Uint8Array[] {
  if (maxMessage < 2) throw new RangeError('maxMessage must leave room for a tag and one byte');
  if (frame.length <= maxMessage) return [frame];
  const pieceSize = maxMessage - 1;
  const messages: Uint8Array[] = [];
  for (let at = 0; at < frame.length; at += pieceSize) {
    const piece = frame.subarray(at, Math.min(at + pieceSize, frame.length));
    const last = at + pieceSize >= frame.length;
    messages.push(encodeFrame(last ? FrameTag.fragmentEnd : FrameTag.fragment, piece));
  }
  return messages;
}

/**
 * Reassembles data-channel messages into logical frames and enforces the size limit.
 * Feed each message to `push`; it returns a completed frame, or null while fragments accumulate.
 */
export class FrameAssembler {
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Throws TetherError FRAME_MALFORMED / FRAME_TOO_LARGE. */
  push(message: Uint8Array): Frame | null {
    if (message.length === 0) throw new TetherError('FRAME_MALFORMED', 'empty frame');
    const tag = message[0]!;
    if (tag === FrameTag.fragment || tag === FrameTag.fragmentEnd) {
      this.size += message.length - 1;
      if (this.size > this.maxFrameBytes) {
        throw new TetherError('FRAME_TOO_LARGE', `frame exceeds ${this.maxFrameBytes} bytes`);
      }
      this.parts.push(message.subarray(1));
      if (tag === FrameTag.fragment) return null;
      const whole = concatBytes(this.parts);
      this.parts = [];
      this.size = 0;
      if (whole.length === 0 || whole[0] === FrameTag.fragment || whole[0] === FrameTag.fragmentEnd) {
        throw new TetherError('FRAME_MALFORMED', 'nested or empty fragmented frame');
      }
      return { tag: whole[0]!, payload: whole.subarray(1) };
    }
    if (this.parts.length > 0) throw new TetherError('FRAME_MALFORMED', 'frame interleaved with fragments');
    if (message.length > this.maxFrameBytes) {
      throw new TetherError('FRAME_TOO_LARGE', `frame exceeds ${this.maxFrameBytes} bytes`);
    }
    return { tag, payload: message.subarray(1) };
  }
}

/** Bytes of a session frame's head, `[tag][varuint channel]`: channels below MAX_CHANNELS take one or two. */
function channelHeadBytes(channel: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel >= MAX_CHANNELS) throw new RangeError(`channel ${channel} out of range`);
  return channel < 0x80 ? 2 : 3;
}

/** Writes a session frame's head into `out` (as lib0's varuint: seven bits per byte, low bits first). */
function writeChannelHead(out: Uint8Array, tag: number, channel: number): void {
  out[0] = tag;
  if (channel < 0x80) out[1] = channel;
  else {
    out[1] = 0x80 | (channel & 0x7f);
    out[2] = channel >>> 7;
  }
}

/**
 * Builds a session frame: `[tag][varuint channel][payload]`, written directly (every keystroke and every
 * echo is one: a general encoder and a concatenation took ~20 µs cold in a page's CPU profile while typing).
 */
export function encodeChannelFrame(tag: number, channel: number, payload: Uint8Array): Uint8Array {
  const head = channelHeadBytes(channel);
  const out = new Uint8Array(head + payload.length);
  writeChannelHead(out, tag, channel);
  out.set(payload, head);
  return out;
}

/** Builds a session frame whose payload is `value` as JSON (what encodeJson makes), UTF-8 encoded straight into it. */
export function encodeJsonChannelFrame(tag: number, channel: number, value: unknown): Uint8Array {
  const json = JSON.stringify(value);
  const head = channelHeadBytes(channel);
  // ASCII JSON (every keystroke's intent) fills a buffer of its length exactly; else UTF-8 takes at most 3 bytes per unit.
  const frame = utf8Into(json, new Uint8Array(head + json.length), head) ?? utf8Into(json, new Uint8Array(head + json.length * 3), head)!;
  writeChannelHead(frame, tag, channel);
  return frame;
}

/** Splits a session frame's payload into its channel number and the rest; throws FRAME_MALFORMED. */
export function decodeChannelPayload(payload: Uint8Array): { channel: number; body: Uint8Array } {
  try {
    const decoder = decoding.createDecoder(payload);
    const channel = decoding.readVarUint(decoder);
    if (channel >= MAX_CHANNELS) throw new Error(`channel ${channel} out of range`);
    return { channel, body: payload.subarray(decoder.pos) };
  } catch (err) {
    throw new TetherError('FRAME_MALFORMED', `bad session frame: ${(err as Error).message}`, { cause: err });
  }
}
