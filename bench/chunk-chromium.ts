/**
 * Agent chunk → connected Chromium page: as chunk-node.ts, with the browser app as the device. Each
 * chunk is stamped in the page when it reached the page's replica and when it was in the rendered
 * message (the DOM); the page's wall clock is matched to Node's with pageClockOffset.
 */
import type { Browser } from 'playwright-core';
import type { BenchResult } from './report.js';
import { ms, summarize } from './stats.js';
import { epochNow, withTimeout } from './wait.js';
import { CHUNK_RECORDER_SCRIPT, pageClockOffset } from './chromium.js';
import { startConversationHost, stampHostChunks } from './conversation-host.js';
import { CHUNK_GAP_MS, CHUNK_TARGET_P50_MS, CHUNK_TARGET_P99_MS, CHUNKS, chunkLatencies } from './chunk-node.js';

const TIMEOUT_MS = 30_000;

interface PageStamps {
  replica: Array<number | null>;
  dom: Array<number | null>;
  frames: number[];
}

/** Runs the benchmark. */
export async function benchChunkChromium(browser: Browser): Promise<BenchResult> {
  const host = await startConversationHost();
  const stamps = stampHostChunks(host.session, epochNow);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  let page: PageStamps;
  let clock: { offset: number; uncertainty: number };
  try {
    const tab = await context.newPage();
    await tab.goto(host.url, { waitUntil: 'load', timeout: TIMEOUT_MS });
    // A function, not a string: the page's CSP forbids eval, which string predicates need.
    await tab.waitForFunction(
      () => {
        const h = (window as unknown as { __tether?: { client: { state: string; conversation: { state: { get(k: string): unknown } } }; conversation?: unknown } }).__tether;
        return h?.conversation !== undefined && h.client.state === 'live' && h.client.conversation.state.get('status') === 'idle';
      },
      undefined,
      { timeout: TIMEOUT_MS, polling: 20 },
    );
    const installed = await tab.evaluate(CHUNK_RECORDER_SCRIPT);
    if (installed !== 'ok') throw new Error(`chunk recorder: ${String(installed)}`);
    clock = await pageClockOffset(tab);
    const ok = await tab.evaluate(`window.__tether.client.sendIntent({ type: 'prompt', text: 'stream ${CHUNKS} ${CHUNK_GAP_MS}' }).then((r) => r.ok ? 'ok' : r.error.code)`);
    if (ok !== 'ok') throw new Error(`prompt refused: ${String(ok)}`);
    await tab.waitForFunction(
      (n) => {
        const rec = (window as unknown as { __chunkBench?: { replica: unknown[]; dom: unknown[] } }).__chunkBench;
        return rec !== undefined && rec.replica.length >= n && rec.dom.length >= n;
      },
      CHUNKS,
      { timeout: TIMEOUT_MS, polling: 100 },
    );
    page = (await withTimeout(tab.evaluate('window.__chunkBench'), 10_000, 'the page stamps')) as PageStamps;
  } finally {
    stamps.detach();
    await context.close();
    await host.close();
  }
  // Page stamps are on the page's clock: bring them onto Node's.
  const toNode = (arr: Array<number | null>): number[] => arr.map((t) => (typeof t === 'number' ? t - clock.offset : NaN));
  const replica = summarize(chunkLatencies(stamps.applied.stamps, toNode(page.replica), 'Chromium replica'));
  const dom = summarize(chunkLatencies(stamps.applied.stamps, toNode(page.dom), 'Chromium DOM'));
  const render = summarize(chunkLatencies(toNode(page.replica), toNode(page.dom), 'Chromium render'));
  const hostSide = summarize(chunkLatencies(stamps.applied.stamps, stamps.sent.stamps, 'host send'));
  const frameGap = summarize(page.frames.slice(1).map((t, i) => t - page.frames[i]!));
  return {
    rows: [
      {
        benchmark: `Chunk → Chromium replica (n=${replica.n})`,
        figure: `p50 ${ms(replica.p50)} · p99 ${ms(replica.p99)}`,
        target: `p50 ≤ ${CHUNK_TARGET_P50_MS} ms · p99 ≤ ${CHUNK_TARGET_P99_MS} ms`,
        met: replica.p50 <= CHUNK_TARGET_P50_MS && replica.p99 <= CHUNK_TARGET_P99_MS,
      },
      {
        benchmark: `Chunk → Chromium rendered (DOM)`,
        figure: `p50 ${ms(dom.p50)} · p99 ${ms(dom.p99)}`,
        target: `p50 ≤ ${CHUNK_TARGET_P50_MS} ms · p99 ≤ ${CHUNK_TARGET_P99_MS} ms`,
        met: dom.p50 <= CHUNK_TARGET_P50_MS && dom.p99 <= CHUNK_TARGET_P99_MS,
      },
    ],
    notes: [
      `chunk → Chromium: replica min ${ms(replica.min)}, max ${ms(replica.max)}; replica → DOM p50 ${ms(render.p50)} · p99 ${ms(render.p99)} ` +
        `(the message view renders in the next animation frame; the page's frames came every ${ms(frameGap.p50)} (p50 of ${frameGap.n}), ` +
        `so a chunk waits half a frame for it on average); host apply → sent p50 ${ms(hostSide.p50)}; ` +
        `page clock ${clock.offset >= 0 ? '+' : ''}${clock.offset.toFixed(2)} ms vs Node's, known to ±${clock.uncertainty.toFixed(2)} ms`,
    ],
  };
}
