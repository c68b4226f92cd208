/**
 * One host's door for devices: answers the signaling handshake (a fresh nonce per attempt, the offer's
 * token MAC or device signature checked before anything is applied, an authenticated answer), keeps one
 * connection per device, and lets each device open any of the sessions this endpoint serves as channels
 * on that connection. A server is one endpoint for the session list and all its sessions; an interactive
 * share is one endpoint for its one session.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { PeerLink } from '../../protocol/peer-link.js';
import { MAX_CLIENT_FRAME_BYTES } from '../../protocol/frames.js';
import type { SignalPayload } from '../../protocol/signaling.js';
import type { IceServer } from '../../protocol/ice-servers.js';
import { TetherError } from '../../protocol/errors.js';
import type { AuthContext } from '../../protocol/auth.js';
import type { Authenticator } from '../trust/authenticator.js';
import type { PushNotifier } from '../push/push-notifier.js';
import { NonceBook } from './nonce-book.js';
import { settleWithin } from './settle-within.js';
import { DeviceConnection, type ConnectionHost } from './device-connection.js';
import type { Actor, SessionCore } from './session-core.js';
import type { WebRtcImplementation } from '../../protocol/data-channel-peer.js';

/**
 * Longest a closing endpoint waits for its connections to close: a link gives pending frames up to 0.5 s
 * and the other side 0.3 s to acknowledge its channel's close, so a device gone silent costs at most this.
 */
const CLOSE_WAIT_MS = 1000;

/** Sends a payload back to the peer that signaled. */
export type SignalReply = (payload: SignalPayload) => void;

/** What an endpoint needs. */
export interface HostEndpointOptions {
  /** The share this endpoint serves: pairing tokens are minted for it and only open it. */
  scope: string;
  authenticator: Authenticator;
  hostName: string;
  /** The session list's id when this endpoint serves one (told to devices in the host hello). */
  listId?: string;
  wrtc: WebRtcImplementation | undefined;
  /** STUN/TURN servers of this host: it uses them and hands them to each device in its challenge. */
  iceServers: IceServer[];
  /** More servers for the host's own connections only (TURN credentials its signal server minted for it). */
  ownIceServers?: () => readonly RTCIceServer[];
  /** 'relay': the host's side of every connection goes through TURN. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  log: Logger;
  /** Extra rule for opening a session (roles, policy); null allows. */
  canOpen?: (sessionId: string, actor: Actor) => TetherError | null;
  /** Web Push: devices learn its key in the hello and send `notify` intents on any session. */
  notifier?: PushNotifier | null;
}

interface HostEndpointEvents {
  /** A device said hello and is known (it may open sessions next). */
  'device-joined': [Actor, DeviceConnection];
  /** A known device's connection ended. */
  'device-left': [Actor, DeviceConnection];
  /** A device paired and waits for a person to allow it (--confirm-devices). */
  'device-waiting': [Actor, DeviceConnection];
}

/** The devices and sessions of one share. */
export class HostEndpoint extends EventEmitter<HostEndpointEvents> implements ConnectionHost {
  readonly authenticator: Authenticator;
  readonly hostName: string;
  readonly listId: string | null;
  readonly pushKey: string | null;
  private readonly sessions = new Map<string, SessionCore>();
  private readonly connections = new Map<string, DeviceConnection>();
  private readonly nonces = new NonceBook();
  /** Refusals already logged (by code and link or device), so a retrying device logs once. */
  private readonly warned = new Set<string>();

  constructor(private readonly options: HostEndpointOptions) {
    super();
    this.authenticator = options.authenticator;
    this.hostName = options.hostName;
    this.listId = options.listId ?? null;
    this.pushKey = options.notifier?.publicKey ?? null;
  }

  /** The share's scope (tokens are minted for it). */
  get scope(): string {
    return this.options.scope;
  }

  /** Connected devices that said hello (waiting ones included). */
  get devices(): DeviceConnection[] {
    return [...this.connections.values()].filter((c) => c.actor);
  }

  /** Connections of the device `deviceId` (its credential id, or a connection-scoped id). */
  connectionsOf(deviceId: string): DeviceConnection[] {
    return this.devices.filter((c) => c.actor?.deviceId === deviceId);
  }

  /** Serves `core` under the routing id `sessionId`. */
  addSession(sessionId: string, core: SessionCore): void {
    const notifier = this.options.notifier;
    if (notifier) core.notifyIntent = (actor, raw) => notifier.handleIntent(actor, raw);
    this.sessions.set(sessionId, core);
  }

  /** Stops serving a session: every device that has it open is told `err`, for good. */
  removeSession(sessionId: string, err: TetherError): void {
    const core = this.sessions.get(sessionId);
    if (!core) return;
    this.sessions.delete(sessionId);
    for (const c of this.connections.values()) c.endSession(core, err);
  }

  /** True when `sessionId` is served here. */
  serves(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  sessionFor(sessionId: string, actor: Actor): SessionCore | TetherError {
    const core = this.sessions.get(sessionId);
    if (!core) return new TetherError('SESSION_UNKNOWN', 'no such session on this host');
    return this.options.canOpen?.(sessionId, actor) ?? core;
  }

  /** Closes every connection authenticated as (or paired into) `credentialId`. */
  closeCredential(credentialId: string, err: TetherError): void {
    for (const c of [...this.connections.values()]) if (c.credentialId === credentialId) c.close(err);
  }

  /** Handles a signaling payload from a peer of one of this endpoint's sessions. */
  onSignal(sessionId: string, peerId: string, payload: SignalPayload, reply: SignalReply): void {
    if (!this.sessions.has(sessionId)) return;
    if (payload.kind === 'knock') {
      const iceServers = this.options.iceServers;
      reply({ kind: 'challenge', nonce: this.nonces.issue(peerId), hostKeyId: this.authenticator.hostKeyId, ...(iceServers.length > 0 ? { iceServers } : {}) });
      return;
    }
    if (payload.kind !== 'offer') return;
    const ctx = (kind: AuthContext['kind'], body: string): AuthContext => ({ kind, sessionId, peerId, nonce: payload.nonce, body });
    const refuse = (err: TetherError, authenticated: boolean): void => {
      const who = `${err.code}:${payload.auth.method === 'token' ? payload.auth.tokenId : payload.auth.credentialId}`;
      if (!this.warned.has(who)) {
        this.warned.add(who);
        if (this.warned.size > 1000) this.warned.clear();
        this.options.log.warn({ sessionId, peerId, code: err.code }, `refused a device: ${err.message}`);
      }
      const auth = authenticated ? this.authenticator.sign(payload.auth, ctx('reject', err.code)) : {};
      reply({ kind: 'reject', ...err.toJSON(), nonce: payload.nonce, ...auth });
    };
    if (!this.nonces.consume(peerId, payload.nonce)) {
      refuse(new TetherError('HANDSHAKE_STALE'), false);
      return;
    }
    const verdict = this.authenticator.verifyOffer(this.options.scope, ctx('offer', payload.sdp), payload.auth);
    if (!verdict.ok) {
      refuse(verdict.error, verdict.authenticated);
      return;
    }
    this.connections.get(peerId)?.close(null);
    const log = this.options.log.child({ peerId });
    const link = new PeerLink({
      initiator: false,
      wrtc: this.options.wrtc,
      iceServers: [...this.options.iceServers, ...(this.options.ownIceServers?.() ?? [])],
      iceTransportPolicy: this.options.iceTransportPolicy,
      maxInboundFrame: MAX_CLIENT_FRAME_BYTES,
    });
    const connection = new DeviceConnection(peerId, link, verdict.grant, this, log);
    this.connections.set(peerId, connection);
    link.on('sdp', (answer) => reply({ kind: 'answer', sdp: answer.sdp, ...this.authenticator.sign(verdict.grant, ctx('answer', answer.sdp)) }));
    connection.on('joined', (actor) => {
      log.info({ device: actor.name, role: actor.role, path: actor.path }, 'device joined');
      this.emit('device-joined', actor, connection);
    });
    connection.on('waiting', (actor) => {
      log.info({ device: actor.name }, 'device waits for approval');
      this.emit('device-waiting', actor, connection);
    });
    connection.on('close', () => {
      if (this.connections.get(peerId) === connection) this.connections.delete(peerId);
      if (connection.actor) this.emit('device-left', connection.actor, connection);
    });
    link.applyRemoteSdp({ type: 'offer', sdp: payload.sdp });
  }

  /** The peer's signaling connection left: drop its connection only if it never opened. */
  onPeerLeft(peerId: string): void {
    const c = this.connections.get(peerId);
    if (c && !c.link.open) c.close(null);
  }

  /** Disconnects every device but keeps the sessions (a share may stop and start again). */
  disconnectAll(err: TetherError | null = null): void {
    for (const c of [...this.connections.values()]) c.close(err);
  }

  /**
   * Ends every session subscription with `err`, then closes every connection; resolves once each has
   * closed (at most CLOSE_WAIT_MS): a process that exits right after must not cut off what its devices
   * were still being sent, which libdatachannel holds until its own threads send it.
   */
  async close(err: TetherError | null = null): Promise<void> {
    if (err) for (const [id] of this.sessions) this.removeSession(id, err);
    this.sessions.clear();
    const closed = [...this.connections.values()].filter((c) => !c.link.destroyed).map((c) => new Promise<void>((resolve) => c.link.once('close', () => resolve())));
    // With a reason, each device is told (and its channel ends flushed) before its connection closes.
    this.disconnectAll(err);
    this.connections.clear();
    await settleWithin(closed, CLOSE_WAIT_MS);
  }
}
