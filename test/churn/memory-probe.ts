/**
 * The side of memory-probe-preload.mjs that starts and asks it: how a host is started with the probe, and
 * one heap sample taken from it (used by the churn run and the fault suite).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The host's memory after a full garbage collection, in MB (one line of memory-probe-preload.mjs). */
export interface HeapSplit {
  /** V8 heap in use before the collection (live data plus garbage). */
  heapUsedBeforeGc: number;
  /** V8 heap in use after it: live data. */
  heapUsed: number;
  /** V8 heap reserved (used or not). */
  heapTotal: number;
  /** Memory held by JS objects outside V8's heap (buffers) and the array buffers among it. */
  external: number;
  arrayBuffers: number;
  rss: number;
  /** Anonymous RSS (V8's heap, malloc, native libraries), without mapped files. */
  anonymous: number | null;
  /** Each V8 space's reserved and used size (old_space, code_space, new_space…). */
  spaces: Record<string, { size: number; used: number }>;
}

/** Node flags and environment that load the probe into a host writing its samples to `file`. */
export function memoryProbe(file: string): { nodeArgs: string[]; env: Record<string, string> } {
  return {
    nodeArgs: ['--expose-gc', '--import', fileURLToPath(new URL('./memory-probe-preload.mjs', import.meta.url))],
    env: { TETHER_MEMORY_PROBE_FILE: file },
  };
}

function sampleLines(file: string): string[] {
  try {
    // Only whole lines: the host may be writing the next one as this reads (a partial line failed to parse).
    return readFileSync(file, 'utf8').split('\n').slice(0, -1).filter(Boolean);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []; // nothing written yet
    throw err;
  }
}

/**
 * Asks the probed host `pid` for a sample (SIGUSR2) and waits for its line, the `taken`-th of `file`;
 * undefined when the host exited first. Throws after `timeoutMs` without either.
 */
export async function takeHeapSample(pid: number, file: string, taken: number, exited: () => boolean, timeoutMs = 30_000): Promise<HeapSplit | undefined> {
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = sampleLines(file)[taken];
    if (line !== undefined) return JSON.parse(line) as HeapSplit;
    if (exited()) return undefined;
    if (Date.now() > deadline) throw new Error(`the host's memory probe did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
