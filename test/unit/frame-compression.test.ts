import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as encoding from 'lib0/encoding';
import { concatBytes, utf8 } from '../../protocol/encoding.js';
import { encodeChannelFrame, encodeFrame, FrameAssembler, FrameTag, MAX_HOST_FRAME_BYTES, splitFrame } from '../../protocol/frames.js';
import { canInflate, DEFLATE_MIN_BYTES, deflateFrame, inflateFrame } from '../../protocol/frame-compression.js';
import { TetherError } from '../../protocol/errors.js';
import { packageRoot } from '../../host/package-paths.js';

const deflate = (bytes: Uint8Array): Uint8Array => deflateRawSync(bytes, { level: 1 });

/** Real text: this project's README, as program output or an agent's answer would be. */
const README = readFileSync(join(packageRoot(), 'README.md'));

/** A deflated frame built by hand: `[deflated][varuint declared][body]`. */
function deflatedFrame(declared: number, body: Uint8Array): Uint8Array {
  const head = encoding.encode((e) => {
    encoding.writeUint8(e, FrameTag.deflated);
    encoding.writeVarUint(e, declared);
  });
  return concatBytes([head, body]);
}

/** The code of what `fn` rejects with (it must reject with a TetherError). */
async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof TetherError, `a TetherError, not ${String(err)}`);
    return err.code;
  }
  assert.fail('did not throw');
}

describe('deflated frames', () => {
  it('a large frame of text goes deflated, through fragments, and comes back byte for byte', async () => {
    const frame = encodeChannelFrame(FrameTag.sync, 3, README.subarray(0, 200_000));
    const deflated = deflateFrame(frame, deflate);
    assert.ok(deflated, 'deflated');
    assert.equal(deflated[0], FrameTag.deflated);
    assert.ok(deflated.length < frame.length / 2, `text shrinks to less than half (${deflated.length} of ${frame.length})`);
    const assembler = new FrameAssembler(MAX_HOST_FRAME_BYTES);
    const messages = splitFrame(deflated);
    let outer = null;
    for (const message of messages) outer = assembler.push(message) ?? outer;
    assert.equal(outer?.tag, FrameTag.deflated);
    const inner = await inflateFrame(outer.payload, MAX_HOST_FRAME_BYTES);
    assert.equal(inner.tag, FrameTag.sync);
    assert.deepEqual(encodeFrame(inner.tag, inner.payload), frame);
  });

  it('small frames and frames that do not shrink go as they are', () => {
    assert.equal(deflateFrame(encodeFrame(FrameTag.sync, new Uint8Array(DEFLATE_MIN_BYTES - 2)), deflate), null, 'below the minimum');
    assert.equal(deflateFrame(encodeFrame(FrameTag.sync, randomBytes(50_000)), deflate), null, 'noise');
    assert.ok(deflateFrame(encodeFrame(FrameTag.sync, new Uint8Array(DEFLATE_MIN_BYTES)), deflate), 'at the minimum, zeros');
  });

  it('a declared length above the limit is FRAME_TOO_LARGE, before anything is inflated', async () => {
    const body = deflate(encodeFrame(FrameTag.sync, new Uint8Array(5000)));
    const frame = deflatedFrame(5001, body);
    assert.equal(await codeOf(() => inflateFrame(frame.subarray(1), 4096)), 'FRAME_TOO_LARGE');
  });

  it('a deflate bomb is stopped at its declared length, quickly', async () => {
    // 64 MiB of zeros deflates to 64 KB; it declares 1,000 bytes.
    const body = deflateRawSync(new Uint8Array(64 * 1024 * 1024), { level: 1 });
    const t0 = performance.now();
    assert.equal(await codeOf(() => inflateFrame(deflatedFrame(1000, body).subarray(1), MAX_HOST_FRAME_BYTES)), 'FRAME_MALFORMED');
    // A hang guard, not a speed test: it stops at the first chunk too many.
    assert.ok(performance.now() - t0 < 5000, 'stopped early');
  });

  it('broken, short, long or nested contents are FRAME_MALFORMED', async () => {
    const frame = encodeFrame(FrameTag.sync, README.subarray(0, 10_000));
    const body = deflate(frame);
    const max = MAX_HOST_FRAME_BYTES;
    assert.equal(await codeOf(() => inflateFrame(new Uint8Array(0), max)), 'FRAME_MALFORMED', 'no length');
    assert.equal(await codeOf(() => inflateFrame(deflatedFrame(0, body).subarray(1), max)), 'FRAME_MALFORMED', 'declares nothing');
    assert.equal(await codeOf(() => inflateFrame(deflatedFrame(frame.length, body.subarray(0, body.length / 2)).subarray(1), max)), 'FRAME_MALFORMED', 'cut short');
    assert.equal(await codeOf(() => inflateFrame(deflatedFrame(frame.length + 1, body).subarray(1), max)), 'FRAME_MALFORMED', 'fewer bytes than declared');
    assert.equal(await codeOf(() => inflateFrame(deflatedFrame(frame.length - 1, body).subarray(1), max)), 'FRAME_MALFORMED', 'more bytes than declared');
    const garbage = Uint8Array.from(body);
    garbage.fill(0xff, 0, 64);
    assert.equal(await codeOf(() => inflateFrame(deflatedFrame(frame.length, garbage).subarray(1), max)), 'FRAME_MALFORMED', 'garbage');
    for (const tag of [FrameTag.deflated, FrameTag.fragment, FrameTag.fragmentEnd]) {
      const inner = encodeFrame(tag, utf8('x'.repeat(5000)));
      assert.equal(await codeOf(() => inflateFrame(deflatedFrame(inner.length, deflate(inner)).subarray(1), max)), 'FRAME_MALFORMED', `holds tag ${tag}`);
    }
  });

  it('a platform asks for deflated frames only when it can inflate them', () => {
    assert.equal(canInflate(), true, 'Node 20 inflates raw deflate');
    const platform = globalThis.DecompressionStream;
    try {
      // A browser without it (iOS Safari before 16.4), and one without raw deflate (a TypeError).
      delete (globalThis as { DecompressionStream?: unknown }).DecompressionStream;
      assert.equal(canInflate(), false);
      globalThis.DecompressionStream = class {
        constructor(format: string) {
          if (format !== 'gzip') throw new TypeError(`unsupported format ${format}`);
        }
      } as unknown as typeof DecompressionStream;
      assert.equal(canInflate(), false);
    } finally {
      globalThis.DecompressionStream = platform;
    }
    assert.equal(canInflate(), true);
  });

  it('inflating stops when its link goes away (PEER_CLOSED), and a frame is not inflated for a link already gone', async () => {
    // About 9 MB of output in 8 fragments' worth of deflate: long enough to be stopped midway.
    const text = Array.from({ length: 400_000 }, (_, i) => `line ${i} ${((i * 2654435761) % 4294967296).toString(16)}\n`).join('');
    const deflated = deflateFrame(encodeFrame(FrameTag.sync, utf8(text)), (b) => deflateRawSync(b, { level: 1 }))!;
    const payload = deflated.subarray(1);
    const stopping = new AbortController();
    const inflating = inflateFrame(payload, MAX_HOST_FRAME_BYTES, stopping.signal);
    setImmediate(() => stopping.abort());
    await assert.rejects(inflating, (err: TetherError) => err.code === 'PEER_CLOSED');
    await assert.rejects(inflateFrame(payload, MAX_HOST_FRAME_BYTES, stopping.signal), (err: TetherError) => err.code === 'PEER_CLOSED');
    // Not aborted: the same frame inflates whole.
    const whole = await inflateFrame(payload, MAX_HOST_FRAME_BYTES, new AbortController().signal);
    assert.equal(whole.payload.length, utf8(text).length);
  });
});
