/**
 * A new browser opening a session of 10,000 messages: time from page.goto(link) to the first paint of
 * the conversation (the view built and a frame painted after it) and to the full history in the
 * replica, each load in a fresh browser context (a new device). The page's milestones show where the
 * time goes.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Browser } from 'playwright-core';
import type { BenchResult } from './report.js';
import { ms, percentile, summarize } from './stats.js';
import { epochNow } from './wait.js';
import { historyScript, type PageHistoryTimeline } from './chromium.js';
import { startConversationHost } from './conversation-host.js';
import { HISTORY_MESSAGES, writeHistory } from './history-doc.js';

const LOADS = 3;
const TARGET_FIRST_PAINT_MS = 1000;
const LOAD_TIMEOUT_MS = 30_000;

/** Milestones of one load, in ms after page.goto. */
interface LoadTimes {
  appStarted: number;
  channelOpen: number;
  firstFragment: number;
  lastFragment: number;
  syncArrived: number;
  /** MB/s of the first sync between its first and last fragment. */
  rate: number;
  full: number;
  mountStart: number;
  viewBuilt: number;
  firstPaint: number;
  renderedEntries: number;
}

/** The conversation page's own performance marks, as wall-clock ms. */
const MARKS_SCRIPT = `(() => {
  const at = (name) => { const e = performance.getEntriesByName(name)[0]; return e ? performance.timeOrigin + e.startTime : null; };
  return {
    sessionStart: at('tether:session-start'),
    mount: at('tether:conversation-mount'),
    painted: at('tether:conversation-painted'),
  };
})()`;

interface Marks {
  sessionStart: number | null;
  mount: number | null;
  painted: number | null;
}

/** Runs the benchmark. */
export async function benchHistoryChromium(browser: Browser): Promise<BenchResult> {
  const host = await startConversationHost();
  const loads: LoadTimes[] = [];
  const notes: string[] = [];
  // The host runs in this process: its longest event-loop stall while the pages open shows what a join
  // of a long session costs every other device (encoding and deflating the first sync).
  const loop = monitorEventLoopDelay({ resolution: 5 });
  try {
    writeHistory(host.session);
    loop.enable();
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        await context.addInitScript({ content: historyScript(HISTORY_MESSAGES) });
        const page = await context.newPage();
        const t0 = epochNow();
        await page.goto(host.url, { waitUntil: 'commit', timeout: LOAD_TIMEOUT_MS });
        // A function, not a string: the page's CSP forbids eval, which string predicates need.
        await page
          .waitForFunction(
            () => {
              const b = (window as unknown as { __historyBench?: PageHistoryTimeline }).__historyBench;
              return b?.paintedAt !== undefined && b.fullAt !== undefined;
            },
            undefined,
            { timeout: LOAD_TIMEOUT_MS, polling: 20 },
          )
          .catch(async (err: unknown) => {
            const seen = await page.evaluate('JSON.stringify(window.__historyBench)').catch((e: unknown) => `(unreadable: ${(e as Error).message.split('\n')[0]})`);
            throw new Error(`load ${i + 1}: ${(err as Error).message.split('\n')[0]}; page milestones: ${String(seen)}`);
          });
        const b = (await page.evaluate('window.__historyBench')) as PageHistoryTimeline;
        const marks = (await page.evaluate(MARKS_SCRIPT)) as Marks;
        if (b.pcs.length !== 1) notes.push(`history (Chromium) load ${i + 1} needed ${b.pcs.length} connection attempts`);
        const rel = (t: number | null | undefined): number => (typeof t === 'number' ? t - t0 : NaN);
        loads.push({
          appStarted: rel(marks.sessionStart),
          channelOpen: rel(b.channelOpenAt),
          firstFragment: rel(b.firstBigAt),
          lastFragment: rel(b.lastMessageAt),
          syncArrived: rel(b.applyAt),
          rate: b.bytesBeforeApply / 1e6 / (((b.lastMessageAt ?? NaN) - (b.firstBigAt ?? NaN)) / 1000),
          full: rel(b.fullAt),
          mountStart: rel(marks.mount),
          viewBuilt: rel(marks.painted),
          firstPaint: rel(b.paintedAt),
          renderedEntries: b.renderedAtMount ?? NaN,
        });
      } finally {
        await context.close();
      }
    }
  } finally {
    loop.disable();
    await host.close();
  }
  notes.push(
    `history (Chromium): this process's longest event-loop stall while the pages opened ${ms(loop.max / 1e6)} (p99 ${ms(loop.percentile(99) / 1e6)}); ` +
      'the host runs in it, beside Playwright\'s client: every other device of the host waited that long',
  );
  const paint = summarize(loads.map((l) => l.firstPaint));
  const full = summarize(loads.map((l) => l.full));
  const med = (k: keyof LoadTimes): number => percentile(loads.map((l) => l[k]), 50);
  const step = (from: keyof LoadTimes, to: keyof LoadTimes): string => ms(percentile(loads.map((l) => l[to] - l[from]), 50));
  return {
    rows: [
      {
        benchmark: `Open ${HISTORY_MESSAGES.toLocaleString('en-US')} messages, Chromium (n=${paint.n})`,
        figure: `first paint p50 ${ms(paint.p50)} · max ${ms(paint.max)}`,
        target: `first paint ≤ ${TARGET_FIRST_PAINT_MS} ms`,
        met: paint.max <= TARGET_FIRST_PAINT_MS,
      },
      {
        benchmark: '  full history in the replica',
        figure: `p50 ${ms(full.p50)} · max ${ms(full.max)}`,
        target: '(reported)',
        met: null,
      },
    ],
    notes: [
      `history (Chromium), medians after page.goto of ${loads.length} fresh contexts: app started ${ms(med('appStarted'))} → ` +
        `data channel open (signaling, ICE, DTLS, SCTP) +${step('appStarted', 'channelOpen')} → first fragment of the first sync (hello, state vector, the host encodes the whole history) +${step('channelOpen', 'firstFragment')} → ` +
        `its last fragment +${step('firstFragment', 'lastFragment')} (${percentile(loads.map((l) => l.rate), 50).toFixed(1)} MB/s) → apply begins +${step('lastFragment', 'syncArrived')} → ` +
        `applied: all entries in the replica +${step('syncArrived', 'full')} → ` +
        `view build starts +${step('full', 'mountStart')} → view built (the newest ${loads[0]?.renderedEntries ?? '?'} entries; the rest of the first window fills in after the paint) +${step('mountStart', 'viewBuilt')} → ` +
        `next frame painted +${step('viewBuilt', 'firstPaint')}`,
      ...notes,
    ],
  };
}
