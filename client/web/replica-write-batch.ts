/**
 * Batches the updates a replica stores: the first update after a quiet spell is written in the next task
 * (not in the one that applied it, where an IndexedDB transaction, ~0.2 ms cold, held back the parsing of
 * a keystroke's echo), and what arrives during the next interval goes in one write at its end. A burst of
 * output (hundreds of updates a second) then costs a few IndexedDB transactions instead of one each —
 * which took a quarter of the page's main thread during a 30 MB burst. (Merging the updates into one
 * first cost more than it saved: Yjs decodes and encodes every string again.)
 */

/** At most one write per this interval while updates keep coming. */
export const REPLICA_WRITE_INTERVAL_MS = 100;

/** One replica's pending updates. */
export class ReplicaWriteBatch {
  private pending: Uint8Array[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `write` stores updates, in order, in one go. */
  constructor(
    private readonly write: (updates: Uint8Array[]) => void,
    private readonly intervalMs = REPLICA_WRITE_INTERVAL_MS,
  ) {}

  /** Stores `update`: in the next task when nothing was written lately, else with the others at the interval's end. */
  add(update: Uint8Array): void {
    this.pending.push(update);
    if (!this.timer) this.flushIn(0);
  }

  /** Writes what is waiting now (the page is being hidden or closed, the replica let go). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const updates = this.pending;
    this.pending = [];
    this.write(updates);
    // Whatever arrives within the interval waits for its end, then goes in one write.
    this.flushIn(this.intervalMs);
  }

  /** Flushes `ms` from now (flush clears the timer first, fired or not). */
  private flushIn(ms: number): void {
    this.timer = setTimeout(() => this.flush(), ms);
  }

  /** Forgets what is waiting (the replica was replaced: those updates belong to the old document). */
  drop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
