/**
 * Sharing one session with devices (interactive mode): each share is its own endpoint with a new routing
 * id and a new pairing token, so stopping a share kills its link for good — devices are told "sharing
 * stopped" over their data channel, and the next share (`/remote-control` again) has a different link.
 * Devices of a new share receive the whole history by sync.
 */
import type { IceServer } from '../protocol/ice-servers.js';
import type { Logger } from 'pino';
import { newId } from '../protocol/ids.js';
import { TetherError } from '../protocol/errors.js';
import { formatSessionUrl } from '../protocol/session-url.js';
import { sessionKind } from '../protocol/session-kind.js';
import type { SignalServer } from '../signal/signal-server.js';
import { SignalHub, type HubConfig } from './signal-hub.js';
import type { ListenInfo } from './lan-address.js';
import { HostEndpoint } from './core/host-endpoint.js';
import type { SessionCore } from './core/session-core.js';
import type { DeviceTrust } from './trust/device-trust.js';
import type { Role } from '../protocol/roles.js';
import type { WebRtcImplementation } from '../protocol/data-channel-peer.js';

/** A session's link while shared. */
export interface ShareInfo {
  url: string;
  signal: string;
  /** This share's routing id (a new one for every share). */
  shareId: string;
  /** Where the embedded signal server listens (null with --signal). */
  listening: ListenInfo | null;
  /** The newest view-only link of this share (`v`, `/rc view`, Ctrl-] v), if one was minted. */
  viewUrl: string | null;
}

/** What a share needs besides the session. */
export interface SharingDeps {
  /** The user's devices (trust store, audit log). */
  trust: DeviceTrust;
  /** The admin policy forbids remote control: start() refuses with this error. */
  forbidden?: TetherError | null;
  hostName: string;
  /** How long a share's link lets new devices pair (null: until the share stops). */
  linkTtlMs: number | null;
  wrtc: WebRtcImplementation | undefined;
  iceServers: IceServer[];
  clientDir: string | null;
  log: Logger;
}

interface ActiveShare {
  info: ShareInfo;
  endpoint: HostEndpoint;
  hub: SignalHub;
}

/** Shares a session through a signal server, one share at a time. */
export class Sharing {
  private current: ActiveShare | null = null;
  private starting: Promise<ShareInfo> | null = null;
  private unwatch: (() => void) | null = null;

  constructor(
    private readonly config: HubConfig,
    private readonly core: SessionCore,
    private readonly deps: SharingDeps,
  ) {
    // Revoke all revoked this share's link too: a new one replaces it.
    deps.trust.on('links-reset', () => void this.newLink());
  }

  /** How long links minted now stay valid (null: until revoked). */
  get linkTtlMs(): number | null {
    return this.deps.linkTtlMs;
  }

  /** The link while shared, else null. */
  get info(): ShareInfo | null {
    return this.current?.info ?? null;
  }

  /** The current share's endpoint (its devices), else null. */
  get endpoint(): HostEndpoint | null {
    return this.current?.endpoint ?? null;
  }

  /** The embedded signal server while shared (null with --signal). */
  get signalServer(): SignalServer | null {
    return this.current?.hub.signalServer ?? null;
  }

  /** Starts sharing (idempotent while shared); throws BAD_CONFIG or SIGNAL_UNREACHABLE. */
  start(): Promise<ShareInfo> {
    if (this.deps.forbidden) return Promise.reject(this.deps.forbidden);
    if (this.current) return Promise.resolve(this.current.info);
    this.starting ??= this.open().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /**
   * A fresh link for the current share (a new token; older ones keep working until they expire): a full
   * one replaces the link shown, a view-only one is kept beside it.
   */
  newLink(role: Role = 'owner'): ShareInfo | null {
    const share = this.current;
    if (!share) return null;
    const token = this.deps.trust.authenticator.mintToken(share.info.shareId, role, this.deps.linkTtlMs);
    const url = formatSessionUrl(share.hub.signalOrigin, share.info.shareId, token.secret, sessionKind(this.core.doc));
    share.info = role === 'owner' ? { ...share.info, url } : { ...share.info, viewUrl: url };
    return share.info;
  }

  /** Stops sharing: the link dies for good and every device is told "sharing stopped". */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const share = this.current;
    this.current = null;
    if (!share) return;
    this.deps.trust.authenticator.revokeScope(share.info.shareId);
    this.unwatch?.();
    this.unwatch = null;
    share.hub.unregister(share.info.shareId);
    // The endpoint's close resolves once each device's connection has closed after delivering what was
    // sent (the reason included), or after at most a second: then the signal server may go.
    await share.endpoint.close(new TetherError('SHARE_STOPPED'));
    await share.hub.stop();
  }

  private async open(): Promise<ShareInfo> {
    const shareId = newId();
    const log = this.deps.log.child({ shareId });
    const endpoint = new HostEndpoint({
      scope: shareId,
      authenticator: this.deps.trust.authenticator,
      canOpen: (sessionId, actor) => this.deps.trust.canOpen(sessionId, actor),
      hostName: this.deps.hostName,
      wrtc: this.deps.wrtc,
      iceServers: this.deps.iceServers,
      ownIceServers: () => hub.iceServers,
      iceTransportPolicy: this.config.iceTransportPolicy,
      log,
    });
    endpoint.addSession(shareId, this.core);
    const hub: SignalHub = new SignalHub(this.config, this.deps.clientDir, endpoint, log);
    try {
      await hub.start();
      await hub.register(shareId);
    } catch (err) {
      await endpoint.close();
      await hub.stop();
      throw err;
    }
    const token = this.deps.trust.authenticator.mintToken(shareId, 'owner', this.deps.linkTtlMs);
    const info: ShareInfo = { url: formatSessionUrl(hub.signalOrigin, shareId, token.secret, sessionKind(this.core.doc)), signal: hub.signalOrigin, shareId, listening: hub.listening, viewUrl: null };
    this.unwatch = this.deps.trust.watch(endpoint);
    this.current = { info, endpoint, hub };
    return info;
  }
}
