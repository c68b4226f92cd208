/**
 * Where a keystroke's echo spends its time, hop by hop, in Chromium with the real keyboard (as the shared
 * harness types): keydown → intent sent → host received → PTY write → PTY data → update encoded → frame
 * sent → frame received → applied → written to xterm → xterm parsed it (onWriteParsed, the harness's end).
 * The page's hops are recorded by a script injected before the app (data channel sends and messages,
 * replica transactions, xterm writes); the host's by its echo trace (host/echo-trace.ts) through a preload
 * (echo-trace-preload.mjs). The two clocks are aligned per keystroke as NTP does: the two network legs of
 * one keystroke are taken as equal, so each leg is half of what the round trip spent outside the host.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { HostProcess } from './host-process.js';
import type { BenchResult } from './report.js';
import { ms, percentile, summarize } from './stats.js';
import { sleep, withTimeout } from './wait.js';
import { pageClockOffset, type ClockOffset } from './chromium.js';
import { bareChannelRoundTrips } from './bare-channel.js';
import type { EchoHop, EchoHopEvent } from '../host/echo-trace.js';

const WARMUP = 20;
const KEYSTROKES = 200;
/** A newline after this many characters keeps the echo on one line (like the harness). */
const NEWLINE_EVERY = 30;
const SETTLE_AFTER_NEWLINE_MS = 150;
/** Random pause between keystrokes (like the harness): the host and page go idle between keys. */
const GAP_MS: [number, number] = [5, 25];
const KEY_TIMEOUT_MS = 5000;
const TARGET_P50_MS = 1.8;
const TARGET_P99_MS = 5;
const FLOOR_P50_MS = 2.5;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The page's hops for one keystroke (wall-clock ms in the page's clock). */
interface PageHops {
  keydown: number;
  intentSent: number;
  frameReceived: number;
  applied: number;
  written: number;
  parsed: number;
}

/**
 * Injected before the app: records data-channel sends of intent frames and receipts of sync frames,
 * the replica's transactions and xterm writes, all with timestamps, and per keystroke (window.__hops.arm)
 * the moment the typed character appears on the cursor line of xterm's buffer (onWriteParsed).
 */
const PAGE_SCRIPT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const rec = { sends: [], frames: [], applies: [], writes: [], keydowns: [], cur: null };
  window.__hops = rec;
  window.addEventListener('keydown', () => rec.keydowns.push(now()), true);
  const Base = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Base {
    createDataChannel(...args) {
      const channel = super.createDataChannel(...args);
      const send = channel.send.bind(channel);
      channel.send = (data) => {
        const first = data && data.byteLength ? new Uint8Array(data.buffer || data, data.byteOffset || 0, 1)[0] : -1;
        send(data);
        if (first === 3) rec.sends.push(now());
      };
      channel.addEventListener('message', (event) => {
        const at = now();
        const d = event.data;
        if (d && d.byteLength && new Uint8Array(d, 0, 1)[0] === 2) rec.frames.push(at);
      });
      return channel;
    }
  };
  let hook;
  const countOnCursorLine = (term, ch) => {
    const b = term.buffer.active;
    const line = b.getLine(b.baseY + b.cursorY);
    const text = line ? line.translateToString(true) : '';
    let n = 0;
    for (const c of text) if (c === ch) n++;
    return n;
  };
  rec.arm = (ch) => {
    const term = hook.term;
    rec.cur = { ch, before: countOnCursorLine(term, ch), parsed: 0, done: null };
    rec.cur.done = new Promise((resolve) => { rec.cur.resolve = resolve; });
    return true;
  };
  Object.defineProperty(window, '__tether', {
    configurable: true,
    get: () => hook,
    set: (value) => {
      const first = !hook || hook.client !== (value && value.client);
      const termNew = value && value.term && (!hook || hook.term !== value.term);
      hook = value;
      if (first && value && value.client) value.client.doc.on('beforeTransaction', () => rec.applies.push(now()));
      if (termNew) {
        const term = value.term;
        const write = term.write.bind(term);
        term.write = (data, cb) => { rec.writes.push(now()); return write(data, cb); };
        term.onWriteParsed(() => {
          const cur = rec.cur;
          if (!cur || cur.parsed) return;
          if (countOnCursorLine(term, cur.ch) > cur.before) { cur.parsed = now(); cur.resolve(); }
        });
      }
    },
  });
})();`;

/** The last value in `sorted` at or before `t` (and after `after`), or NaN. */
function lastAtOrBefore(sorted: readonly number[], t: number, after: number): number {
  let found = Number.NaN;
  for (const v of sorted) {
    if (v > t) break;
    if (v >= after) found = v;
  }
  return found;
}

/** The first value in `sorted` at or after `t` (and before `before`), or NaN. */
function firstAtOrAfter(sorted: readonly number[], t: number, before: number): number {
  for (const v of sorted) if (v >= t) return v < before ? v : Number.NaN;
  return Number.NaN;
}

/** Types one keystroke with the real keyboard; resolves with its keydown and parse times. */
async function typeKey(page: Page, ch: string): Promise<{ keydown: number; parsed: number } | null> {
  await page.evaluate(`window.__hops.arm(${JSON.stringify(ch)})`);
  await page.keyboard.press(ch);
  const parsed = (await page.evaluate(
    `Promise.race([window.__hops.cur.done.then(() => window.__hops.cur.parsed), new Promise((r) => setTimeout(() => r(0), ${KEY_TIMEOUT_MS}))])`,
  )) as number;
  if (!parsed) return null;
  const keydowns = (await page.evaluate('window.__hops.keydowns.slice(-1)')) as number[];
  return { keydown: keydowns[0]!, parsed };
}

/** One keystroke's hops, host and page, on the page's clock. */
interface Trip {
  page: PageHops;
  host: Record<EchoHop, number>;
  /** Residual host − page clock error, estimated from this keystroke (equal network legs). */
  offset: number;
}

/**
 * Assembles each keystroke's trip from the page's records and the host's trace. `clock` (page − this
 * process, which shares the host's clock source) only places host events between keystrokes; each
 * trip's own offset comes from its round trip.
 */
function assemble(
  keys: Array<{ keydown: number; parsed: number }>,
  rec: { sends: number[]; frames: number[]; applies: number[]; writes: number[] },
  host: EchoHopEvent[],
  clock: ClockOffset,
): Trip[] {
  const byHop = (hop: EchoHop): number[] => host.filter((e) => e.hop === hop).map((e) => e.at + clock.offset);
  const hops: Record<EchoHop, number[]> = {
    'host-received': byHop('host-received'),
    'pty-write': byHop('pty-write'),
    'pty-data': byHop('pty-data'),
    'update-encoded': byHop('update-encoded'),
    'frame-sent': byHop('frame-sent'),
  };
  const trips: Trip[] = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const next = keys[i + 1]?.keydown ?? Infinity;
    const intentSent = firstAtOrAfter(rec.sends, k.keydown, k.parsed);
    const written = lastAtOrBefore(rec.writes, k.parsed, k.keydown);
    const applied = lastAtOrBefore(rec.applies, written, k.keydown);
    const frameReceived = lastAtOrBefore(rec.frames, applied, k.keydown);
    if ([intentSent, written, applied, frameReceived].some(Number.isNaN)) continue;
    // The host's events between this keystroke and the next (the clocks agree to within `margin`).
    const margin = clock.uncertainty + 1;
    const received = firstAtOrAfter(hops['host-received'], intentSent - margin, next - margin);
    if (Number.isNaN(received)) continue;
    const ptyWrite = firstAtOrAfter(hops['pty-write'], received, received + 1000);
    const ptyData = firstAtOrAfter(hops['pty-data'], ptyWrite, ptyWrite + 1000);
    const encoded = firstAtOrAfter(hops['update-encoded'], ptyData, ptyData + 1000);
    const sent = firstAtOrAfter(hops['frame-sent'], encoded, encoded + 1000);
    if ([ptyWrite, ptyData, encoded, sent].some(Number.isNaN)) continue;
    // Host events are on the page's clock already, up to the clock error: remove it with equal legs.
    const offset = (received - intentSent + (sent - frameReceived)) / 2;
    trips.push({
      page: { keydown: k.keydown, intentSent, frameReceived, applied, written, parsed: k.parsed },
      host: { 'host-received': received, 'pty-write': ptyWrite, 'pty-data': ptyData, 'update-encoded': encoded, 'frame-sent': sent },
      offset,
    });
  }
  return trips;
}

/** The breakdown's segments, in order: name and duration of one trip. */
const SEGMENTS: Array<[string, (t: Trip) => number]> = [
  ['keydown → intent sent (xterm, input handling, encode)', (t) => t.page.intentSent - t.page.keydown],
  ['intent sent → host received (network leg, est.)', (t) => t.host['host-received'] - t.offset - t.page.intentSent],
  ['host received → PTY write (decode, validate, apply)', (t) => t.host['pty-write'] - t.host['host-received']],
  ['PTY write → PTY data (the program echoes)', (t) => t.host['pty-data'] - t.host['pty-write']],
  ['PTY data → update encoded (document write)', (t) => t.host['update-encoded'] - t.host['pty-data']],
  ['update encoded → frame sent', (t) => t.host['frame-sent'] - t.host['update-encoded']],
  ['frame sent → frame received (network leg, est.)', (t) => t.page.frameReceived - (t.host['frame-sent'] - t.offset)],
  ['frame received → applied (link, decode)', (t) => t.page.applied - t.page.frameReceived],
  ['applied → written to xterm (replica, page render)', (t) => t.page.written - t.page.applied],
  ['written → onWriteParsed (xterm)', (t) => t.page.parsed - t.page.written],
];

/** Runs the benchmark against one host (`bash --norc`, as in the harness). */
export async function benchEchoHops(browser: Browser): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tether-echo-hops-'));
  const traceFile = join(dir, 'trace.json');
  const preload = fileURLToPath(new URL('./echo-trace-preload.mjs', import.meta.url));
  const host = await HostProcess.start(['bash', '--norc'], {
    nodeArgs: ['--import', preload],
    env: { TETHER_ECHO_TRACE_FILE: traceFile, PS1: '$ ' },
    label: 'bash --norc (echo hops)',
  });
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const keys: Array<{ keydown: number; parsed: number }> = [];
  let timeouts = 0;
  let rec: { sends: number[]; frames: number[]; applies: number[]; writes: number[] };
  let clock: ClockOffset;
  let bare: number[];
  try {
    await context.addInitScript({ content: PAGE_SCRIPT });
    const page = await context.newPage();
    await page.goto(host.url, { waitUntil: 'load', timeout: 10_000 });
    await page.waitForFunction(() => {
      const h = (window as unknown as { __tether?: { client: { state: string }; term?: unknown } }).__tether;
      return h?.client.state === 'live' && h.term !== undefined;
    }, undefined, { timeout: 20_000, polling: 20 });
    await page.evaluate('window.__tether.term.focus()');
    let col = 0;
    for (let i = 0; i < WARMUP + KEYSTROKES; i++) {
      if (col >= NEWLINE_EVERY) {
        await page.keyboard.press('Enter');
        await sleep(SETTLE_AFTER_NEWLINE_MS);
        col = 0;
      }
      const k = await withTimeout(typeKey(page, LETTERS[i % LETTERS.length]!), KEY_TIMEOUT_MS * 2, `keystroke ${i}`);
      col++;
      if (!k) timeouts++;
      else if (i >= WARMUP) keys.push(k);
      await sleep(GAP_MS[0] + Math.random() * (GAP_MS[1] - GAP_MS[0]));
    }
    clock = await pageClockOffset(page);
    rec = (await page.evaluate('({ sends: window.__hops.sends, frames: window.__hops.frames, applies: window.__hops.applies, writes: window.__hops.writes })')) as typeof rec;
    // The same trip over a bare channel (a page of its own, without the recording script; the host idle
    // meanwhile): the legs' floor.
    const blank = await browser.newContext();
    try {
      bare = await bareChannelRoundTrips(await blank.newPage(), KEYSTROKES, GAP_MS);
    } finally {
      await blank.close();
    }
  } finally {
    await context.close();
    await host.stop();
  }
  let trace: EchoHopEvent[];
  try {
    trace = JSON.parse(await readFile(traceFile, 'utf8')) as EchoHopEvent[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const trips = assemble(keys, rec, trace, clock);
  const total = summarize(keys.map((k) => k.parsed - k.keydown));
  const breakdown = SEGMENTS.map(([name, f]) => {
    const values = trips.map(f);
    return `${name} p50 ${ms(percentile(values, 50))} · p99 ${ms(percentile(values, 99))}`;
  });
  const hostShare = summarize(trips.map((t) => t.host['frame-sent'] - t.host['host-received']));
  const offsets = summarize(trips.map((t) => t.offset));
  const bareTrips = summarize(bare);
  return {
    rows: [
      {
        benchmark: `Echo, Chromium keyboard → xterm buffer (n=${total.n})`,
        figure: `p50 ${ms(total.p50)} · p99 ${ms(total.p99)}`,
        target: `p50 ≤ ${TARGET_P50_MS} ms (floor ${FLOOR_P50_MS}) · p99 ≤ ${TARGET_P99_MS} ms`,
        met: total.p50 <= TARGET_P50_MS && total.p99 <= TARGET_P99_MS,
      },
      ...SEGMENTS.map(([name, f]): BenchResult['rows'][number] => {
        const s = summarize(trips.map(f));
        return { benchmark: `  ${name}`, figure: `p50 ${ms(s.p50)} · p99 ${ms(s.p99)}`, target: '', met: null };
      }),
      {
        benchmark: '  the two legs\' floor: a bare channel\'s round trip, page ↔ Node',
        figure: `p50 ${ms(bareTrips.p50)} · p99 ${ms(bareTrips.p99)}`,
        target: '',
        met: null,
      },
    ],
    notes: [
      `echo hops (Chromium, bash --norc, ${trips.length} of ${keys.length} keystrokes fully traced, ${timeouts} timed out): inside the host p50 ${ms(hostShare.p50)}; ` +
        `page clock − Node clock ${ms(clock.offset)} ± ${ms(clock.uncertainty)}, residual per keystroke p50 ${ms(offsets.p50)}; each network leg is half of the round trip spent outside the host; ` +
        `a bare data channel (no tether: a 32-byte message echoed by a Node child, the same pauses, ${bareTrips.n} trips) round-trips in p50 ${ms(bareTrips.p50)} · p99 ${ms(bareTrips.p99)}`,
      `echo hops: ${breakdown.join('; ')}`,
    ],
  };
}
