/**
 * The host's connection to a signal server (embedded or standalone): registers the routing ids of the
 * sessions it serves, proving ownership of each with its owner secret (so a restarted host takes its
 * sessions back at once), hands every payload for them to its handler (which authenticates it), relays
 * the handler's replies, and re-registers after the signaling connection comes back. It trusts nothing
 * the server says: payloads are validated here and authenticated by the handler.
 */
import { EventEmitter } from 'node:events';
import { createHmac } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Logger } from 'pino';
import { SignalEvents, PeerEnvelopeSchema, PeerLeftSchema, SignalAckSchema, SignalErrorSchema, type SignalAck, type SignalPayload } from '../protocol/signaling.js';
import type { IceServer } from '../protocol/ice-servers.js';
import { newOwnerSecret } from '../protocol/ids.js';
import { isErrorCode, TetherError } from '../protocol/errors.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';

/** Receives what devices send through the signal server. */
export interface SignalHandler {
  /** A payload from `peerId` for session `sessionId`; `reply` sends one back to that peer. */
  onSignal(sessionId: string, peerId: string, payload: SignalPayload, reply: (payload: SignalPayload) => void): void;
  /** The peer's signaling connection left. */
  onPeerLeft(sessionId: string, peerId: string): void;
}

const ACK_TIMEOUT_MS = 10_000;
/** Refresh minted TURN credentials after half their lifetime, but not more often than this. */
const MIN_ICE_REFRESH_MS = 60_000;

/**
 * Owner secrets of sessions that bring none are derived from one secret per process: nothing is stored
 * per session, and every registration of one id in this process proves the same owner.
 */
const PROCESS_OWNER_SEED = newOwnerSecret();

/** The owner secret of `sessionId` derived from this process's seed. */
function derivedOwner(sessionId: string): string {
  return createHmac('sha256', PROCESS_OWNER_SEED).update(sessionId).digest('base64url');
}

interface HostSignalLinkEvents {
  /** Registering a session failed after a reconnect (e.g. SESSION_TAKEN): devices cannot reach it. */
  'register-failed': [sessionId: string, TetherError];
  /** The signaling connection dropped (devices cannot join meanwhile) or came back. */
  connection: ['lost' | 'back'];
}

/** The host side of signaling. */
export class HostSignalLink extends EventEmitter<HostSignalLinkEvents> {
  private readonly socket: Socket;
  /** Routing id → its owner secret. */
  private readonly registered = new Map<string, string>();
  private everConnected = false;
  private iceTimer: ReturnType<typeof setTimeout> | null = null;
  /** The STUN/TURN servers the signal server handed this host (TURN credentials it minted). */
  iceServers: readonly IceServer[] = [];

  constructor(
    url: string,
    private readonly handler: SignalHandler,
    private readonly log: Logger,
    /** The URL is this process's own embedded server over loopback TLS: its certificate is not checked. */
    options: { ownLoopbackTls?: boolean } = {},
  ) {
    super();
    const u = new URL(url);
    this.socket = io(u.origin, {
      path: `${u.pathname.replace(/\/+$/, '')}/socket.io`,
      transports: ['websocket'],
      ...(options.ownLoopbackTls ? { rejectUnauthorized: false } : {}),
      autoConnect: false,
      reconnectionDelay: 250,
      reconnectionDelayMax: 2000,
    });
    this.socket.on('connect', () => {
      if (this.everConnected) this.emit('connection', 'back');
      this.everConnected = true;
      void this.fetchIceServers();
      for (const id of this.registered.keys()) {
        void this.sendRegister(id).catch((err: unknown) => {
          const e = err instanceof TetherError ? err : new TetherError('SIGNAL_UNREACHABLE', String(err));
          this.log.error({ sessionId: id, code: e.code, err: e.message }, 're-register failed');
          this.emit('register-failed', id, e);
        });
      }
    });
    this.socket.on('disconnect', (reason) => {
      // Our own close() is not worth a warning; anything else is, since devices cannot join meanwhile.
      if (reason === 'io client disconnect') return;
      this.log.warn({ reason }, 'signal server connection lost; retrying');
      this.emit('connection', 'lost');
    });
    this.socket.on(SignalEvents.fromPeer, (raw: unknown) => this.onFromPeer(raw));
    this.socket.on(SignalEvents.signalError, (raw: unknown) => {
      // The server says another connection took one of our sessions over: devices no longer reach us.
      const parsed = SignalErrorSchema.safeParse(raw);
      if (!parsed.success || parsed.data.code !== 'SESSION_TAKEN' || !parsed.data.sessionId) return;
      const id = parsed.data.sessionId;
      if (!this.registered.has(id)) return;
      this.log.error({ sessionId: id, code: 'SESSION_TAKEN' }, 'another connection took this session over');
      this.emit('register-failed', id, new TetherError('SESSION_TAKEN', parsed.data.message));
    });
    this.socket.on(SignalEvents.peerLeft, (raw: unknown) => {
      const parsed = PeerLeftSchema.safeParse(raw);
      if (parsed.success && this.registered.has(parsed.data.sessionId)) this.handler.onPeerLeft(parsed.data.sessionId, parsed.data.peerId);
    });
  }

  /** Connects; rejects with SIGNAL_UNREACHABLE after `timeoutMs`. */
  connect(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('connect', done);
        this.socket.disconnect();
        reject(new TetherError('SIGNAL_UNREACHABLE', `cannot reach the signal server within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.socket.once('connect', done);
      this.socket.connect();
    });
  }

  /**
   * Serves a session id through this signal server; throws SESSION_TAKEN and the like. `owner` proves
   * ownership to the server (keep it with a persisted session to take it back after a restart).
   */
  async register(sessionId: string, owner = derivedOwner(sessionId)): Promise<void> {
    this.registered.set(sessionId, owner);
    try {
      await this.sendRegister(sessionId);
    } catch (err) {
      this.registered.delete(sessionId);
      throw err;
    }
  }

  /** Stops serving a session id. */
  unregister(sessionId: string): void {
    if (!this.registered.delete(sessionId)) return;
    if (this.socket.connected) this.socket.emit(SignalEvents.hostUnregister, { v: PROTOCOL_VERSION, sessionId });
  }

  /** Disconnects from the signal server. */
  close(): void {
    if (this.iceTimer) clearTimeout(this.iceTimer);
    this.iceTimer = null;
    this.registered.clear();
    this.socket.disconnect();
  }

  /** Asks for the servers this signal server hands out; refreshes minted credentials before they expire. */
  private async fetchIceServers(): Promise<void> {
    if (this.iceTimer) clearTimeout(this.iceTimer);
    this.iceTimer = null;
    let raw: unknown;
    try {
      raw = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(SignalEvents.iceServers, { v: PROTOCOL_VERSION });
    } catch (err) {
      // An older server, or the connection dropped: keep what we had; the next connect asks again.
      this.log.debug({ err: (err as Error).message }, 'no STUN/TURN servers from the signal server');
      return;
    }
    const ack = SignalAckSchema.safeParse(raw);
    if (!ack.success || !ack.data.ok) return;
    this.iceServers = ack.data.iceServers ?? [];
    const ttl = ack.data.iceTtlSeconds;
    if (ttl !== undefined && this.socket.connected) {
      this.iceTimer = setTimeout(() => void this.fetchIceServers(), Math.min(Math.max((ttl * 1000) / 2, MIN_ICE_REFRESH_MS), 2 ** 31 - 1));
      this.iceTimer.unref();
    }
  }

  private async sendRegister(sessionId: string): Promise<void> {
    let ack: SignalAck;
    try {
      const owner = this.registered.get(sessionId) ?? derivedOwner(sessionId);
      ack = (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId, owner })) as SignalAck;
    } catch (err) {
      throw new TetherError('SIGNAL_UNREACHABLE', 'the signal server did not answer the registration', { cause: err });
    }
    if (!ack.ok) throw new TetherError(isErrorCode(ack.error.code) ? ack.error.code : 'BAD_ENVELOPE', ack.error.message);
  }

  private onFromPeer(raw: unknown): void {
    const parsed = PeerEnvelopeSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn({ code: 'BAD_ENVELOPE' }, 'ignored a malformed envelope from the signal server');
      return;
    }
    const { sessionId, peerId, payload } = parsed.data;
    if (!this.registered.has(sessionId)) return;
    this.handler.onSignal(sessionId, peerId, payload, (reply) => this.socket.emit(SignalEvents.toPeer, { sessionId, peerId, payload: reply }));
  }
}
