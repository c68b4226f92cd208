/**
 * How far one device is behind on one session channel: the sync bytes the host sent it that it has not
 * yet said it applied (its `applied` frames), or what still waits in the connection's send queue, whichever
 * is more. A device busy drawing (a phone in a burst of output) falls behind in the first long before the
 * network backs up the second; either way it is then sent one diff instead of every update (mosh's idea:
 * a slow screen gets the newest state, not a backlog).
 */
import type { PeerLink } from '../../protocol/peer-link.js';

/** The longest the host waits for a device to say it caught up before sending the diff anyway. */
const APPLIED_WAIT_MS = 2_000;

/** One device's backlog on one channel. */
export class DeviceBacklog {
  private sent = 0;
  /** What the device said it applied; null until it says (a device that never says is judged by the queue). */
  private applied: number | null = null;
  private waiters: Array<{ below: number; done: () => void }> = [];

  constructor(private readonly link: PeerLink) {}

  /** Sync bytes (a frame's body) were handed to the link for this channel. */
  sentSync(bytes: number): void {
    this.sent += bytes;
  }

  /**
   * The device applied `total` bytes of this channel's sync so far. More than was sent is counted as all
   * of it (frames of a channel closed and opened again under the same number can cross), and it never
   * goes back.
   */
  onApplied(total: number): void {
    this.applied = Math.max(this.applied ?? 0, Math.min(total, this.sent));
    const unapplied = this.unapplied;
    this.waiters = this.waiters.filter((w) => {
      if (unapplied > w.below) return true;
      w.done();
      return false;
    });
  }

  private get unapplied(): number {
    return this.applied === null ? 0 : this.sent - this.applied;
  }

  /** Bytes the device is behind. */
  get bytes(): number {
    return Math.max(this.link.pendingBytes, this.unapplied);
  }

  /** Resolves once the device is at most `below` bytes behind (or APPLIED_WAIT_MS after the queue drained). */
  whenBelow(below: number): Promise<void> {
    return this.link.whenBelow(below).then(
      () =>
        new Promise<void>((resolve) => {
          if (this.unapplied <= below || this.link.destroyed) return resolve();
          const timer = setTimeout(() => {
            this.waiters = this.waiters.filter((w) => w !== waiter);
            resolve();
          }, APPLIED_WAIT_MS);
          timer.unref(); // a device that left leaves nothing to wait for: this must not keep a process up
          const waiter = {
            below,
            done: () => {
              clearTimeout(timer);
              resolve();
            },
          };
          this.waiters.push(waiter);
        }),
    );
  }
}
