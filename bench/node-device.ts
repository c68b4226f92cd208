/**
 * A benchmark device: the real SessionClient over Node WebRTC (node-datachannel), with its output replayed exactly once
 * through OutputCursor (as `tether attach` does). Counts what it rendered, keeps a short tail of it,
 * and lets a benchmark wait — event-driven, so timings are not rounded to a poll interval — until a
 * condition on its state or output holds.
 */
import { SessionClient } from '../client/core/session-client.js';
import type { HostConnection } from '../client/core/host-connection.js';
import { OutputCursor, readTerminal } from '../protocol/terminal-doc.js';
import { newId } from '../protocol/ids.js';
import { nodeWebRtc } from '../host/node-webrtc.js';
import type { WebRtcImplementation } from '../protocol/data-channel-peer.js';

/** How much recent output a device keeps for `textSince`. */
const TAIL_CHARS = 64 * 1024;

/** One Node device joined to a session. */
export class NodeDevice {
  readonly client: SessionClient;
  /** Characters of output rendered so far. */
  renderedChars = 0;
  /** Times the cursor had to reset (output it never saw was trimmed from the scrollback). */
  resets = 0;
  /** Error codes the client reported along the way (e.g. RATE_LIMITED), in order. */
  readonly errors: string[] = [];
  private tail = '';
  private readonly cursor = new OutputCursor();
  private readonly waiters = new Set<() => void>();

  /**
   * Joins the session at `url` with a connection of its own, or opens a session on a device's existing
   * connection (server-device.ts). `wrtc` defaults to host/node-webrtc.ts; a benchmark may pass an
   * instrumented copy (webrtc-timeline.ts). `policy` 'relay' makes the device use TURN relays only.
   */
  constructor(
    target: string | { connection: HostConnection; sessionId: string },
    name: string,
    wrtc: WebRtcImplementation = nodeWebRtc,
    policy: RTCIceTransportPolicy = 'all',
  ) {
    this.client = new SessionClient(typeof target === 'string' ? { url: target, wrtc, deviceName: name, deviceKind: 'terminal', iceTransportPolicy: policy } : target);
    this.client.doc.on('afterTransaction', () => {
      const { reset, text } = this.cursor.next(this.client.view);
      if (reset) this.resets++;
      if (text) {
        this.renderedChars += text.length;
        this.tail = (this.tail + text).slice(-TAIL_CHARS);
      }
      this.notify();
    });
    this.client.on('state', (_state, error) => {
      if (error) this.errors.push(error.code);
      this.notify();
    });
  }

  /** Starts joining. */
  start(): this {
    this.client.start();
    return this;
  }

  /** The replica is synced with the host. */
  get live(): boolean {
    return this.client.state === 'live';
  }

  /** The replica shows the program as ended. */
  get exited(): boolean {
    return readTerminal(this.client.view).state === 'exited';
  }

  /** The output rendered after `mark` (a past value of renderedChars), as far as the tail reaches. */
  textSince(mark: number): string {
    const n = this.renderedChars - mark;
    return n <= 0 ? '' : this.tail.slice(-Math.min(n, this.tail.length));
  }

  /** Resolves as soon as `predicate` holds (checked on every document update and state change). */
  until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const errs = this.errors.length > 0 ? `; client errors: ${this.errors.join(', ')}` : '';
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (client state ${this.client.state}${errs})`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Disconnects. */
  close(): void {
    this.client.close();
    this.waiters.clear();
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }
}
