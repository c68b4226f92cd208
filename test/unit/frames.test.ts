import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import { concatBytes } from '../../protocol/encoding.js';
import { encodeJson } from '../../protocol/messages.js';
import {
  decodeChannelPayload,
  encodeChannelFrame,
  encodeFrame,
  encodeJsonChannelFrame,
  FrameAssembler,
  FrameTag,
  MAX_CHANNELS,
  MAX_CLIENT_FRAME_BYTES,
  MAX_HOST_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  splitFrame,
} from '../../protocol/frames.js';

/** Deterministic, non-repeating-looking bytes so a misplaced fragment changes the content. */
function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Feeds every message to the assembler; returns the frames it completed and how many pushes returned null. */
function feed(assembler: FrameAssembler, messages: Uint8Array[]): { frames: Array<{ tag: number; payload: Uint8Array }>; nulls: number } {
  const frames: Array<{ tag: number; payload: Uint8Array }> = [];
  let nulls = 0;
  for (const m of messages) {
    const f = assembler.push(m);
    if (f) frames.push({ tag: f.tag, payload: Uint8Array.from(f.payload) });
    else nulls++;
  }
  return { frames, nulls };
}

describe('encodeFrame', () => {
  it('prefixes the payload with the one-byte tag', () => {
    assert.deepEqual(encodeFrame(FrameTag.intent, new Uint8Array([9, 8, 7])), new Uint8Array([0x03, 9, 8, 7]));
    assert.deepEqual(encodeFrame(FrameTag.hello, new Uint8Array()), new Uint8Array([0x01]));
  });

  it('keeps the wire values of the tags', () => {
    assert.deepEqual(
      { ...FrameTag },
      {
        hello: 0x01, sync: 0x02, intent: 0x03, reply: 0x04, error: 0x05, open: 0x06, opened: 0x07, end: 0x08,
        ping: 0x09, pong: 0x0a, notice: 0x0b, bye: 0x0c, presence: 0x0d, applied: 0x0e, deflated: 0x0f, fragment: 0x7e, fragmentEnd: 0x7f,
      },
    );
  });
});

describe('encodeChannelFrame', () => {
  it('writes the tag, the channel as a varint, then the payload, which decodeChannelPayload gives back', () => {
    assert.deepEqual(encodeChannelFrame(FrameTag.sync, 3, new Uint8Array([7, 8])), new Uint8Array([0x02, 3, 7, 8]));
    // Channel 200 takes two varint bytes (0xc8 0x01); a large payload arrives whole and in order.
    const payload = pattern(70_000, 5);
    const frame = encodeChannelFrame(FrameTag.sync, 200, payload);
    assert.deepEqual([...frame.subarray(0, 3)], [0x02, 0xc8, 0x01]);
    const { channel, body } = decodeChannelPayload(frame.subarray(1));
    assert.equal(channel, 200);
    assert.deepEqual(body, payload);
  });

  it('writes every channel number as lib0 would, and refuses one out of range', () => {
    for (let ch = 0; ch < MAX_CHANNELS; ch++) {
      const expected = encoding.encode((e) => {
        encoding.writeUint8(e, FrameTag.reply);
        encoding.writeVarUint(e, ch);
        encoding.writeUint8Array(e, new Uint8Array([5, 6]));
      });
      assert.deepEqual(encodeChannelFrame(FrameTag.reply, ch, new Uint8Array([5, 6])), expected, `channel ${ch}`);
    }
    for (const bad of [-1, MAX_CHANNELS, 1.5, Number.NaN]) assert.throws(() => encodeChannelFrame(FrameTag.sync, bad, new Uint8Array()), RangeError);
  });
});

describe('encodeJsonChannelFrame', () => {
  it('is encodeChannelFrame of encodeJson, for ASCII and for any text (fast-check, seeded)', () => {
    const same = (ch: number, value: unknown): void => {
      const frame = encodeJsonChannelFrame(FrameTag.intent, ch, value);
      assert.deepEqual(frame, encodeChannelFrame(FrameTag.intent, ch, encodeJson(value)));
    };
    const keystroke = { id: 'AAAAAAAAAAAAAAAAAAAAAA', type: 'input', data: 'a', cols: 80, rows: 24 };
    same(0, keystroke);
    // ASCII fills its buffer exactly: nothing larger is kept alive while the frame waits to be sent.
    const frame = encodeJsonChannelFrame(FrameTag.intent, 0, keystroke);
    assert.equal(frame.buffer.byteLength, frame.byteLength);
    same(200, { type: 'input', data: 'é€😀\u0000\x1b[A' });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_CHANNELS - 1 }), fc.string({ unit: 'binary', maxLength: 40 }), (ch, data) => same(ch, { type: 'input', data })),
      { seed: 14, numRuns: 500 },
    );
  });
});

describe('concatBytes', () => {
  it('joins parts in order into one new array, empty parts and no parts included', () => {
    const a = new Uint8Array([1, 2]);
    const joined = concatBytes([a, new Uint8Array(), new Uint8Array([3])]);
    assert.deepEqual(joined, new Uint8Array([1, 2, 3]));
    a[0] = 9; // a copy, not a view
    assert.equal(joined[0], 1);
    assert.deepEqual(concatBytes([]), new Uint8Array());
  });
});

describe('splitFrame', () => {
  it('leaves a frame of at most one message untouched', () => {
    const frame = encodeFrame(FrameTag.sync, pattern(MAX_MESSAGE_BYTES - 1));
    assert.equal(frame.length, MAX_MESSAGE_BYTES);
    const parts = splitFrame(frame);
    assert.equal(parts.length, 1);
    assert.equal(parts[0], frame);
  });

  it('splits a larger frame into fragments of at most maxMessage bytes, the last one tagged fragmentEnd', () => {
    const frame = encodeFrame(FrameTag.sync, pattern(200_000));
    const parts = splitFrame(frame);
    // 200 001 bytes in pieces of 65 535 → 4 messages.
    assert.equal(parts.length, Math.ceil(frame.length / (MAX_MESSAGE_BYTES - 1)));
    assert.equal(parts.length, 4);
    for (const p of parts) assert.ok(p.length <= MAX_MESSAGE_BYTES, `message of ${p.length} bytes`);
    assert.deepEqual(parts.slice(0, -1).map((p) => p[0]), [FrameTag.fragment, FrameTag.fragment, FrameTag.fragment]);
    assert.equal(parts.at(-1)![0], FrameTag.fragmentEnd);
    assert.equal(parts.reduce((n, p) => n + p.length - 1, 0), frame.length);
  });

  it('splits one byte over the limit into exactly two messages', () => {
    const parts = splitFrame(pattern(11), 10);
    assert.deepEqual(parts.map((p) => [p[0], p.length]), [[FrameTag.fragment, 10], [FrameTag.fragmentEnd, 3]]);
  });
});

describe('FrameAssembler round trips', () => {
  it('returns a small frame as is', () => {
    const payload = pattern(100);
    const a = new FrameAssembler(MAX_CLIENT_FRAME_BYTES);
    const { frames, nulls } = feed(a, splitFrame(encodeFrame(FrameTag.intent, payload)));
    assert.equal(nulls, 0);
    assert.deepEqual(frames, [{ tag: FrameTag.intent, payload }]);
  });

  it('accepts a frame with an empty payload', () => {
    const a = new FrameAssembler(16);
    assert.deepEqual(feed(a, [encodeFrame(FrameTag.hello, new Uint8Array())]).frames, [{ tag: FrameTag.hello, payload: new Uint8Array() }]);
  });

  it('reassembles a large multi-fragment frame, returning null until the last fragment', () => {
    const payload = pattern(1_000_000, 7);
    const messages = splitFrame(encodeFrame(FrameTag.sync, payload));
    assert.equal(messages.length, 16);
    const a = new FrameAssembler(MAX_HOST_FRAME_BYTES);
    const { frames, nulls } = feed(a, messages);
    assert.equal(nulls, messages.length - 1);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.tag, FrameTag.sync);
    assert.deepEqual(frames[0]!.payload, payload);
  });

  it('reassembles consecutive fragmented and whole frames with one assembler', () => {
    const a = new FrameAssembler(10_000);
    const p1 = pattern(1000, 1);
    const p2 = pattern(5, 2);
    const p3 = pattern(2000, 3);
    const messages = [
      ...splitFrame(encodeFrame(FrameTag.sync, p1), 64),
      ...splitFrame(encodeFrame(FrameTag.reply, p2), 64),
      ...splitFrame(encodeFrame(FrameTag.intent, p3), 100),
    ];
    const { frames } = feed(a, messages);
    assert.deepEqual(frames, [
      { tag: FrameTag.sync, payload: p1 },
      { tag: FrameTag.reply, payload: p2 },
      { tag: FrameTag.intent, payload: p3 },
    ]);
  });

  it('does not check tags itself: an unknown tag is passed to the dispatcher', () => {
    const a = new FrameAssembler(16);
    assert.deepEqual(feed(a, [new Uint8Array([0x42, 1])]).frames, [{ tag: 0x42, payload: new Uint8Array([1]) }]);
  });
});

describe('FrameAssembler errors', () => {
  it('rejects an empty message with FRAME_MALFORMED', () => {
    assert.throws(() => new FrameAssembler(100).push(new Uint8Array()), { name: 'TetherError', code: 'FRAME_MALFORMED' });
  });

  it('rejects a single message larger than the limit with FRAME_TOO_LARGE; the limit itself is accepted', () => {
    const a = new FrameAssembler(100);
    assert.equal(a.push(encodeFrame(FrameTag.intent, pattern(99)))!.payload.length, 99);
    assert.throws(() => new FrameAssembler(100).push(encodeFrame(FrameTag.intent, pattern(100))), {
      name: 'TetherError',
      code: 'FRAME_TOO_LARGE',
      message: /100 bytes/,
    });
  });

  it('rejects an oversized fragmented frame with FRAME_TOO_LARGE as soon as the limit is passed, before its end', () => {
    const a = new FrameAssembler(1000);
    const messages = splitFrame(encodeFrame(FrameTag.sync, pattern(5000)), 300); // 299 bytes per fragment
    assert.equal(messages.length, 17);
    assert.equal(a.push(messages[0]!), null);
    assert.equal(a.push(messages[1]!), null);
    assert.equal(a.push(messages[2]!), null);
    // 4 × 299 = 1196 > 1000: the fourth (a middle fragment) fails; nothing is buffered beyond the limit.
    assert.equal(messages[3]![0], FrameTag.fragment);
    assert.throws(() => a.push(messages[3]!), { name: 'TetherError', code: 'FRAME_TOO_LARGE' });
  });

  it('accepts a fragmented frame of exactly the limit and rejects one byte more', () => {
    const exact = splitFrame(encodeFrame(FrameTag.sync, pattern(999)), 300); // 1000 bytes in all
    assert.equal(feed(new FrameAssembler(1000), exact).frames[0]!.payload.length, 999);
    const over = splitFrame(encodeFrame(FrameTag.sync, pattern(1000)), 300);
    assert.throws(() => feed(new FrameAssembler(1000), over), { name: 'TetherError', code: 'FRAME_TOO_LARGE' });
  });

  it('rejects a nested fragment (a reassembled frame that is itself a fragment) with FRAME_MALFORMED', () => {
    for (const tag of [FrameTag.fragment, FrameTag.fragmentEnd]) {
      const messages = splitFrame(encodeFrame(tag, pattern(200)), 50);
      assert.ok(messages.length > 1);
      assert.throws(() => feed(new FrameAssembler(1000), messages), {
        name: 'TetherError',
        code: 'FRAME_MALFORMED',
        message: /nested/,
      });
    }
  });

  it('rejects an empty fragmented frame with FRAME_MALFORMED', () => {
    assert.throws(() => new FrameAssembler(100).push(new Uint8Array([FrameTag.fragmentEnd])), {
      name: 'TetherError',
      code: 'FRAME_MALFORMED',
    });
    const a = new FrameAssembler(100);
    assert.equal(a.push(new Uint8Array([FrameTag.fragment])), null);
    assert.throws(() => a.push(new Uint8Array([FrameTag.fragmentEnd])), { name: 'TetherError', code: 'FRAME_MALFORMED' });
  });

  it('rejects a whole frame interleaved with fragments with FRAME_MALFORMED', () => {
    const a = new FrameAssembler(10_000);
    const messages = splitFrame(encodeFrame(FrameTag.sync, pattern(500)), 100);
    assert.equal(a.push(messages[0]!), null);
    assert.throws(() => a.push(encodeFrame(FrameTag.intent, pattern(3))), {
      name: 'TetherError',
      code: 'FRAME_MALFORMED',
      message: /interleaved/,
    });
  });
});

// After a throw the caller is expected to close the peer (PeerLink.fail does, and ignores later messages).
// These tests pin down what the assembler itself does if it were used again.
describe('FrameAssembler state after an error', () => {
  it('after a nested or empty fragmented frame: state is reset, the next frame decodes', () => {
    const a = new FrameAssembler(1000);
    assert.throws(() => feed(a, splitFrame(encodeFrame(FrameTag.fragment, pattern(200)), 50)), { code: 'FRAME_MALFORMED' });
    assert.deepEqual(feed(a, [encodeFrame(FrameTag.reply, new Uint8Array([1]))]).frames, [
      { tag: FrameTag.reply, payload: new Uint8Array([1]) },
    ]);
    const p = pattern(300);
    assert.deepEqual(feed(a, splitFrame(encodeFrame(FrameTag.sync, p), 100)).frames, [{ tag: FrameTag.sync, payload: p }]);
  });

  it('after an empty message: nothing changed, the next frame decodes', () => {
    const a = new FrameAssembler(1000);
    assert.throws(() => a.push(new Uint8Array()), { code: 'FRAME_MALFORMED' });
    assert.equal(a.push(new Uint8Array([FrameTag.intent, 5]))!.payload[0], 5);
  });

  it('after a whole frame interleaved with fragments: that frame is dropped and the fragmented frame can still complete', () => {
    const a = new FrameAssembler(10_000);
    const p = pattern(250);
    const messages = splitFrame(encodeFrame(FrameTag.sync, p), 100);
    assert.equal(messages.length, 3);
    assert.equal(a.push(messages[0]!), null);
    assert.throws(() => a.push(encodeFrame(FrameTag.intent, pattern(3))), { code: 'FRAME_MALFORMED' });
    assert.equal(a.push(messages[1]!), null);
    assert.deepEqual(a.push(messages[2]!), { tag: FrameTag.sync, payload: p });
  });

  it('after a fragmented FRAME_TOO_LARGE: the assembler stays failed (every later message throws)', () => {
    const a = new FrameAssembler(100);
    const messages = splitFrame(encodeFrame(FrameTag.sync, pattern(300)), 60);
    assert.throws(() => feed(a, messages), { code: 'FRAME_TOO_LARGE' });
    assert.throws(() => a.push(new Uint8Array([FrameTag.fragmentEnd, 1])), { code: 'FRAME_TOO_LARGE' });
    assert.throws(() => a.push(encodeFrame(FrameTag.intent, new Uint8Array([1]))), { code: 'FRAME_MALFORMED' });
  });

  it('after a single-message FRAME_TOO_LARGE: nothing is kept, the next frame decodes', () => {
    const a = new FrameAssembler(10);
    assert.throws(() => a.push(encodeFrame(FrameTag.intent, pattern(10))), { code: 'FRAME_TOO_LARGE' });
    assert.deepEqual(a.push(new Uint8Array([FrameTag.reply, 2])), { tag: FrameTag.reply, payload: new Uint8Array([2]) });
  });
});
