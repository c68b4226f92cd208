/**
 * Capacity of one signal instance (the real `tether signal` CLI in a child process, limits raised by
 * flags): its RSS with 10,000 idle device sockets joined to a session, and signaling join latency
 * (client:join → ack) with 1,000 devices joining at once, in memory and with --redis. socket.io
 * clients only: what a signal server holds per device, without WebRTC.
 */
import { io as ioClient, type Socket } from 'socket.io-client';
import { HostProcess } from './host-process.js';
import type { BenchResult } from './report.js';
import { mib, ms, percentile, summarize } from './stats.js';
import { SignalEvents, type SignalAck } from '../protocol/signaling.js';
import { newId, newKey } from '../protocol/ids.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { startRedis } from '../test/helpers/redis-server.js';

const IDLE_SOCKETS = 10_000;
const CONCURRENT_JOINS = 1_000;
/** Sockets opened at once while filling up. */
const CONNECT_BATCH = 500;
const RSS_TARGET_BYTES = 1024 ** 3;
const ACK_TIMEOUT_MS = 30_000;
/** Limits high enough that the benchmark measures the server, not its flood protection. */
const RAISED = ['--joins-per-minute', '10000000', '--failed-joins-per-minute', '10000000', '--messages-per-minute', '10000000', '--registrations-per-minute', '10000000', '--log-level', 'warn'];

/** Opens `n` connected sockets to `origin`, CONNECT_BATCH at a time. */
async function openSockets(origin: string, n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, n - i) }, () => ioClient(origin, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: ACK_TIMEOUT_MS }));
    sockets.push(...batch);
    await Promise.all(
      batch.map((s) => new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', (err) => reject(new Error(`socket ${sockets.length}: ${err.message}`)));
      })),
    );
  }
  return sockets;
}

function ask(s: Socket, event: string, msg: unknown): Promise<SignalAck> {
  return s.timeout(ACK_TIMEOUT_MS).emitWithAck(event, msg) as Promise<SignalAck>;
}

/** A registered session on `origin`, its host socket, and `n` device sockets joined to it (all at once); join times in ms. */
async function joinAtOnce(origin: string, n: number): Promise<{ sockets: Socket[]; times: number[] }> {
  const [hostSocket] = await openSockets(origin, 1);
  const sessionId = newId();
  const reg = await ask(hostSocket!, SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId, owner: newKey() });
  if (!reg.ok) throw new Error(`register: ${reg.error.code}`);
  const devices = await openSockets(origin, n);
  const times = await Promise.all(
    devices.map(async (s) => {
      const t0 = performance.now();
      const ack = await ask(s, SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId, peerId: newId() });
      if (!ack.ok) throw new Error(`join: ${ack.error.code}`);
      return performance.now() - t0;
    }),
  );
  return { sockets: [hostSocket!, ...devices], times };
}

async function steadyRss(p: HostProcess): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < 5; i++) {
    values.push(p.rss() ?? Number.NaN);
    await new Promise((r) => setTimeout(r, 200));
  }
  return percentile(values, 50);
}

function closeAll(sockets: Socket[]): void {
  for (const s of sockets) s.disconnect();
}

/** Runs the benchmark. */
export async function benchSignalCapacity(): Promise<BenchResult> {
  const rows: BenchResult['rows'] = [];
  const notes: string[] = [];

  // 10,000 idle devices on one instance.
  const idle = await HostProcess.start([], { signal: true, flags: RAISED, label: 'tether signal' });
  let sockets: Socket[] = [];
  try {
    const before = await steadyRss(idle);
    const t0 = performance.now();
    ({ sockets } = await joinAtOnce(idle.url, IDLE_SOCKETS));
    const filled = performance.now() - t0;
    const after = await steadyRss(idle);
    rows.push({
      benchmark: `Signal: ${IDLE_SOCKETS.toLocaleString('en')} idle device sockets, RSS`,
      figure: `${mib(after)} (${mib(before)} empty; ${((after - before) / IDLE_SOCKETS / 1024).toFixed(1)} KiB per device)`,
      target: '≤ 1 GB',
      met: after <= RSS_TARGET_BYTES,
    });
    notes.push(`signal capacity: ${IDLE_SOCKETS} sockets connected and joined in ${(filled / 1000).toFixed(1)} s (${CONNECT_BATCH} connecting at a time)`);
  } finally {
    closeAll(sockets);
    await idle.stop();
  }

  // 1,000 devices joining at once: in memory, then with Redis.
  const redis = await startRedis();
  try {
    for (const [label, extra] of [['in memory', []], ['with --redis', ['--redis', redis.url]]] as const) {
      const server = await HostProcess.start([], { signal: true, flags: [...RAISED, ...extra], label: `tether signal ${label}` });
      let joined: Socket[] = [];
      try {
        const { sockets: s, times } = await joinAtOnce(server.url, CONCURRENT_JOINS);
        joined = s;
        const t = summarize(times);
        rows.push({ benchmark: `Signal: ${CONCURRENT_JOINS.toLocaleString('en')} joins at once, ${label}`, figure: `p50 ${ms(t.p50)} · p99 ${ms(t.p99)}`, target: 'reported', met: null });
      } finally {
        closeAll(joined);
        await server.stop();
      }
    }
  } finally {
    await redis.stop();
  }
  return { rows, notes };
}
