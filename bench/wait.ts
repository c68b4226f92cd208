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

/**
 * Event-driven waits on changing state: `until(predicate)` resolves as soon as the predicate holds,
 * checked each time the owner calls `notify()` (e.g. on every document update), so timings are not
 * rounded to a poll interval.
 */
export class Conditions {
  /** Each pending wait's check, with its timeout timer. */
  private readonly waiters = new Map<() => void, ReturnType<typeof setTimeout>>();

  /** `describe` adds context (e.g. the client's state) to a timeout's message. */
  constructor(private readonly describe: () => string = () => '') {}

  /** Resolves once `predicate` holds; rejects after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(this.waiters.get(check));
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const context = this.describe();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context ? ` (${context})` : ''}`));
      }, timeoutMs);
      this.waiters.set(check, timer);
    });
  }

  /** Re-checks every pending wait. */
  notify(): void {
    for (const check of [...this.waiters.keys()]) check();
  }

  /** Drops every pending wait and its timer (they never settle: call when closing). */
  clear(): void {
    for (const timer of this.waiters.values()) clearTimeout(timer);
    this.waiters.clear();
  }
}

/** Resolves after `ms` (for pacing and measurement windows, never to wait for a condition). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
