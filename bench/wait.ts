/**
 * Timing helpers for the benchmarks: a bounded wait that says what it was waiting for, and a
 * wall-clock timestamp comparable across Node and a browser page.
 */

/** Rejects with "timed out after N ms waiting for <what>" unless `promise` settles first. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A high-resolution wall-clock time in ms since the epoch, comparable with a browser page's `performance.timeOrigin + performance.now()`. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
