/**
 * A new Node device opening a session of 10,000 messages: time from creating the client to a synced
 * replica holding the whole history, split into connecting (WebRTC up), receiving the first sync (the
 * host's step 2: everything) and applying it. Also the document's size per message and, for
 * reference, what encoding and applying that document costs in Node without any network.
 */
import * as Y from 'yjs';
import type { BenchResult } from './report.js';
import { mib, ms, percentile } from './stats.js';
import { ConversationDevice } from './conversation-device.js';
import { startConversationHost } from './conversation-host.js';
import { HISTORY_MESSAGES, writeHistory } from './history-doc.js';
import { timedWrtc, type PcTimeline } from './webrtc-timeline.js';
import { nodeWebRtc } from '../host/node-webrtc.js';

/** New devices opening the history, one after the other. */
const OPENS = 3;
const OPEN_TIMEOUT_MS = 30_000;

interface OpenTimeline {
  /** Client created → WebRTC connection up. */
  connect: number;
  /** → the first sync update arrived and began to apply. */
  receive: number;
  /** → applied: every entry in the replica. */
  apply: number;
  /** → state 'live' (the document's 'update' listeners ran: Yjs encodes the applied update for them). */
  settle: number;
  /** Client created → state 'live' (the replica is synced). */
  total: number;
}

/** Rounds of timeApply for each case (medians are reported: the first rounds warm the JIT). */
const APPLY_ROUNDS = 3;

/**
 * Applies `update` to an empty document: the whole apply, and the part after the transaction ended
 * (Yjs's cleanup, and with `listened` — the document has an 'update' listener, as every device's
 * page and terminal client has — encoding the applied update once more for that listener).
 */
function timeApply(update: Uint8Array, listened: boolean): { total: number; after: number } {
  const doc = new Y.Doc();
  let ended = 0;
  doc.on('afterTransaction', () => {
    ended = performance.now();
  });
  if (listened) doc.on('update', () => {});
  const t0 = performance.now();
  Y.applyUpdate(doc, update);
  const t1 = performance.now();
  return { total: t1 - t0, after: t1 - ended };
}

/** Opens the session once with a fresh device. */
async function openOnce(url: string, i: number): Promise<OpenTimeline> {
  const pcs: PcTimeline[] = [];
  const device = new ConversationDevice(url, `bench-history-${i}`, timedWrtc(nodeWebRtc, (t) => pcs.push(t)));
  let applyStart = 0;
  let applied = 0;
  device.client.doc.on('beforeTransaction', () => {
    applyStart ||= performance.now();
  });
  device.client.doc.on('afterTransaction', () => {
    if (!applied && device.client.conversation.entries.length >= HISTORY_MESSAGES) applied = performance.now();
  });
  const t0 = performance.now();
  try {
    device.start();
    await device.until(() => device.live && device.client.conversation.entries.length >= HISTORY_MESSAGES, OPEN_TIMEOUT_MS, `the history on device ${i + 1}`);
    const live = performance.now();
    const connected = pcs.length === 1 ? pcs[0]!.connected : undefined;
    if (!connected) throw new Error(`device ${i + 1} needed ${pcs.length} connection attempts`);
    return { connect: connected - t0, receive: applyStart - connected, apply: applied - applyStart, settle: live - applied, total: live - t0 };
  } finally {
    device.close();
  }
}

/** Runs the benchmark. */
export async function benchHistoryNode(): Promise<BenchResult> {
  const host = await startConversationHost();
  const opens: OpenTimeline[] = [];
  let bytes = 0;
  let chars = 0;
  let buildMs = 0;
  let encodeMs = 0;
  const plain: Array<{ total: number; after: number }> = [];
  const listened: Array<{ total: number; after: number }> = [];
  try {
    const t0 = performance.now();
    chars = writeHistory(host.session);
    buildMs = performance.now() - t0;
    const t1 = performance.now();
    const update = Y.encodeStateAsUpdate(host.session.doc);
    encodeMs = performance.now() - t1;
    bytes = update.length;
    for (let i = 0; i < APPLY_ROUNDS; i++) {
      plain.push(timeApply(update, false));
      listened.push(timeApply(update, true));
    }
    for (let i = 0; i < OPENS; i++) opens.push(await openOnce(host.url, i));
  } finally {
    await host.close();
  }
  const med = (k: keyof OpenTimeline): number => percentile(opens.map((o) => o[k]), 50);
  const medApply = (runs: Array<{ total: number; after: number }>, k: 'total' | 'after'): string => ms(percentile(runs.map((r) => r[k]), 50));
  return {
    rows: [
      {
        benchmark: `Open ${HISTORY_MESSAGES.toLocaleString('en-US')} messages, Node client (n=${opens.length})`,
        figure: `synced p50 ${ms(med('total'))} · max ${ms(Math.max(...opens.map((o) => o.total)))}`,
        target: '(reported)',
        met: null,
      },
      {
        benchmark: '  document bytes per message',
        figure: `${Math.round(bytes / HISTORY_MESSAGES)} B (${mib(bytes)} in all)`,
        target: '(reported)',
        met: null,
      },
    ],
    notes: [
      `history (Node): medians of ${opens.length} new devices: connect ${ms(med('connect'))} → the first sync (the whole history) arrives ${ms(med('receive'))} → applied ${ms(med('apply'))} → live ${ms(med('settle'))}`,
      `history: the document is ${(bytes / chars).toFixed(2)}× its text (${Math.round(chars / HISTORY_MESSAGES)} characters per message on average); ` +
        `writing it took ${ms(buildMs)}; in Node without a network, encoding it took ${ms(encodeMs)}; applying it to an empty document ${medApply(plain, 'total')} ` +
        `(${medApply(plain, 'after')} of it after the transaction), with an 'update' listener ${medApply(listened, 'total')} (${medApply(listened, 'after')} after the transaction: ` +
        `Yjs encodes the applied update again for the listener); medians of ${APPLY_ROUNDS}`,
    ],
  };
}
