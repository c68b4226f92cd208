/**
 * Fuzz properties of data-channel framing (protocol/frames.ts): the FrameAssembler fed arbitrary messages
 * and mutated fragment sequences, splitFrame round trips, and session-frame channel numbers.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeChannelPayload,
  encodeChannelFrame,
  encodeFrame,
  FrameAssembler,
  FrameTag,
  MAX_CHANNELS,
  MAX_CLIENT_FRAME_BYTES,
  splitFrame,
  type Frame,
} from '../../protocol/frames.js';
import { fuzzProperty, type FuzzProperty } from './fuzz-property.js';
import { valueOrCoded } from './coded-outcome.js';
import { anyChannelFrame, mutateBytes } from './mutations.js';

const FRAGMENT_TAGS: ReadonlySet<number> = new Set([FrameTag.fragment, FrameTag.fragmentEnd]);

/** A tag that is a logical frame's (anything but the two fragment tags). */
const frameTag = fc.integer({ min: 0, max: 255 }).filter((t) => !FRAGMENT_TAGS.has(t));

/** The receiver's limit: tiny (so limits are hit often), the host's own, or anything between. */
const frameLimit = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 4096 }), fc.constant(MAX_CLIENT_FRAME_BYTES));

/**
 * Pushes messages the way PeerLink does: every push yields a frame, null, or FRAME_MALFORMED /
 * FRAME_TOO_LARGE, after which the link closes (so feeding stops). Returns the frames completed.
 */
function feed(limit: number, messages: Uint8Array[]): { frames: Frame[]; failed: boolean } {
  const assembler = new FrameAssembler(limit);
  const frames: Frame[] = [];
  for (const m of messages) {
    const out = valueOrCoded(() => assembler.push(m), ['FRAME_MALFORMED', 'FRAME_TOO_LARGE']);
    if (!out.ok) return { frames, failed: true };
    const frame = out.value;
    if (!frame) continue;
    assert.ok(!FRAGMENT_TAGS.has(frame.tag), 'a completed frame never has a fragment tag');
    assert.ok(1 + frame.payload.length <= limit, `frame of ${1 + frame.payload.length} bytes passed a limit of ${limit}`);
    frames.push({ tag: frame.tag, payload: Uint8Array.from(frame.payload) });
  }
  return { frames, failed: false };
}

/** A logical frame: a tag and a payload, sometimes larger than one data-channel message. */
const logicalFrame = fc.tuple(frameTag, fc.oneof({ weight: 5, arbitrary: fc.uint8Array({ maxLength: 300 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1000, maxLength: 5000 }) }));

/** Several logical frames split with one message size, as a sender would put them on the wire. */
const wireSequence = fc.tuple(fc.array(logicalFrame, { minLength: 1, maxLength: 5 }), fc.integer({ min: 2, max: 1200 })).map(([frames, maxMessage]) => ({
  frames: frames.map(([tag, payload]) => encodeFrame(tag, payload)),
  messages: frames.flatMap(([tag, payload]) => splitFrame(encodeFrame(tag, payload), maxMessage)),
}));

type SequenceEdit = { op: 'drop' | 'repeat' | 'swap' | 'mutate'; at: number; other: number; seed: Uint8Array };

/** A mutated wire sequence: messages dropped, repeated, swapped, or one message's bytes damaged. */
const mutatedSequence = fc
  .tuple(
    wireSequence,
    fc.array(fc.record({ op: fc.constantFrom('drop', 'repeat', 'swap', 'mutate'), at: fc.nat(), other: fc.nat(), seed: fc.uint8Array({ minLength: 1, maxLength: 4 }) }), { minLength: 1, maxLength: 4 }),
    fc.array(mutateBytes(fc.uint8Array({ maxLength: 40 })), { minLength: 1, maxLength: 4 }),
  )
  .map(([seq, edits, junk]) => {
    const messages = [...seq.messages];
    for (const [i, e] of (edits as SequenceEdit[]).entries()) {
      const at = e.at % messages.length;
      if (e.op === 'drop' && messages.length > 1) messages.splice(at, 1);
      else if (e.op === 'repeat') messages.splice(at, 0, messages[at]!);
      else if (e.op === 'swap') [messages[at], messages[e.other % messages.length]] = [messages[e.other % messages.length]!, messages[at]!];
      else messages.splice(at, 1, junk[i % junk.length]!);
    }
    return messages;
  });

/** Framing properties: reassembly, splitting, channel numbers. */
export const frameProperties: FuzzProperty[] = [
  fuzzProperty({
    name: 'frames/assembler-arbitrary-messages',
    arbitrary: fc.tuple(frameLimit, fc.array(fc.uint8Array({ maxLength: 200 }).map((m) => (m.length > 0 && m[0]! % 3 === 0 ? Uint8Array.of(FrameTag.fragment + (m[0]! % 2), ...m.subarray(1)) : m)), { maxLength: 12 })),
    check: ([limit, messages]) => {
      feed(limit, messages);
    },
    runs: { short: 400, long: 15_000 },
  }),
  fuzzProperty({
    name: 'frames/split-then-reassemble',
    arbitrary: fc.tuple(wireSequence, frameLimit),
    check: ([seq, limit]) => {
      const { frames, failed } = feed(limit, seq.messages);
      const fits = seq.frames.every((f) => f.length <= limit);
      // Within the limit every frame comes back byte for byte; past it the receiver refuses with a code.
      assert.equal(failed, !fits);
      if (fits) assert.deepEqual(frames.map((f) => encodeFrame(f.tag, f.payload)), seq.frames);
    },
    runs: { short: 300, long: 10_000 },
  }),
  fuzzProperty({
    name: 'frames/assembler-mutated-fragment-sequences',
    arbitrary: fc.tuple(mutatedSequence, frameLimit),
    check: ([messages, limit]) => {
      feed(limit, messages);
    },
    runs: { short: 300, long: 10_000 },
  }),
  fuzzProperty({
    name: 'frames/channel-payload',
    arbitrary: fc.oneof(
      fc.uint8Array({ maxLength: 16 }),
      mutateBytes(fc.tuple(fc.integer({ min: 0, max: MAX_CHANNELS + 10 }), fc.uint8Array({ maxLength: 12 })).map(([ch, body]) => anyChannelFrame(FrameTag.sync, ch, body).subarray(1))),
    ),
    check: (payload) => {
      const out = valueOrCoded(() => decodeChannelPayload(payload), ['FRAME_MALFORMED']);
      if (!out.ok) return;
      assert.ok(Number.isInteger(out.value.channel) && out.value.channel >= 0 && out.value.channel < MAX_CHANNELS);
      // What decodes re-encodes to the same bytes (varuints have one canonical form in lib0).
      const again = decodeChannelPayload(encodeChannelFrame(FrameTag.sync, out.value.channel, out.value.body).subarray(1));
      assert.equal(again.channel, out.value.channel);
      assert.deepEqual(again.body, out.value.body);
    },
    runs: { short: 300, long: 10_000 },
  }),
];
