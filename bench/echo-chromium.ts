/**
 * Keystroke→echo round trip from Chromium: the page's own SessionClient (through the __tether hook)
 * sends single characters to a host running `cat`; sending and timing both happen inside the page.
 */
import type { Browser } from 'playwright-core';
import { HostProcess } from './host-process.js';
import type { BenchResult } from './report.js';
import { ms, summarize } from './stats.js';
import { echoScript } from './chromium.js';
import { withTimeout } from './wait.js';

const WARMUP = 10;
const KEYSTROKES = 100;
const TARGET_P50_MS = 3;
const TARGET_P99_MS = 10;

/** Runs the benchmark. */
export async function benchEchoChromium(browser: Browser): Promise<BenchResult> {
  const host = await HostProcess.start(['cat']);
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  let result: { echo?: number[]; ack?: number[]; disrupted?: number[]; error?: string };
  try {
    const page = await context.newPage();
    await page.goto(host.url, { waitUntil: 'load', timeout: 10_000 });
    // A function, not a string: the page's CSP forbids eval, which string predicates need.
    await page.waitForFunction(() => (window as unknown as { __tether?: { client: { state: string } } }).__tether?.client.state === 'live', undefined, {
      timeout: 20_000,
      polling: 20,
    });
    result = (await withTimeout(page.evaluate(echoScript(KEYSTROKES, WARMUP)), 120_000, 'the in-page echo loop')) as typeof result;
  } finally {
    await context.close();
    await host.stop();
  }
  if (result.error || !result.echo || !result.ack) throw new Error(`echo (Chromium): ${result.error ?? 'no samples'}`);
  const e = summarize(result.echo);
  const a = summarize(result.ack);
  return {
    rows: [
      {
        benchmark: `Echo, Chromium (n=${e.n})`,
        figure: `p50 ${ms(e.p50)} · p99 ${ms(e.p99)}`,
        target: `p50 ≤ ${TARGET_P50_MS} ms · p99 ≤ ${TARGET_P99_MS} ms`,
        met: e.p50 <= TARGET_P50_MS && e.p99 <= TARGET_P99_MS,
      },
      {
        benchmark: '  intent→reply RTT, Chromium (diagnostic)',
        figure: `p50 ${ms(a.p50)} · p99 ${ms(a.p99)}`,
        target: '',
        met: null,
      },
    ],
    notes: [
      `echo (Chromium): min ${ms(e.min)}, mean ${ms(e.mean)}, max ${ms(e.max)}; reply RTT min ${ms(a.min)}, max ${ms(a.max)}`,
      ...(result.disrupted && result.disrupted.length > 0
        ? [`echo (Chromium): the connection dropped during ${result.disrupted.length} keystroke(s); their echo took ${result.disrupted.map(ms).join(', ')} and is left out of the percentiles`]
        : []),
    ],
  };
}
