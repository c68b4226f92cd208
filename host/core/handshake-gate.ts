/**
 * Paces the host's WebRTC handshakes: at most MAX_CONCURRENT peer connections are being negotiated at
 * once; later offers wait their turn (in order). Measured with @roamhq/wrtc: twenty devices negotiating at
 * the same moment cost the host ~100 sockets each (~20 when they come one after another), so a storm of
 * reconnecting devices exhausted the host's file descriptors and it died; with eight at once the host
 * crashed (SIGSEGV inside wrtc) in a 50-device storm. Paced at four, a storm costs time instead: 54
 * devices reconnecting at once were all live again within ~7 s (p50 ~4.6 s) on a loaded 2-core machine.
 */

/** Handshakes negotiated at once. */
export const MAX_CONCURRENT_HANDSHAKES = 4;
/** Offers waiting beyond this are refused (the device retries). */
const MAX_WAITING = 512;

/** A turn: call `done` once the connection opened or failed. */
export type Release = () => void;

/** The queue of handshakes. */
export class HandshakeGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit = MAX_CONCURRENT_HANDSHAKES) {}

  /** Runs `start` when a turn is free (it receives the release); false when too many are waiting. */
  enter(start: (release: Release) => void): boolean {
    if (this.running < this.limit) {
      this.begin(start);
      return true;
    }
    if (this.waiting.length >= MAX_WAITING) return false;
    this.waiting.push(() => this.begin(start));
    return true;
  }

  private begin(start: (release: Release) => void): void {
    this.running++;
    let released = false;
    start(() => {
      if (released) return;
      released = true;
      this.running--;
      this.waiting.shift()?.();
    });
  }
}
