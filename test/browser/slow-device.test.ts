/**
 * A device that cannot draw output as fast as it comes skips drawing the middle of a burst: its terminal
 * shows a dim "… n KB skipped …" line where the gap is, and the last screen is exact. Skipping is for
 * drawing only: the document keeps the output.
 *
 * The page is held in the debugger (nothing on its main thread runs; arriving messages queue), the shell
 * then writes a 3 MB burst, and the page is released once it is written, however long a loaded machine
 * takes: three times the output it can have queued for xterm before it skips arrives at once. (A fixed busy spell let a loaded
 * machine stream part of the burst after the page woke up, at a pace the page could draw: no skip.) The
 * host keeps streaming every update meanwhile: Chromium's network side keeps receiving, so the host's
 * send buffer stays under its 2 MiB lag threshold and it never sends one catch-up diff instead.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { screenLines, typeInTerminal, waitForLine, waitForLive } from '../helpers/terminal-page.js';
import { waitFor } from '../helpers/wait-for.js';

const BURST_BYTES = 3_000_000;
/** How long the page stays held after the shell wrote the burst: the host's last updates are in flight. */
const SETTLE_MS = 1500;
const LINE = 'x'.repeat(100);

describe('browser: a slow device skips drawing part of a burst', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const dir = mkdtempSync(join(tmpdir(), 'tether-slow-device-'));

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
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the gap as a dim line and ends with the exact last screen', async () => {
    // The marker is computed by the shell, so the echoed command line cannot match it.
    // The shell starts the burst only once the page is held: pressed Enter to paused takes a CDP round trip,
    // and on a loaded machine the page drew a third of the burst in it once (too little left to skip).
    const started = join(dir, 'started');
    const go = join(dir, 'go');
    const written = join(dir, 'written');
    await typeInTerminal(page, `: > ${started}; while [ ! -e ${go} ]; do sleep 0.02; done; head -c ${BURST_BYTES} /dev/zero | tr '\\0' x | fold -w 100; printf '\\nEND-%s\\n' $((6*7)); : > ${written}`);
    // The gap line is looked for as each line is parsed: a batch of writes parsed at once (a catch-up diff,
    // then the rest of the burst) can scroll it out of xterm's scrollback before the batch's onWriteParsed.
    await page.evaluate(`(() => {
      const term = window.__tether.term;
      window.__gap = null;
      const seen = term.onLineFeed(() => {
        const b = term.buffer.active;
        const line = b.getLine(b.baseY + b.cursorY - 1);
        const text = line ? line.translateToString(true) : '';
        if (!/KB skipped/.test(text)) return;
        const cell = line.getCell(2);
        window.__gap = { text, dim: cell ? cell.isDim() !== 0 : false };
        seen.dispose();
      });
    })()`);
    await page.keyboard.press('Enter');
    await waitFor(() => existsSync(started), 15_000, 'the shell to run the command');
    await holdPageUntil(page, () => writeFileSync(go, ''), () => existsSync(written), SETTLE_MS);
    await waitForLine(page, /^END-42$/, 60_000);
    const gap = (await page.evaluate('window.__gap')) as { text: string; dim: boolean } | null;
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

/**
 * Pauses `page` in the debugger, runs `paused()`, waits until `done()` holds (checked every 50 ms, for at
 * most 60 s), then `settleMs` more, and resumes it.
 */
async function holdPageUntil(page: Page, paused: () => void, done: () => boolean, settleMs: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Debugger.enable');
  const pausedNow = new Promise<void>((resolve) => cdp.once('Debugger.paused', () => resolve()));
  void cdp.send('Runtime.evaluate', { expression: 'debugger' }).catch(() => undefined);
  await pausedNow;
  paused();
  const deadline = Date.now() + 60_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, settleMs));
  await cdp.send('Debugger.resume');
  await cdp.detach();
}
