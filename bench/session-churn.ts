/**
 * 1,000 session start/end cycles in one server (the issue's "sessions come and go all day"): host heap
 * and RSS sampled every 100 cycles after a forced GC, and the growth over the last 900 cycles — the
 * first ones warm caches and the WebRTC stack, so they are not counted.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../host/cli-args.js';
import { SessionServer } from '../host/session-server.js';
import { nodeWebRtc } from '../host/node-webrtc.js';
import type { BenchResult } from './report.js';
import { mib } from './stats.js';

const CYCLES = 1000;
const SAMPLE_EVERY = 100;
/** The issue's bound: memory flat after warm-up. */
const TARGET_GROWTH_BYTES = 10 * 1024 * 1024;

/** A forced collection, so samples compare live memory rather than garbage. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Runs the benchmark. */
export async function benchSessionChurn(): Promise<BenchResult> {
  const config = parseCli(['remote-control', 'churn', '--local', '--port', '0', '--no-create-session-in-dir', '--', '/bin/true'], { ...process.env }, process.cwd()) as RemoteControlCommand;
  const server = new SessionServer(config, { log: pino({ level: 'silent' }, new Writable({ write: (_c, _e, d) => d() })), wrtc: nodeWebRtc, clientDir: null });
  await server.start();
  const samples: Array<{ cycle: number; heap: number; rss: number }> = [];
  try {
    for (let i = 1; i <= CYCLES; i++) {
      const s = await server.startSession({ name: `c${i}` });
      await server.endSession(s.id);
      if (i % SAMPLE_EVERY === 0) {
        collect();
        const m = process.memoryUsage();
        samples.push({ cycle: i, heap: m.heapUsed, rss: m.rss });
      }
    }
  } finally {
    await server.close();
  }
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const heapGrowth = last.heap - first.heap;
  const rssGrowth = last.rss - first.rss;
  return {
    rows: [
      { benchmark: `Session start/end × ${CYCLES}: heap growth, last ${CYCLES - SAMPLE_EVERY}`, figure: mib(heapGrowth), target: '≤ 10 MB', met: heapGrowth <= TARGET_GROWTH_BYTES },
      { benchmark: `Session start/end × ${CYCLES}: RSS growth, last ${CYCLES - SAMPLE_EVERY}`, figure: mib(rssGrowth), target: '≤ 10 MB', met: rssGrowth <= TARGET_GROWTH_BYTES },
    ],
    notes: [`session churn samples (cycle: heap / RSS): ${samples.map((s) => `${s.cycle}: ${mib(s.heap)} / ${mib(s.rss)}`).join(', ')}`],
  };
}
