/**
 * Keeps a benchmark's joins within the signal server's rate limit (30 joins per address per 10 s,
 * signal/signal-server.ts), so that no device is refused and left to back off: every device of a
 * benchmark joins from 127.0.0.1. A fixed window starts at the first join after the last one ended,
 * as the server's limiter counts; a small margin is kept for retries.
 */
import { sleep } from './wait.js';

/** The server's limit, less a margin for a retry or two. */
const JOINS_PER_WINDOW = 28;
/** The server's window, plus slack for when the server saw the window's first join. */
const WINDOW_MS = 10_000 + 500;

/** Paces joins. */
export class JoinPacer {
  private windowStart = -Infinity;
  private used = 0;
  /** Time spent waiting for a window, ms. */
  waitedMs = 0;

  /** The most joins one call to `take` may ask for. */
  static readonly perWindow = JOINS_PER_WINDOW;

  /** Resolves when `n` (≤ perWindow) joins may start now, and counts them. */
  async take(n: number): Promise<void> {
    if (n > JOINS_PER_WINDOW) throw new Error(`at most ${JOINS_PER_WINDOW} joins at once`);
    let now = performance.now();
    if (now >= this.windowStart + WINDOW_MS) this.newWindow(now);
    if (this.used + n > JOINS_PER_WINDOW) {
      const wait = this.windowStart + WINDOW_MS - now;
      await sleep(wait);
      this.waitedMs += wait;
      now = performance.now();
      this.newWindow(now);
    }
    this.used += n;
  }

  /** How long until a new window starts (0 when one would start now). */
  get msToNextWindow(): number {
    return Math.max(0, this.windowStart + WINDOW_MS - performance.now());
  }

  private newWindow(now: number): void {
    this.windowStart = now;
    this.used = 0;
  }
}
