/**
 * Chromium for the browser benchmarks (launched by the tests' helper: Debian's /usr/bin/chromium,
 * headless, loopback WebRTC allowed), and the scripts the benchmarks run inside the page. The page exposes
 * `window.__tether = { client, term }` (the SessionClient and the xterm Terminal) as a test hook.
 *
 * Page code is kept as plain JavaScript source strings: functions compiled by tsx can carry helper
 * calls (e.g. `__name`) that do not exist in the page. page.evaluate(string) goes through CDP and is
 * not subject to the page's CSP, but a string predicate for page.waitForFunction is eval'd in the page,
 * which the CSP forbids: those predicates are small arrow functions instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { clientDir } from '../host/package-paths.js';
import { CHROMIUM_PATH } from '../test/helpers/chromium.js';
import { epochNow } from './wait.js';

export { CHROMIUM_PATH, launchChromium } from '../test/helpers/chromium.js';

/** Why the browser benchmarks cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  if (!existsSync(CHROMIUM_PATH)) return `${CHROMIUM_PATH} is missing (apt-get install -y chromium)`;
  if (!existsSync(join(clientDir(), 'index.html'))) return `the browser client is not built (${join(clientDir(), 'index.html')} is missing)`;
  return null;
}

/** What FIRST_SCREEN_SCRIPT records in the page (wall-clock ms, comparable with Node's epochNow()). */
export interface PageJoinTimeline {
  /** The app first published window.__tether with its client (its bundle loaded, ran and started joining). */
  hookAt?: number;
  /** Each RTCPeerConnection the page made: created, ICE gathering complete, ICE connected, connected (DTLS). */
  pcs: Array<{ created: number; gathered?: number; iceConnected?: number; connected?: number }>;
  /** The client's state first became 'live'. */
  liveAt?: number;
  /** The session was live and its view showed it: text in the terminal's buffer, or the conversation view built. */
  firstScreen?: { at: number; via: 'hook' | 'dom' };
  /** A frame was painted after the first screen (the next animation frame, and a task after it). */
  painted?: number;
  /** The HTML document's response ended / DOMContentLoaded ended. */
  htmlAt?: number;
  domReadyAt?: number;
}

/**
 * Runs in every page before its own scripts and fills `window.__bench` (a PageJoinTimeline): it
 * notices the moment the app publishes `window.__tether` (with its client, and later with its
 * terminal), then checks on every client state change and every parsed terminal write whether the
 * first screen is there (session live, visible text in the buffer; or the conversation view built), and
 * stamps the frame painted after it. Without the hook it falls back to watching the xterm rows in the DOM. RTCPeerConnection is
 * wrapped with listeners only, to time the WebRTC phases.
 */
export const FIRST_SCREEN_SCRIPT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const bench = { pcs: [] };
  window.__bench = bench;
  const Base = window.RTCPeerConnection;
  if (Base) {
    window.RTCPeerConnection = class extends Base {
      constructor(...args) {
        super(...args);
        const t = { created: now() };
        bench.pcs.push(t);
        this.addEventListener('icegatheringstatechange', () => { if (this.iceGatheringState === 'complete' && !t.gathered) t.gathered = now(); });
        this.addEventListener('iceconnectionstatechange', () => {
          if ((this.iceConnectionState === 'connected' || this.iceConnectionState === 'completed') && !t.iceConnected) t.iceConnected = now();
        });
        this.addEventListener('connectionstatechange', () => { if (this.connectionState === 'connected' && !t.connected) t.connected = now(); });
      }
    };
  }
  const record = (via) => {
    if (bench.firstScreen) return;
    bench.firstScreen = { at: now(), via };
    requestAnimationFrame(() => setTimeout(() => { bench.painted = now(); }, 0));
  };
  const screenReady = (h) => {
    if (h.client.state !== 'live') return false;
    if (h.conversation) return true;
    const b = h.term.buffer.active;
    for (let i = 0; i < b.length; i++) {
      const line = b.getLine(i);
      if (line && line.translateToString(true).trim() !== '') return true;
    }
    return false;
  };
  // The app may publish the hook more than once: first with the client, later with the terminal view.
  let hook;
  let clientWatched = false;
  let termWatched = false;
  const check = () => {
    if (!hook || !hook.client) return;
    if (hook.client.state === 'live' && !bench.liveAt) bench.liveAt = now();
    if (!bench.firstScreen && (hook.term || hook.conversation) && screenReady(hook)) record('hook');
  };
  Object.defineProperty(window, '__tether', {
    configurable: true,
    get: () => hook,
    set: (value) => {
      hook = value;
      if (value && value.client && !clientWatched) {
        clientWatched = true;
        bench.hookAt = now();
        value.client.on('state', check);
      }
      if (value && value.term && !termWatched) {
        termWatched = true;
        value.term.onWriteParsed(check);
      }
      check();
    },
  });
  document.addEventListener('DOMContentLoaded', () => {
    bench.domReadyAt = now();
    const nav = performance.getEntriesByType('navigation')[0];
    if (nav) bench.htmlAt = performance.timeOrigin + nav.responseEnd;
  });
  const poll = setInterval(() => {
    if (bench.firstScreen || hook) { clearInterval(poll); return; }
    const rows = document.querySelector('.xterm-rows');
    if (rows && rows.textContent && rows.textContent.trim() !== '') { record('dom'); clearInterval(poll); }
  }, 5);
})();`;

/**
 * Sends `n + warmup` single characters through the hook's client to a host running \`cat\`; for each,
 * times (in the page) until the echo is in the replica and until the intent's reply arrived.
 * Evaluates to { echo, ack, disrupted } (ms; `disrupted` are keystrokes during which the connection
 * dropped, kept apart from the others), or { error }.
 */
export function echoScript(n: number, warmup: number): string {
  return `(async () => {
  const h = window.__tether;
  if (!h || !h.client) return { error: 'window.__tether.client is missing' };
  const client = h.client;
  const view = client.view;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const total = () => (view.term.get('trimmed') || 0) + view.output.length;
  const newText = (from) => {
    const trimmed = view.term.get('trimmed') || 0;
    return view.output.slice(Math.max(0, from - trimmed)).join('');
  };
  const echo = [];
  const ack = [];
  const disrupted = [];
  let drops = 0;
  client.on('state', (state) => { if (state !== 'live') drops++; });
  for (let i = 0; i < ${n} + ${warmup}; i++) {
    const ch = letters[i % letters.length];
    const from = total();
    const dropsBefore = drops;
    const t0 = performance.now();
    let tAck = 0;
    const reply = client.sendIntent({ type: 'input', data: ch }).then((r) => { tAck = performance.now(); return r; });
    const tEcho = await new Promise((resolve, reject) => {
      const done = () => {
        if (!newText(from).includes(ch)) return;
        client.doc.off('afterTransaction', onUpdate);
        clearTimeout(timer);
        resolve(performance.now());
      };
      const onUpdate = () => done();
      const timer = setTimeout(() => { client.doc.off('afterTransaction', onUpdate); reject(new Error('no echo of keystroke ' + i + ' within 25 s')); }, 25000);
      client.doc.on('afterTransaction', onUpdate);
      done();
    }).catch((e) => e);
    if (tEcho instanceof Error) return { error: tEcho.message };
    const r = await reply;
    if (!r.ok) return { error: 'intent rejected: ' + r.error.code };
    if (drops > dropsBefore) disrupted.push(tEcho - t0);
    else if (i >= ${warmup}) { echo.push(tEcho - t0); ack.push(tAck - t0); }
  }
  return { echo, ack, disrupted };
})()`;
}

/** How far the page's wall clock (timeOrigin + now()) is ahead of Node's epochNow(), and within what. */
export interface ClockOffset {
  /** page clock − Node clock, ms. */
  offset: number;
  /** Half the round trip of the best reading: the offset is right to within this. */
  uncertainty: number;
}

/**
 * Measures the page's clock against Node's: several readings through page.evaluate, keeping the one
 * with the shortest round trip (its midpoint is closest to the moment the page read its clock).
 */
export async function pageClockOffset(page: Page, readings = 25): Promise<ClockOffset> {
  let best: ClockOffset = { offset: 0, uncertainty: Infinity };
  for (let i = 0; i < readings; i++) {
    const t0 = epochNow();
    const inPage = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
    const t1 = epochNow();
    if ((t1 - t0) / 2 < best.uncertainty) best = { offset: inPage - (t0 + t1) / 2, uncertainty: (t1 - t0) / 2 };
  }
  return best;
}

/**
 * Run in a conversation page once it is live: fills `window.__chunkBench = { replica, dom }`, where
 * `replica[i]` is when chunk "w<i> " of the newest agent message appeared in the page's replica (its
 * document's afterTransaction event) and `dom[i]` when it appeared in that message's rendered text (a
 * MutationObserver on the conversation: the message view renders at most once per animation frame);
 * `frames` are the page's animation frame times (performance.now()), to show its frame interval.
 * Wall-clock ms, comparable with Node's epochNow() once corrected by pageClockOffset.
 */
export const CHUNK_RECORDER_SCRIPT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const h = window.__tether;
  if (!h || !h.client || !h.conversation) return 'not a live conversation page';
  const view = h.client.conversation;
  const rec = { replica: [], dom: [], frames: [] };
  window.__chunkBench = rec;
  const frame = (t) => { if (rec.frames.length < 5000) { rec.frames.push(t); requestAnimationFrame(frame); } };
  requestAnimationFrame(frame);
  const stamp = (arr, text, at) => {
    for (const m of text.matchAll(/w(\\d+)/g)) { const i = Number(m[1]); if (arr[i] === undefined) arr[i] = at; }
  };
  let entry = null;
  h.client.doc.on('afterTransaction', () => {
    const at = now();
    const n = view.entries.length;
    const last = n > 0 ? view.entries.get(n - 1) : null;
    if (!last || last.get('type') !== 'agent') return;
    if (last !== entry) { entry = last; rec.replica.length = 0; }
    stamp(rec.replica, String(last.get('text')), at);
  });
  let shown = null;
  const list = document.querySelector('.entries');
  if (!list) return 'no .entries element';
  new MutationObserver(() => {
    const at = now();
    const all = list.querySelectorAll('.entry.agent');
    const last = all[all.length - 1];
    if (!last) return;
    if (last !== shown) { shown = last; rec.dom.length = 0; }
    stamp(rec.dom, last.textContent || '', at);
  }).observe(list, { childList: true, subtree: true, characterData: true });
  return 'ok';
})()`;

/** What historyScript records in the page (wall-clock ms, comparable with Node's epochNow()). */
export interface PageHistoryTimeline {
  /** The app published window.__tether with its client. */
  hookAt?: number;
  /** The page's first RTCPeerConnection reached 'connected'. */
  connectedAt?: number;
  /** RTCPeerConnections made (more than one: a retry). */
  pcs: number[];
  /** The data channel opened. */
  channelOpenAt?: number;
  /** The first data-channel message over 1 KB arrived: the first fragment of the host's first sync. */
  firstBigAt?: number;
  /** The last data-channel message before the first transaction, and the bytes received until then. */
  lastMessageAt?: number;
  bytesBeforeApply: number;
  /** The first transaction on the replica began: the first sync update arrived and is being applied. */
  applyAt?: number;
  /** A transaction ended with every entry of the history in the replica. */
  fullAt?: number;
  /** The client's state first became 'live'. */
  liveAt?: number;
  /** The app published the conversation view (built and in the DOM). */
  mountedAt?: number;
  /** Entries rendered when the view was mounted: what its first paint shows (more fill in after it). */
  renderedAtMount?: number;
  /** The next animation frame began, and a task after it ran (that frame was painted). */
  frameAt?: number;
  paintedAt?: number;
}

/**
 * Runs in a page before its own scripts and fills `window.__historyBench` (a PageHistoryTimeline) while
 * a conversation of `entries` entries opens: it notices the app publishing `window.__tether` (first
 * with the client, then with the conversation view), watches the replica's transactions, and times
 * the data channel's messages until the first sync is applied (the client makes the channel).
 */
export function historyScript(entries: number): string {
  return `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const rec = { pcs: [], bytesBeforeApply: 0 };
  window.__historyBench = rec;
  const Base = window.RTCPeerConnection;
  if (Base) {
    window.RTCPeerConnection = class extends Base {
      constructor(...args) {
        super(...args);
        rec.pcs.push(now());
        this.addEventListener('connectionstatechange', () => { if (this.connectionState === 'connected' && !rec.connectedAt) rec.connectedAt = now(); });
      }
      createDataChannel(...args) {
        const channel = super.createDataChannel(...args);
        channel.addEventListener('open', () => { if (!rec.channelOpenAt) rec.channelOpenAt = now(); });
        channel.addEventListener('message', (event) => {
          if (rec.applyAt) return;
          const at = now();
          const size = event.data.byteLength || event.data.size || event.data.length || 0;
          if (size > 1024 && !rec.firstBigAt) rec.firstBigAt = at;
          rec.lastMessageAt = at;
          rec.bytesBeforeApply += size;
        });
        return channel;
      }
    };
  }
  let hook;
  Object.defineProperty(window, '__tether', {
    configurable: true,
    get: () => hook,
    set: (value) => {
      hook = value;
      if (value && value.client && !rec.hookAt) {
        rec.hookAt = now();
        const client = value.client;
        // The host's updates only: the page's own transactions (the stored replica loading) come first.
        client.doc.on('beforeTransaction', (tr) => { if (!rec.applyAt && tr.origin === 'host') rec.applyAt = now(); });
        client.doc.on('afterTransaction', () => { if (!rec.fullAt && client.conversation.entries.length >= ${entries}) rec.fullAt = now(); });
        client.on('state', (state) => { if (state === 'live' && !rec.liveAt) rec.liveAt = now(); });
      }
      if (value && value.conversation && !rec.mountedAt) {
        rec.mountedAt = now();
        rec.renderedAtMount = document.querySelectorAll('.entries > .entry').length;
        requestAnimationFrame(() => { rec.frameAt = now(); setTimeout(() => { rec.paintedAt = now(); }, 0); });
      }
    },
  });
})();`;
}
