/**
 * Sharing one session with devices: starts the embedded signal server (or connects to a standalone one
 * with --signal), registers the session, and makes its link. Can be started and stopped at any time,
 * which is what `/remote-control` mid-session does; devices then receive the whole history by sync.
 */
import type { Logger } from 'pino';
import { formatSessionUrl } from '../protocol/session-url.js';
import type { SignalServer } from '../signal/signal-server.js';
import type { RemoteControlCommand } from './cli-args.js';
import { HostSignalLink, type SignalSession } from './signal-link.js';
import { linkOrigin, selfOrigin } from './lan-address.js';
import { startSignalServer } from './start-signal-server.js';

/** The network part of the configuration. */
export type SharingConfig = Pick<RemoteControlCommand, 'port' | 'portExplicit' | 'bind' | 'publicUrl' | 'signalUrl'>;

/** A session's link while shared. */
export interface ShareInfo {
  url: string;
  signal: string;
}

/** Shares a session through a signal server. */
export class Sharing {
  private server: SignalServer | null = null;
  private link: HostSignalLink | null = null;
  private current: ShareInfo | null = null;

  constructor(
    private readonly config: SharingConfig,
    private readonly session: SignalSession,
    private readonly clientDir: string | null,
    private readonly log: Logger,
  ) {}

  /** The link while shared, else null. */
  get info(): ShareInfo | null {
    return this.current;
  }

  /** The embedded signal server while shared (null with --signal). */
  get signalServer(): SignalServer | null {
    return this.server;
  }

  /** Starts sharing (idempotent); throws BAD_CONFIG or SIGNAL_UNREACHABLE. */
  async start(): Promise<ShareInfo> {
    if (this.current) return this.current;
    let publicOrigin: string;
    let connectTo: string;
    try {
      if (this.config.signalUrl) {
        publicOrigin = this.config.signalUrl;
        connectTo = this.config.signalUrl;
      } else {
        this.server = await startSignalServer({ ...this.config, clientDir: this.clientDir, log: this.log });
        const { port } = this.server.address();
        publicOrigin = linkOrigin(this.config.bind, port, this.config.publicUrl);
        connectTo = selfOrigin(this.config.bind, port);
      }
      this.link = new HostSignalLink(connectTo, this.log.child({ component: 'signal-link' }));
      await this.link.connect();
      await this.link.register(this.session);
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.current = { url: formatSessionUrl(publicOrigin, this.session.sessionId, this.session.key), signal: publicOrigin };
    return this.current;
  }

  /** Stops sharing: no new device can join. Connected devices are closed by the caller. */
  async stop(): Promise<void> {
    this.current = null;
    this.link?.unregister(this.session.sessionId);
    this.link?.close();
    this.link = null;
    const server = this.server;
    this.server = null;
    await server?.close();
  }
}
