/**
 * Open, Chromium: time from page.goto(link) to the first full screen painted — a terminal (the shell's
 * prompt in xterm) and a conversation (the view built with its messages) — each load in a fresh browser
 * context (empty cache, new device), against a real host process. The page's own milestones
 * (client/core/milestone.ts marks, resource timing, WebRTC states) show where the time goes.
 */
import type { Browser, Page } from 'playwright-core';
import { HostProcess } from './host-process.js';
import type { BenchResult, BenchRow } from './report.js';
import { ms, percentile, summarize } from './stats.js';
import { FIRST_SCREEN_SCRIPT, type PageJoinTimeline } from './chromium.js';
import { epochNow } from './wait.js';
import { ConversationDevice } from './conversation-device.js';
import { SCRIPTED_AGENT } from '../test/helpers/scripted-agent-command.js';

const LOADS = 10;
const TARGET_P50_MS = 400;
const LOAD_TIMEOUT_MS = 25_000;

/** What the page says about one load, read once its first screen is painted (wall-clock ms). */
interface PageTimes {
  timeline: PageJoinTimeline;
  /** The navigation's start (performance.timeOrigin). */
  navStart: number;
  /** performance.mark('tether:<name>') of the app, by name. */
  marks: Record<string, number>;
  /** The app's entry script and every other script fetched, with when each response ended. */
  appJs: number | null;
  scripts: Array<{ name: string; end: number }>;
}

/** Reads the page's milestones (a string: page code must not carry tsx's helpers). */
const PAGE_TIMES_SCRIPT = `(() => {
  const abs = (t) => performance.timeOrigin + t;
  const marks = {};
  for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('tether:') && !(m.name.slice(7) in marks)) marks[m.name.slice(7)] = abs(m.startTime);
  const scripts = performance.getEntriesByType('resource').filter((r) => /\\/assets\\/[^/]+\\.js$/.test(r.name)).map((r) => ({ name: r.name.split('/').pop(), end: abs(r.responseEnd) }));
  const app = scripts.find((s) => /^app-[A-Z0-9]+\\.js$/.test(s.name));
  return { timeline: window.__bench, navStart: performance.timeOrigin, marks, appJs: app ? app.end : null, scripts };
})()`;

/** The breakdown's steps, in the order a load passes them: label and how to read its time. */
const STEPS: Array<[string, (p: PageTimes) => number | undefined]> = [
  ['HTML', (p) => p.timeline.htmlAt],
  ['app.js', (p) => p.appJs ?? undefined],
  ['app runs', (p) => p.marks['app-start']],
  ['view code requested', (p) => p.marks['view-requested']],
  ['signal socket opening', (p) => p.marks['signal-connecting']],
  ['signal socket open', (p) => p.marks['signal-open']],
  ['joined', (p) => p.marks['signal-joined']],
  ['host challenge', (p) => p.marks['challenge']],
  ['ICE gathered (offer)', (p) => p.marks['offer-gathered']],
  ['offer sent', (p) => p.marks['offer-sent']],
  ['answer', (p) => p.marks['answer']],
  ['ICE connected', (p) => p.timeline.pcs[p.timeline.pcs.length - 1]?.iceConnected],
  ['DTLS connected', (p) => p.timeline.pcs[p.timeline.pcs.length - 1]?.connected],
  ['data channel open', (p) => p.marks['channel-open']],
  ['hello', (p) => p.marks['hello']],
  ['session opened', (p) => p.marks['channel-opened']],
  ['first sync', (p) => p.marks['first-sync']],
  ['view code loaded', (p) => p.marks['view-code']],
  ['view built', (p) => p.marks['view-mounted']],
  ['first screen', (p) => p.timeline.firstScreen?.at],
  ['painted', (p) => p.timeline.painted],
];

/** One line: each step's median time since the navigation started. */
function formatBreakdown(loads: PageTimes[]): string {
  const parts: string[] = [];
  for (const [label, read] of STEPS) {
    const values = loads.flatMap((p) => {
      const at = read(p);
      return at === undefined ? [] : [at - p.navStart];
    });
    if (values.length === 0) continue;
    parts.push(`${label} ${ms(percentile(values, 50))}${values.length < loads.length ? ` (${values.length} loads)` : ''}`);
  }
  return parts.join(' → ');
}

/** Waits for the first painted screen of the load started at `t0` (Node's clock); returns the page's milestones and the time. */
async function untilPainted(page: Page, t0: number, what: string, host: HostProcess, pageErrors: string[]): Promise<{ times: PageTimes; elapsed: number; clockOk: boolean }> {
  // A function, not a string: the page's CSP forbids eval, which string predicates need.
  await page
    .waitForFunction(() => (window as unknown as { __bench?: PageJoinTimeline }).__bench?.painted, undefined, { timeout: LOAD_TIMEOUT_MS, polling: 20 })
    .catch(async (err: unknown) => {
      const state = await page
        .evaluate(
          "JSON.stringify({ state: window.__tether && window.__tether.client.state, error: window.__tether && window.__tether.client.error && window.__tether.client.error.code, attempts: window.__bench && window.__bench.pcs.length })",
        )
        .catch((e: unknown) => `(page not readable: ${(e as Error).message.split('\n')[0]})`);
      throw new Error(
        `${what}: no first screen: ${(err as Error).message.split('\n')[0]}; page: ${String(state)}; ` +
          `page errors: ${pageErrors.join(' | ') || 'none'}; host warnings: ${host.stderr().trim().split('\n').slice(-3).join(' | ') || 'none'}`,
      );
    });
  const tNode = epochNow();
  const times = (await page.evaluate(PAGE_TIMES_SCRIPT)) as PageTimes;
  const elapsed = times.timeline.painted! - t0;
  return { times, elapsed, clockOk: elapsed > 0 && times.timeline.painted! <= tNode + 1 };
}

/**
 * Loads `url` LOADS times, each in a new context, then once more in the same page (the app and its
 * service worker cached, the replica stored, the device paired); returns the times to the first painted
 * screen and the page's milestones.
 */
async function openLoads(
  browser: Browser,
  url: string,
  kind: 'terminal' | 'conversation',
  host: HostProcess,
  devicesAfter: number,
): Promise<{ samples: number[]; pages: PageTimes[]; again: number[]; againPages: PageTimes[]; notes: string[] }> {
  const samples: number[] = [];
  const again: number[] = [];
  const pages: PageTimes[] = [];
  const againPages: PageTimes[] = [];
  const notes: string[] = [];
  const fetched: string[] = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    try {
      await context.addInitScript({ content: FIRST_SCREEN_SCRIPT });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      const t0 = epochNow();
      await page.goto(url, { waitUntil: 'commit', timeout: LOAD_TIMEOUT_MS });
      const first = await untilPainted(page, t0, `${kind} load ${i + 1}`, host, pageErrors);
      if (!first.clockOk) notes.push(`open ${kind} load ${i + 1}: the page's clock disagrees with Node's (${first.elapsed.toFixed(1)} ms)`);
      samples.push(first.elapsed);
      pages.push(first.times);
      if (first.times.timeline.pcs.length > 1) notes.push(`open ${kind} load ${i + 1} took ${ms(first.elapsed)} and ${first.times.timeline.pcs.length} connection attempts`);
      fetched.push(...first.times.scripts.map((s) => s.name));
      // Again, as an installed app opens: once its service worker is active (it installs after the first sync).
      const sw = await page.evaluate(
        "navigator.serviceWorker ? Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise((r) => setTimeout(() => r(false), 10000))]) : false",
      );
      if (sw !== true) notes.push(`open ${kind} load ${i + 1}: no active service worker before opening again`);
      const t1 = epochNow();
      await page.reload({ waitUntil: 'commit', timeout: LOAD_TIMEOUT_MS });
      const second = await untilPainted(page, t1, `${kind} load ${i + 1} again`, host, pageErrors);
      again.push(second.elapsed);
      againPages.push(second.times);
    } finally {
      await context.close();
    }
    await host.waitForDevices(devicesAfter, 5000);
  }
  return { samples, pages, again, againPages, notes: [...notes, `open ${kind}: scripts fetched per load: ${(fetched.length / LOADS).toFixed(1)}`] };
}

function row(kind: string, samples: number[], again = false): BenchRow {
  const s = summarize(samples);
  return {
    benchmark: again ? `  again in that browser: cached app, stored replica, paired (n=${s.n})` : `Open a ${kind}, Chromium, to first full screen (n=${s.n})`,
    figure: `p50 ${ms(s.p50)} · p95 ${ms(s.p95)} · p99 ${ms(s.p99)}`,
    target: `p50 ≤ ${TARGET_P50_MS} ms`,
    met: s.p50 <= TARGET_P50_MS,
  };
}

function notesFor(kind: string, samples: number[], pages: PageTimes[], againPages: PageTimes[]): string[] {
  const s = summarize(samples);
  return [
    `open ${kind} (Chromium): first ${ms(samples[0] ?? NaN)}, min ${ms(s.min)}, max ${ms(s.max)}; navigation started ${ms(percentile(pages.map((p, i) => p.navStart - (p.timeline.painted! - samples[i]!)), 50))} after page.goto (p50)`,
    `open ${kind} (Chromium) milestones, p50 ms since the navigation started: ${formatBreakdown(pages)}`,
    `open ${kind} again (installed app) milestones, p50 ms since the navigation started: ${formatBreakdown(againPages)}`,
  ];
}

/** Runs the benchmark: a terminal running /bin/sh, then a conversation with a scripted agent. */
export async function benchOpenChromium(browser: Browser): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const terminal = await HostProcess.start(['/bin/sh']);
  try {
    const t = await openLoads(browser, terminal.url, 'terminal', terminal, 0);
    rows.push(row('terminal', t.samples), row('terminal', t.again, true));
    notes.push(...notesFor('terminal', t.samples, t.pages, t.againPages), ...t.notes);
  } finally {
    await terminal.stop();
  }
  const conversation = await HostProcess.start([], { flags: ['--agent', SCRIPTED_AGENT], env: { SHELL: '/bin/sh' }, label: 'scripted ACP agent' });
  // A conversation with something in it: a prompt and a streamed answer, written by a Node device that stays.
  const writer = new ConversationDevice(conversation.url, 'bench-open-writer').start();
  try {
    await writer.until(() => writer.live && writer.status === 'idle', LOAD_TIMEOUT_MS, 'the writer live and the agent idle');
    const reply = await writer.prompt('stream 120 0');
    if (!reply.ok) throw new Error(`the prompt was refused: ${reply.error.code}`);
    await writer.until(() => writer.chunks.count >= 120 && writer.status === 'idle', LOAD_TIMEOUT_MS, 'the streamed answer');
    const c = await openLoads(browser, conversation.url, 'conversation', conversation, 1);
    rows.push(row('conversation', c.samples), row('conversation', c.again, true));
    notes.push(...notesFor('conversation', c.samples, c.pages, c.againPages), ...c.notes);
  } finally {
    writer.close();
    await conversation.stop();
  }
  return { rows, notes };
}
