/**
 * Sharing one session with devices through its own signal hub. Can be started and stopped at any time,
 * which is what `/remote-control` mid-session does; devices then receive the whole history by sync.
 */
import type { Logger } from 'pino';
import type { SignalServer } from '../signal/signal-server.js';
import type { SignalSession } from './signal-link.js';
import { SignalHub, type HubConfig } from './signal-hub.js';

/** A session's link while shared. */
export interface ShareInfo {
  url: string;
  signal: string;
}

/** Shares a session through a signal server. */
export class Sharing {
  private readonly hub: SignalHub;
  private current: ShareInfo | null = null;

  constructor(
    config: HubConfig,
    private readonly session: SignalSession,
    clientDir: string | null,
    log: Logger,
  ) {
    this.hub = new SignalHub(config, clientDir, log);
  }

  /** The link while shared, else null. */
  get info(): ShareInfo | null {
    return this.current;
  }

  /** The embedded signal server while shared (null with --signal). */
  get signalServer(): SignalServer | null {
    return this.hub.signalServer;
  }

  /** Starts sharing (idempotent); throws BAD_CONFIG or SIGNAL_UNREACHABLE. */
  async start(): Promise<ShareInfo> {
    if (this.current) return this.current;
    await this.hub.start();
    try {
      const url = await this.hub.register(this.session);
      this.current = { url, signal: this.hub.signalOrigin };
      return this.current;
    } catch (err) {
      await this.hub.stop();
      throw err;
    }
  }

  /** Stops sharing: no new device can join. Connected devices are closed by the caller. */
  async stop(): Promise<void> {
    this.current = null;
    this.hub.unregister(this.session.sessionId);
    await this.hub.stop();
  }
}
