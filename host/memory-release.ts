/**
 * Hands the memory a burst of work freed back to the system once the burst is over.
 *
 * A burst (a program printing 30 MB, an agent streaming a long answer) allocates and frees thousands of
 * 32–128 KiB buffers outside V8's heap: PTY reads, encoded document updates, frames. glibc keeps what
 * they freed inside its heap for reuse, so the host's RSS stayed ~20 MiB above its resting figure for
 * as long as the host ran. glibc's `malloc_trim(0)` returns those free pages (native-memory.ts);
 * where there is no glibc (macOS, musl) nothing is done.
 */
import { setFlagsFromString } from 'node:v8';
import type { Logger } from 'pino';
import { dropFileMapping, trimMallocHeap } from './native-memory.js';

/** Bytes of work (document writes, sync frames) that make a burst worth a release. */
export const RELEASE_AFTER_BYTES = 8 * 1024 * 1024;
/** How often a burst's watcher looks whether work still comes. */
export const QUIET_MS = 2000;
/**
 * Quiet looks after a burst that each release again: buffers still referenced at the first release (a
 * lagging device's queue, a catch-up diff) are freed later by the garbage collector, and kept by glibc.
 */
export const QUIET_RELEASES = 5;

/** Returns freed memory to the system; `collect` runs a full garbage collection first. False where it cannot. */
export type ReleaseFreedMemory = (collect: boolean) => Promise<boolean>;

/** Follows the host's work and releases memory after each burst. */
export class MemoryRelease {
  private pending = 0;
  private seen = 0;
  private quietTicks = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private releasing = false;
  /** Releases done (for tests). */
  releases = 0;
  /** Where releases are logged (debug) and failures (warn). */
  log: Logger | null = null;

  constructor(
    private readonly release: ReleaseFreedMemory,
    private readonly options: { afterBytes?: number; quietMs?: number; quietReleases?: number } = {},
  ) {}

  /** Notes `bytes` of work (cheap: called for every document write and sync frame). */
  note(bytes: number): void {
    this.pending += bytes;
    if (this.timer === null && this.pending >= (this.options.afterBytes ?? RELEASE_AFTER_BYTES)) this.watch();
  }

  /** Stops watching (a burst's watcher does not hold the process open either). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  // One timer per burst, not one per write: every QUIET_MS it looks whether more work came since.
  private watch(): void {
    this.seen = this.pending;
    this.quietTicks = 0;
    this.timer = setInterval(() => this.tick(), this.options.quietMs ?? QUIET_MS);
    this.timer.unref();
  }

  private tick(): void {
    if (this.pending !== this.seen) {
      this.seen = this.pending;
      this.quietTicks = 0;
      return;
    }
    this.quietTicks++;
    // The first quiet look collects garbage too (tens of ms, once); later ones only trim (~1 ms).
    void this.releaseNow(this.quietTicks === 1);
    if (this.quietTicks >= (this.options.quietReleases ?? QUIET_RELEASES)) {
      this.close();
      this.pending = 0;
    }
  }

  private async releaseNow(collect: boolean): Promise<void> {
    if (this.releasing) return;
    this.releasing = true;
    // The burst's size, read now: the watcher's last look resets it while this release runs.
    const bytes = this.pending;
    const started = performance.now();
    const rss = process.memoryUsage.rss();
    try {
      const done = await this.release(collect);
      if (done) this.releases++;
      const mib = (n: number): number => Math.round(n / 104857.6) / 10;
      this.log?.debug({ bytes, collect, done, ms: Math.round((performance.now() - started) * 10) / 10, rssMiB: [mib(rss), mib(process.memoryUsage.rss())] }, 'memory released after a burst');
    } catch (err) {
      this.log?.warn({ err: (err as Error).message }, 'could not release memory after a burst');
    } finally {
      this.releasing = false;
    }
  }
}

/**
 * A full garbage collection that also compacts the heap. A plain one frees a burst's objects but leaves
 * its pages committed, each still holding a few survivors, until V8's memory reducer compacts them ~8 s
 * after the last full collection — this one included, so the heap shrank only ~10 s after a burst.
 * Compacting is a V8 flag read when a collection starts: set for this one only (measured in the burst
 * bench, 10 s after 30 MB: host RSS 80.1–81.4 MiB against 81.1–84.9 without; ~5 ms on a host's heap).
 */
export function collectAndCompact(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
}

/** Files whose read-only mappings are dropped with each release (the session store's data file). */
const releasedFiles = new Set<string>();

/** Drops `file`'s mapped pages with every release after a burst, until the returned function is called. */
export function releaseFileMappings(file: string): () => void {
  releasedFiles.add(file);
  return () => void releasedFiles.delete(file);
}

/**
 * The release: a full garbage collection first when asked (buffers the burst left for the collector
 * would otherwise be freed, and kept by glibc, after the trim; bin/tether.js starts Node with
 * --expose-gc for this), glibc's trim, then the store's mapped pages (a burst's compactions make the
 * store reuse freed pages, which LMDB reads through its map: 6-9 MiB of a 30 MB burst stayed resident).
 */
export const releaseFreedMemory: ReleaseFreedMemory = async (collect) => {
  if (collect) collectAndCompact();
  if (!(await trimMallocHeap())) return false;
  for (const file of releasedFiles) await dropFileMapping(file);
  return true;
};

/** The host process's one MemoryRelease (every document of every session notes its writes here). */
export const processMemoryRelease = new MemoryRelease(releaseFreedMemory);
