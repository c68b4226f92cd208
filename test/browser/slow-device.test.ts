/**
 * A device that cannot draw output as fast as it comes skips drawing the middle of a burst: its terminal
 * shows a dim "… n KB skipped …" line where the gap is, and the last screen is exact. Here the page's
 * main thread is kept busy while a 1.8 MB burst arrives (less than the host's 2 MiB lag threshold, so the
 * host streams every update and never sends a catch-up diff): the whole burst then reaches the page at
 * once, faster than xterm.js parses it. Skipping is for drawing only: the document keeps the output.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { screenLines, typeInTerminal, waitForLine, waitForLive } from '../helpers/terminal-page.js';

const BURST_BYTES = 1_800_000;
/** How long the page is kept busy while the burst arrives. */
const BUSY_MS = 4000;
const LINE = 'x'.repeat(100);

describe('browser: a slow device skips drawing part of a burst', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
    const url = String((await cli.event('ready')).url);
    browser = await launchChromium();
    page = await (await browser.newContext(DESKTOP_CONTEXT)).newPage();
    await page.goto(url);
    await waitForLive(page);
  });

  after(async () => {
    await browser?.close();
    cli?.kill();
  });

  it('shows the gap as a dim line and ends with the exact last screen', async () => {
    // The marker is computed by the shell, so the echoed command line cannot match it.
    await typeInTerminal(page, `head -c ${BURST_BYTES} /dev/zero | tr '\\0' x | fold -w 100; printf '\\nEND-%s\\n' $((6*7))`);
    await page.keyboard.press('Enter');
    await page.evaluate(`(() => { const end = Date.now() + ${BUSY_MS}; while (Date.now() < end); })()`);
    await waitForLine(page, /^END-42$/, 60_000);
    const gap = (await page.evaluate(`(() => {
      const b = window.__tether.term.buffer.active;
      for (let i = 0; i < b.length; i++) {
        const text = b.getLine(i).translateToString(true);
        if (/KB skipped/.test(text)) {
          const cell = b.getLine(i).getCell(2);
          return { text, dim: cell ? cell.isDim() !== 0 : false };
        }
      }
      return null;
    })()`)) as { text: string; dim: boolean } | null;
    assert.ok(gap, 'the terminal shows where output was skipped');
    assert.match(gap.text, /^… [\d,]+ KB skipped …$/);
    assert.ok(gap.dim, 'the gap line is dim');
    // The last screen is exact: full lines of x, the marker, the prompt.
    const screen = await screenLines(page);
    const end = screen.indexOf('END-42');
    assert.ok(end > 3, JSON.stringify(screen));
    for (const row of screen.slice(0, end)) assert.equal(row, LINE);
    assert.match(screen[end + 1] ?? '', /^\$/);
  });
});
