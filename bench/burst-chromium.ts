/**
 * A 30 MB burst into a Chromium page, the way the shared harness (../shared/bench/bulk-output.mjs)
 * measures it, plus the host's memory around it: host RSS with one device at rest, the time from Enter to
 * the marker line in xterm's buffer, whether the last screen is exact, what the page skipped drawing
 * (its dim "… n KB skipped …" line), and the host's RSS 10 s after the burst. For reference, the same
 * number of bytes over a bare data channel from a Node process into a Chromium page (bare-channel.ts):
 * every byte of output crosses the page's data channel, so that is the ceiling of any burst into the page.
 */
import type { Browser } from 'playwright-core';
import { HostProcess } from './host-process.js';
import type { BenchResult } from './report.js';
import { mib } from './stats.js';
import { sleep } from './wait.js';
import { bareChannelIntoChromium } from './bare-channel.js';

const BURST_BYTES = 30_000_000;
const LINE_CHARS = 100;
const TARGET_MB_S = 18;
const TARGET_RSS_ONE_DEVICE = 75 * 1024 * 1024;
const TARGET_RSS_AFTER = 85 * 1024 * 1024;
const SETTLE_MS = 2000;
const AFTER_BURST_MS = 10_000;
const BURST_TIMEOUT_MS = 300_000;

/** The end of xterm's buffer: the gap line (if any) and the rows before and at the marker. */
const READ_END = `(() => {
  const b = window.__tether.term.buffer.active;
  const rows = [];
  let gap = null;
  for (let i = 0; i < b.length; i++) {
    const text = b.getLine(i).translateToString(true);
    if (/KB skipped/.test(text)) gap = text;
    if (i >= b.length - 60) rows.push(text);
  }
  return { gap, rows };
})()`;

/** Runs the benchmark against one `bash --norc` host. */
export async function benchBurstChromium(browser: Browser): Promise<BenchResult> {
  const host = await HostProcess.start(['bash', '--norc'], { env: { PS1: '$ ' }, label: 'bash --norc (burst)' });
  // bypassCSP as in the shared harness: the page's CSP forbids the string probes below.
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(host.url, { waitUntil: 'load', timeout: 10_000 });
    await page.waitForFunction('window.__tether && window.__tether.client.state === "live" && window.__tether.term', undefined, { timeout: 20_000, polling: 20 });
    await page.evaluate('window.__tether.term.focus()');
    await sleep(SETTLE_MS);
    const rest = host.rss() ?? Number.NaN;
    // The marker is built by the shell, so the echoed command line cannot match it.
    await page.keyboard.type(`head -c ${BURST_BYTES} /dev/zero | tr '\\0' x | fold -w ${LINE_CHARS}; printf '\\n__BURST_%s__\\n' $((40+2))`);
    await sleep(500);
    let peak = host.rss() ?? 0;
    const sampler = setInterval(() => (peak = Math.max(peak, host.rss() ?? 0)), 100);
    const t0 = performance.now();
    await page.keyboard.press('Enter');
    try {
      await page.waitForFunction(
        `(() => { const b = window.__tether.term.buffer.active; for (let i = Math.max(0, b.length - 60); i < b.length; i++) if (b.getLine(i).translateToString(true) === '__BURST_42__') return true; return false; })()`,
        undefined,
        { timeout: BURST_TIMEOUT_MS, polling: 20 },
      );
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - t0) / 1000;
    const end = (await page.evaluate(READ_END)) as { gap: string | null; rows: string[] };
    const marker = end.rows.lastIndexOf('__BURST_42__');
    const before = end.rows.slice(Math.max(0, marker - 20), marker);
    const exact = marker >= 20 && before.every((r) => r === 'x'.repeat(LINE_CHARS));
    await sleep(AFTER_BURST_MS);
    const after = host.rss() ?? Number.NaN;
    const shown = BURST_BYTES + BURST_BYTES / LINE_CHARS;
    const mbps = shown / seconds / 1e6;
    const blank = await context.newPage();
    const bare = await bareChannelIntoChromium(blank, shown);
    const bareMbps = bare.bytes / bare.seconds / 1e6;
    return {
      rows: [
        { benchmark: 'Host RSS, one Chromium device at rest (bash)', figure: mib(rest), target: '≤ 75 MB', met: rest <= TARGET_RSS_ONE_DEVICE },
        {
          benchmark: '30 MB burst → Chromium xterm buffer (harness method)',
          figure: `${mbps.toFixed(1)} MB/s · last screen ${exact ? 'exact' : 'WRONG'}${end.gap ? ` · ${end.gap.replace(/^… | …$/g, '')}` : ' · nothing skipped'}`,
          target: `≥ ${TARGET_MB_S} MB/s, last screen exact`,
          met: mbps >= TARGET_MB_S && exact,
        },
        {
          benchmark: '  reference: the same bytes over a bare data channel, Node → Chromium',
          figure: `${bareMbps.toFixed(1)} MB/s · tether's burst ${((mbps / bareMbps) * 100).toFixed(0)} % of it`,
          target: '',
          met: null,
        },
        { benchmark: '  host RSS during / 10 s after the burst', figure: `peak ${mib(peak)} · after ${mib(after)}`, target: '< 85 MB after 10 s', met: after < TARGET_RSS_AFTER },
      ],
      notes: [
        `burst: ${(shown / 1e6).toFixed(1)} MB shown in ${seconds.toFixed(2)} s; gap line: ${end.gap ?? 'none'}`,
        `bare channel into Chromium: ${(bare.bytes / 1e6).toFixed(1)} MB in ${bare.seconds.toFixed(2)} s from a child process in 60 KiB messages, ` +
          'at most 1 MiB buffered, into about:blank (nothing else in the page): the page\'s data channel alone, the ceiling of any output into it',
      ],
    };
  } finally {
    await context.close();
    await host.stop();
  }
}
