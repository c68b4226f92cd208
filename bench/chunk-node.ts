/**
 * Agent chunk → connected Node device: the scripted agent streams `stream 300 20` (300 chunks
 * "w<i> ", 20 ms apart) through an in-process host; each chunk is stamped when the host began applying
 * it to the session document and when it appeared in the device's replica. Host and device share one
 * process, so both stamps come from the same clock.
 */
import type { BenchResult } from './report.js';
import { ms, summarize } from './stats.js';
import { withTimeout } from './wait.js';
import { ConversationDevice } from './conversation-device.js';
import { startConversationHost, stampHostChunks } from './conversation-host.js';

/** Chunks streamed, the agent's pause between them, and how many first chunks are left out as warm-up. */
export const CHUNKS = 300;
export const CHUNK_GAP_MS = 20;
export const CHUNK_WARMUP = 10;
/** The targets. */
export const CHUNK_TARGET_P50_MS = 5;
export const CHUNK_TARGET_P99_MS = 20;
const TIMEOUT_MS = 30_000;

/** `later[i] - earlier[i]` for every chunk past the warm-up; throws when a chunk is missing. */
export function chunkLatencies(earlier: readonly number[], later: readonly number[], what: string): number[] {
  const out: number[] = [];
  for (let i = CHUNK_WARMUP; i < CHUNKS; i++) {
    const a = earlier[i];
    const b = later[i];
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`chunk ${i} is missing (${what})`);
    out.push(b - a);
  }
  return out;
}

/** Runs the benchmark. */
export async function benchChunkNode(): Promise<BenchResult> {
  const host = await startConversationHost();
  const stamps = stampHostChunks(host.session, () => performance.now());
  const device = new ConversationDevice(host.url, 'bench-chunk-node');
  try {
    device.start();
    await device.until(() => device.live && device.status === 'idle', TIMEOUT_MS, 'the device live and the agent idle');
    const reply = await withTimeout(device.prompt(`stream ${CHUNKS} ${CHUNK_GAP_MS}`), TIMEOUT_MS, 'the prompt reply');
    if (!reply.ok) throw new Error(`prompt refused: ${reply.error.code}`);
    await device.until(() => device.chunks.count >= CHUNKS && device.status === 'idle', TIMEOUT_MS, `all ${CHUNKS} chunks on the device`);
  } finally {
    stamps.detach();
    device.close();
    await host.close();
  }
  const total = summarize(chunkLatencies(stamps.applied.stamps, device.chunks.stamps, 'Node device'));
  const hostSide = summarize(chunkLatencies(stamps.applied.stamps, stamps.sent.stamps, 'host send'));
  const wire = summarize(chunkLatencies(stamps.sent.stamps, device.chunks.stamps, 'after send'));
  return {
    rows: [
      {
        benchmark: `Chunk → Node device (n=${total.n})`,
        figure: `p50 ${ms(total.p50)} · p99 ${ms(total.p99)}`,
        target: `p50 ≤ ${CHUNK_TARGET_P50_MS} ms · p99 ≤ ${CHUNK_TARGET_P99_MS} ms`,
        met: total.p50 <= CHUNK_TARGET_P50_MS && total.p99 <= CHUNK_TARGET_P99_MS,
      },
    ],
    notes: [
      `chunk → Node device: min ${ms(total.min)}, mean ${ms(total.mean)}, max ${ms(total.max)}; of which host apply → sent to the data channel p50 ${ms(hostSide.p50)} · p99 ${ms(hostSide.p99)}, ` +
        `sent → in the replica p50 ${ms(wire.p50)} · p99 ${ms(wire.p99)} (host and device in one process: one clock)`,
    ],
  };
}
