/**
 * The host's connection to a signal server (embedded or standalone): registers sessions, verifies
 * each device's offer MAC with the session key before anything is applied, and returns MAC-signed
 * answers. Re-registers after the signaling connection comes back, proving ownership of each session
 * id with its owner secret, so the server hands the session to this connection at once.
 */
import { createHmac } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Logger } from 'pino';
import { SignalEvents, PeerEnvelopeSchema, PeerLeftSchema, type SignalAck, type SignalPayload } from '../protocol/signaling.js';
import { signSdp, verifySdp } from '../protocol/mac.js';
import { isErrorCode, TetherError } from '../protocol/errors.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { newOwnerSecret } from '../protocol/ids.js';

/** A session as the signal link sees it. */
export interface SignalSession {
  readonly sessionId: string;
  readonly key: string;
  /**
   * The secret proving to the signal server that this host owns the session id (protocol/ids.ts
   * newOwnerSecret). Keep it with the session to re-register after a restart; when absent, one is
   * derived from this process's secret, the same for every link and re-register in this process.
   */
  readonly owner?: string;
  /** An authenticated offer; call `sendAnswer` with the answer SDP. */
  onOffer(peerId: string, sdp: string, sendAnswer: (sdp: string) => void): void;
  /** The peer's signaling connection left. */
  onPeerLeft(peerId: string): void;
}

const ACK_TIMEOUT_MS = 10_000;

/**
 * Derives a session's owner secret when the session brings none: nothing is stored per session, and a
 * share stopped and started again (a new link, the same session id) still proves the same owner.
 */
const PROCESS_OWNER_SEED = newOwnerSecret();

/** The host side of signaling. */
export class HostSignalLink {
  private readonly socket: Socket;
  private readonly sessions = new Map<string, SignalSession>();
  /** Peers already warned about, so a retrying device with a wrong key logs once. */
  private readonly warned = new Set<string>();

  constructor(
    url: string,
    private readonly log: Logger,
  ) {
    const u = new URL(url);
    this.socket = io(u.origin, {
      path: `${u.pathname.replace(/\/+$/, '')}/socket.io`,
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelay: 250,
      reconnectionDelayMax: 5000,
    });
    this.socket.on('connect', () => {
      for (const s of this.sessions.values()) void this.sendRegister(s.sessionId).catch((err: Error) => this.log.error({ err: err.message }, 're-register failed'));
    });
    this.socket.on('disconnect', (reason) => {
      // Our own close() is not worth a warning; anything else is, since devices cannot join meanwhile.
      if (reason !== 'io client disconnect') this.log.warn({ reason }, 'signal server connection lost; retrying');
    });
    this.socket.on(SignalEvents.fromPeer, (raw: unknown) => this.onFromPeer(raw));
    this.socket.on(SignalEvents.peerLeft, (raw: unknown) => {
      const parsed = PeerLeftSchema.safeParse(raw);
      if (parsed.success) this.sessions.get(parsed.data.sessionId)?.onPeerLeft(parsed.data.peerId);
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

  /** Serves a session through this signal server. */
  async register(session: SignalSession): Promise<void> {
    this.sessions.set(session.sessionId, session);
    await this.sendRegister(session.sessionId);
  }

  /** Stops serving a session. */
  unregister(sessionId: string): void {
    if (!this.sessions.delete(sessionId)) return;
    if (this.socket.connected) this.socket.emit(SignalEvents.hostUnregister, { v: PROTOCOL_VERSION, sessionId });
  }

  /** Disconnects from the signal server. */
  close(): void {
    this.sessions.clear();
    this.socket.disconnect();
  }

  private ownerOf(sessionId: string): string {
    return this.sessions.get(sessionId)?.owner ?? createHmac('sha256', PROCESS_OWNER_SEED).update(sessionId).digest('base64url');
  }

  private async sendRegister(sessionId: string): Promise<void> {
    const ack = (await this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck(SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId, owner: this.ownerOf(sessionId) })) as SignalAck;
    if (!ack.ok) {
      throw new TetherError(isErrorCode(ack.error.code) ? ack.error.code : 'BAD_ENVELOPE', ack.error.message);
    }
  }

  private sendToPeer(sessionId: string, peerId: string, payload: SignalPayload): void {
    this.socket.emit(SignalEvents.toPeer, { sessionId, peerId, payload });
  }

  private onFromPeer(raw: unknown): void {
    const parsed = PeerEnvelopeSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn({ code: 'BAD_ENVELOPE' }, 'ignored a malformed envelope from the signal server');
      return;
    }
    const { sessionId, peerId, payload } = parsed.data;
    const session = this.sessions.get(sessionId);
    if (!session || payload.kind !== 'offer') return;
    if (!verifySdp(session.key, 'offer', sessionId, peerId, payload.sdp, payload.mac)) {
      if (!this.warned.has(peerId)) {
        this.warned.add(peerId);
        if (this.warned.size > 1000) this.warned.clear();
        this.log.warn({ sessionId, peerId, code: 'KEY_REJECTED' }, 'refused a device: its link has the wrong key (or the signal server altered its offer)');
      }
      this.sendToPeer(sessionId, peerId, { kind: 'reject', code: 'KEY_REJECTED', message: 'the host rejected this link\'s key' });
      return;
    }
    session.onOffer(peerId, payload.sdp, (answer) => {
      this.sendToPeer(sessionId, peerId, { kind: 'answer', sdp: answer, mac: signSdp(session.key, 'answer', sessionId, peerId, answer) });
    });
  }
}
