/**
 * The page asks the host for deflated frames (protocol/frame-compression.ts), so a burst of output
 * crosses its data channel in a fraction of its size, and arrives exact. What the page's data channel
 * delivers is counted by wrapping the page's RTCPeerConnection before the app runs. A browser that
 * cannot inflate (no DecompressionStream with 'deflate-raw': iOS Safari before 16.4, Firefox before 113)
 * does not ask, and gets the same output as it is.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { screenLines, typeInTerminal, waitForLine, waitForLive } from '../helpers/terminal-page.js';
import { FrameTag } from '../../protocol/frames.js';

/** `seq 1 LAST` writes about 2 MB. */
const LAST = 300_000;

/** Counts the bytes and the deflated frames (whole, or the first fragment of one) the page's data channels deliver. */
const COUNT_WIRE = `(() => {
  const wire = { bytes: 0, deflated: 0 };
  window.__wire = wire;
  const Base = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Base {
    constructor(...args) {
      super(...args);
      const count = (channel) => channel.addEventListener('message', (event) => {
        const bytes = new Uint8Array(event.data);
        wire.bytes += bytes.length;
        if (bytes[0] === ${FrameTag.deflated} || (bytes[0] === ${FrameTag.fragment} && bytes[1] === ${FrameTag.deflated})) wire.deflated++;
      });
      this.addEventListener('datachannel', (event) => count(event.channel));
      const create = this.createDataChannel.bind(this);
      this.createDataChannel = (...a) => { const channel = create(...a); count(channel); return channel; };
    }
  };
})()`;

/** A browser without DecompressionStream. */
const NO_DECOMPRESSION = `delete window.DecompressionStream;`;

/**
 * Runs `seq 1 LAST` in the page's terminal, ended by the line END-`mark` (each burst its own: the pages
 * share one terminal); returns the bytes and deflated frames the page's data channels received meanwhile.
 */
async function burst(page: Page, mark: number): Promise<{ received: number; deflated: number; output: number }> {
  const before = (await page.evaluate('({ ...window.__wire })')) as { bytes: number; deflated: number };
  // The marker is computed by the shell, so the echoed command line cannot match it.
  await typeInTerminal(page, `seq 1 ${LAST}; printf 'END-%s\\n' $((${mark}+0))\n`);
  await waitForLine(page, new RegExp(`^END-${mark}$`), 60_000);
  const lines = await screenLines(page);
  const end = lines.indexOf(`END-${mark}`);
  assert.deepEqual(lines.slice(end - 3, end), [String(LAST - 2), String(LAST - 1), String(LAST)]);
  const wire = (await page.evaluate('({ ...window.__wire })')) as { bytes: number; deflated: number };
  // seq's output, with the terminal's "\r\n": what the page would receive at the very least undeflated.
  let output = 0;
  for (let n = 1; n <= LAST; n++) output += String(n).length + 2;
  return { received: wire.bytes - before.bytes, deflated: wire.deflated - before.deflated, output };
}

describe('browser: output comes deflated', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let oldBrowserPage: Page;

  before(async () => {
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
    const url = String((await cli.event('ready')).url);
    browser = await launchChromium();
    const context = await browser.newContext(DESKTOP_CONTEXT);
    await context.addInitScript({ content: COUNT_WIRE });
    page = await context.newPage();
    await page.goto(url);
    await waitForLive(page);
    const oldBrowser = await browser.newContext(DESKTOP_CONTEXT);
    await oldBrowser.addInitScript({ content: COUNT_WIRE });
    await oldBrowser.addInitScript({ content: NO_DECOMPRESSION });
    oldBrowserPage = await oldBrowser.newPage();
    await oldBrowserPage.goto(url);
    await waitForLive(oldBrowserPage);
  });

  after(async () => {
    await browser?.close();
    cli?.kill();
  });

  it('a 2 MB burst crosses the data channel in under half its size and ends with the exact screen', async () => {
    const { received, deflated, output } = await burst(page, 42);
    assert.ok(deflated > 0, 'deflated frames arrived');
    assert.ok(received < output / 2, `the page received ${received} bytes for ${output} bytes of output`);
  });

  it('a browser that cannot inflate gets the same output undeflated', async () => {
    const { received, deflated, output } = await burst(oldBrowserPage, 43);
    assert.equal(deflated, 0, 'no deflated frame reached a browser without DecompressionStream');
    assert.ok(received >= output, `the page received ${received} bytes for ${output} bytes of output`);
  });
});
