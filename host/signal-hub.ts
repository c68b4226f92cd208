/**
 * The host's presence on a signal server, for any number of sessions: starts the embedded signal server
 * (or connects to a standalone one with --signal), keeps one signaling connection, and registers the
 * routing ids of the sessions its handler serves.
 */
import type { Logger } from 'pino';
import type { SignalServer } from '../signal/signal-server.js';
import type { RemoteControlCommand } from './cli-args.js';
import { HostSignalLink, type SignalHandler } from './signal-link.js';
import { linkOrigin, selfOrigin, type ListenInfo } from './lan-address.js';
import { startSignalServer } from './start-signal-server.js';

/** The network part of the configuration. */
export type HubConfig = Pick<RemoteControlCommand, 'port' | 'portExplicit' | 'bind' | 'publicUrl' | 'signalUrl' | 'turn' | 'iceTransportPolicy'> & Partial<Pick<RemoteControlCommand, 'tls' | 'trustProxy'>>;

/** Sessions served through one signal server. */
export class SignalHub {
  private server: SignalServer | null = null;
  private link: HostSignalLink | null = null;
  private origin: string | null = null;

  constructor(
    private readonly config: HubConfig,
    private readonly clientDir: string | null,
    private readonly handler: SignalHandler,
    private readonly log: Logger,
  ) {}

  /** The signaling connection (for its events), once started. */
  get signalLink(): HostSignalLink | null {
    return this.link;
  }

  /** STUN/TURN servers the signal server handed this host for its own connections (minted TURN credentials). */
  get iceServers(): readonly RTCIceServer[] {
    return this.link?.iceServers ?? [];
  }

  /** True once started. */
  get started(): boolean {
    return this.origin !== null;
  }

  /** The signal server's public origin (what links start with). */
  get signalOrigin(): string {
    if (!this.origin) throw new Error('signal hub not started');
    return this.origin;
  }

  /** Where the embedded signal server listens (null with --signal or before start). */
  get listening(): ListenInfo | null {
    if (!this.server) return null;
    const { port } = this.server.address();
    const requested = this.config.port;
    return { bind: this.config.bind, port, portTaken: !this.config.portExplicit && requested !== 0 && port !== requested ? requested : null };
  }

  /** The embedded signal server (null with --signal or before start). */
  get signalServer(): SignalServer | null {
    return this.server;
  }

  /** Starts the signal server (unless --signal) and connects; throws BAD_CONFIG or SIGNAL_UNREACHABLE. */
  async start(): Promise<void> {
    if (this.origin) return;
    try {
      let connectTo: string;
      let publicOrigin: string;
      if (this.config.signalUrl) {
        publicOrigin = this.config.signalUrl;
        connectTo = this.config.signalUrl;
      } else {
        // The host hands its own servers to devices in its challenge; the embedded server only mints TURN credentials.
        const ice = this.config.turn ? { servers: [], turn: this.config.turn } : undefined;
        const tls = this.config.tls ?? null;
        this.server = await startSignalServer({ ...this.config, tls, ice, clientDir: this.clientDir, log: this.log });
        const { port } = this.server.address();
        publicOrigin = linkOrigin(this.config.bind, port, this.config.publicUrl, tls !== null);
        connectTo = selfOrigin(this.config.bind, port, tls !== null);
      }
      // Its own embedded server over loopback: the certificate names the machine, not 127.0.0.1, and
      // there is nobody in between to authenticate against.
      const ownServer = !this.config.signalUrl && (this.config.tls ?? null) !== null;
      this.link = new HostSignalLink(connectTo, this.handler, this.log.child({ component: 'signal-link' }), { ownLoopbackTls: ownServer });
      await this.link.connect();
      this.origin = publicOrigin;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** The embedded signal server's port (null with --signal or before start). */
  get port(): number | null {
    return this.server?.address().port ?? null;
  }

  /** Routes devices of `sessionId` to this host's handler; `owner` proves a stored session is ours. */
  async register(sessionId: string, owner?: string): Promise<void> {
    if (!this.link || !this.origin) throw new Error('signal hub not started');
    await this.link.register(sessionId, owner);
  }

  /** Stops serving a session (its link stops working). */
  unregister(sessionId: string): void {
    this.link?.unregister(sessionId);
  }

  /** Disconnects and stops the embedded signal server. */
  async stop(): Promise<void> {
    this.origin = null;
    this.link?.close();
    this.link = null;
    const server = this.server;
    this.server = null;
    await server?.close();
  }
}
