/**
 * Through a TURN relay: a real coturn on loopback, the host (real CLI) minting TURN credentials with
 * --turn-secret and relay-only (--ice-transport relay), Node devices relay-only too. Times joins (link →
 * live, each a fresh device) and keystroke → echo through the relay, beside the direct figures.
 */
import { HostProcess } from './host-process.js';
import { NodeDevice } from './node-device.js';
import { measureEcho } from './echo-node.js';
import type { BenchResult } from './report.js';
import { ms, summarize } from './stats.js';
import { startCoturn } from '../test/helpers/coturn.js';

const JOINS = 10;
const KEYSTROKES = 200;
const JOIN_TIMEOUT_MS = 25_000;

/** Runs the benchmark. */
export async function benchRelay(): Promise<BenchResult> {
  const coturn = await startCoturn();
  let host: HostProcess | null = null;
  const joins: number[] = [];
  const paths = new Set<unknown>();
  let echo: number[] = [];
  let disrupted: number[] = [];
  try {
    host = await HostProcess.start(['cat'], {
      flags: ['--ice-server', `turn:127.0.0.1:${coturn.port}?transport=udp`, '--turn-secret', coturn.secretFile, '--ice-transport', 'relay'],
      label: 'cat (relayed)',
    });
    for (let i = 0; i < JOINS; i++) {
      const t0 = performance.now();
      const device = new NodeDevice(host.url, `bench-relay-${i}`, undefined, 'relay').start();
      try {
        await device.until(() => device.live, JOIN_TIMEOUT_MS, 'live through the relay');
        joins.push(performance.now() - t0);
        if (i === JOINS - 1) ({ echo, disrupted } = await measureEcho(device, KEYSTROKES));
      } finally {
        device.close();
      }
    }
    for (const e of host.events) if (e.event === 'device-joined') paths.add(e.path);
  } finally {
    await host?.stop();
    await coturn.stop();
  }
  const j = summarize(joins);
  const e = summarize(echo);
  return {
    rows: [
      { benchmark: `Join through a TURN relay, Node (n=${j.n})`, figure: `p50 ${ms(j.p50)} · p95 ${ms(j.p95)}`, target: 'reported', met: null },
      { benchmark: `Echo through a TURN relay, Node (n=${e.n})`, figure: `p50 ${ms(e.p50)} · p99 ${ms(e.p99)}`, target: 'reported', met: null },
    ],
    notes: [
      `relay: coturn ${'on loopback'}, host and devices relay-only; paths the host reported: ${[...paths].join(', ')}; echo min ${ms(e.min)}, max ${ms(e.max)}`,
      ...(disrupted.length > 0 ? [`relay: the connection dropped during ${disrupted.length} keystroke(s)`] : []),
    ],
  };
}
