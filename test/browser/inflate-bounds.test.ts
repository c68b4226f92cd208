/**
 * Inflating a deflated frame in Chromium, the side that does it: a frame that inflates to far more than
 * it declares (a deflate bomb) is refused after a slice or two of its input, not after Chromium has
 * inflated all of it. Chromium's DecompressionStream inflates a whole write before the first read returns
 * (one write of a 1 MB bomb took 1.2 GB and seconds), so the stream must be fed in slices. The page's
 * DecompressionStream is wrapped to count the bytes fed to it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { deflateFrame, INFLATE_SLICE_BYTES } from '../../protocol/frame-compression.js';
import { encodeFrame, FrameTag } from '../../protocol/frames.js';
import { utf8 } from '../../protocol/encoding.js';

/** Counts what the page feeds its DecompressionStreams (window.__fed), passing it on unchanged. */
const COUNT_FED = `(() => {
  const Native = window.DecompressionStream;
  window.__fed = 0;
  window.DecompressionStream = class {
    constructor(format) {
      const native = new Native(format);
      const writer = native.writable.getWriter();
      this.readable = native.readable;
      this.writable = new WritableStream({
        async write(chunk) { window.__fed += chunk.length; await writer.write(chunk); },
        close: () => writer.close(),
        abort: (reason) => writer.abort(reason),
      });
    }
  };
})()`;

describe('browser: inflating is bounded', () => {
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    // The page's own inflateFrame, bundled as the app bundles it.
    const bundle = await build({
      entryPoints: ['protocol/frame-compression.ts'],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'frameCompression',
      platform: 'browser',
      logLevel: 'silent',
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto('about:blank');
    await page.evaluate(COUNT_FED);
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  });

  after(async () => {
    await browser?.close();
  });

  it('a frame declaring 1,000 bytes that inflates to 256 MiB is refused after a slice or two of its input', async () => {
    const body = deflateRawSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
    // The deflated frame's payload: its declared length (1000, a varuint) and the deflate stream.
    const payload = Buffer.concat([Buffer.from([0xe8, 0x07]), body]);
    const outcome = (await page.evaluate(
      `(async () => {
        const payload = Uint8Array.from(atob(${JSON.stringify(payload.toString('base64'))}), (c) => c.charCodeAt(0));
        window.__fed = 0;
        try {
          await frameCompression.inflateFrame(payload, 64 * 1024 * 1024);
          return { code: 'inflated', fed: window.__fed };
        } catch (err) {
          return { code: err.code ?? String(err), fed: window.__fed };
        }
      })()`,
    )) as { code: string; fed: number };
    assert.equal(outcome.code, 'FRAME_MALFORMED');
    assert.ok(outcome.fed <= 3 * INFLATE_SLICE_BYTES, `fed ${outcome.fed} of the bomb's ${body.length} bytes before refusing it`);
  });

  it('an honest frame is inflated whole, slice after slice', async () => {
    // Program output that deflates about as real output does (threefold), so it takes many slices.
    const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${((i * 2654435761) % 4294967296).toString(16)}\n`).join('');
    const frame = encodeFrame(FrameTag.sync, utf8(lines));
    const deflated = deflateFrame(frame, (bytes) => deflateRawSync(bytes, { level: 1 }))!;
    assert.ok(deflated.length > 4 * INFLATE_SLICE_BYTES, `the frame takes several slices (${deflated.length} bytes)`);
    const payload = Buffer.from(deflated.subarray(1)); // without the deflated frame's own tag
    const inflated = (await page.evaluate(
      `(async () => {
        const payload = Uint8Array.from(atob(${JSON.stringify(payload.toString('base64'))}), (c) => c.charCodeAt(0));
        const frame = await frameCompression.inflateFrame(payload, 64 * 1024 * 1024);
        return { tag: frame.tag, text: new TextDecoder().decode(frame.payload) };
      })()`,
    )) as { tag: number; text: string };
    assert.equal(inflated.tag, FrameTag.sync);
    assert.ok(inflated.text === lines, `the output comes back whole (${inflated.text.length} of ${lines.length} characters)`);
  });
});
