/**
 * The host's connection to a signal server (embedded or standalone): registers sessions, verifies
 * each device's offer MAC with the session key before anything is applied, and returns MAC-signed
 * answers. Re-registers after the signaling connection comes back.
 */
import { io, type Socket } from 'socket.io-client';
import type { Logger } from 'pino';
import { SignalEvents, PeerEnvelopeSchema, PeerLeftSchema, type SignalAck, type SignalPayload } from '../protocol/signaling.js';
import { signSdp, verifySdp } from '../protocol/mac.js';
import { isErrorCode, TetherError } from '../protocol/errors.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';

/** A session as the signal link sees it. */
export interface SignalSession {
  readonly sessionId: string;
  readonly key: string;
  /** An authenticated offer; call `sendAnswer` with the answer SDP. */
  onOffer(peerId: string, sdp: string, sendAnswer: (sdp: string) => void): void;
  /** The peer's signaling connection left. */
  onPeerLeft(peerId: string): void;
}

const ACK_TIMEOUT_MS = 10_000;

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

  private async sendRegister(sessionId: string): Promise<void> {
    const ack = (await this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck(SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId })) as SignalAck;
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
