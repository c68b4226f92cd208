/**
 * The client side of a session, shared by the browser app and `tether attach`: joins through the
 * signal server, authenticates the host's answer, keeps a read-only Yjs replica in sync over the data
 * channel, sends intents (each applied once by the host, retried across reconnects), and reconnects
 * with backoff, resuming by state vector so nothing is lost or doubled.
 */
import { EventEmitter } from 'events';
import { io, type Socket } from 'socket.io-client';
import * as Y from 'yjs';
import { PeerLink } from '../../protocol/peer-link.js';
import { FrameTag, MAX_HOST_FRAME_BYTES, type Frame } from '../../protocol/frames.js';
import {
  decodeJson,
  ErrorFrameSchema,
  HostHelloSchema,
  IntentReplySchema,
  type ClientHello,
  type Intent,
  type IntentBody,
  type IntentReply,
} from '../../protocol/messages.js';
import { decodeSync, encodeStep1 } from '../../protocol/sync.js';
import { SignalEvents, HostEnvelopeSchema, type SignalAck } from '../../protocol/signaling.js';
import { signSdp, verifySdp } from '../../protocol/mac.js';
import { newId } from '../../protocol/ids.js';
import { isErrorCode, TetherError, type ErrorCode } from '../../protocol/errors.js';
import { parseSessionUrl, type SessionLink } from '../../protocol/session-url.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { terminalDocView, readTerminal, type TerminalDocView } from '../../protocol/terminal-doc.js';
import { conversationDocView, readStatus, sessionKind, type ConversationDocView } from '../../protocol/conversation-doc.js';

/** Connection states a UI shows. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'failed' | 'closed';

/** Errors after which retrying cannot help: the user must act. */
const FATAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'KEY_MISSING',
  'KEY_REJECTED',
  'MAC_INVALID',
  'CLIENT_TOO_OLD',
  'HOST_TOO_OLD',
  'SERVER_TOO_OLD',
  'BAD_FLAG',
  // The host refused this device's name: the same name would be refused again.
  'NAME_INVALID',
]);

/** Most intents kept while disconnected; older ones are rejected rather than grow without bound. */
const MAX_PENDING_INTENTS = 2000;
const SIGNAL_TIMEOUT_MS = 10_000;
const HELLO_TIMEOUT_MS = 5_000;

/** Options of a session client. */
export interface SessionClientOptions {
  /** The full session link, key included. */
  url: string;
  /** Stable id of this device across reconnects. */
  deviceId: string;
  deviceName: string;
  deviceKind: 'browser' | 'terminal';
  /** `@roamhq/wrtc` in Node; omitted in browsers. */
  wrtc?: object;
  iceServers?: RTCIceServer[];
  /** Reconnect backoff: first delay and cap. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

interface PendingIntent {
  intent: Intent;
  resolve: (reply: IntentReply) => void;
}

interface SessionClientEvents {
  state: [ConnectionState, TetherError | null];
  /** The replica caught up with the host (after each (re)connect). */
  synced: [];
}

/** A live replica of one session. */
export class SessionClient extends EventEmitter<SessionClientEvents> {
  readonly doc = new Y.Doc();
  /** The replica read as a terminal session. */
  readonly view: TerminalDocView = terminalDocView(this.doc);
  /** The replica read as a conversation session. */
  readonly conversation: ConversationDocView = conversationDocView(this.doc);
  state: ConnectionState = 'connecting';
  /** The error that caused the current state (fatal when state is 'failed'). */
  error: TetherError | null = null;
  /** This connection's peer id (changes on every reconnect). */
  peerId: string | null = null;

  private readonly link: SessionLink | null;
  private socket: Socket | null = null;
  private peer: PeerLink | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private helloTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly pending = new Map<string, PendingIntent>();
  private everLive = false;

  constructor(private readonly options: SessionClientOptions) {
    super();
    let link: SessionLink | null = null;
    try {
      link = parseSessionUrl(options.url);
    } catch (err) {
      this.error = err instanceof TetherError ? err : new TetherError('BAD_FLAG', String(err));
    }
    this.link = link;
  }

  /** Starts connecting (idempotent). */
  start(): void {
    if (this.socket || this.state === 'closed') return;
    if (!this.link) {
      this.setState('failed', this.error);
      return;
    }
    const link = this.link;
    const url = new URL(link.origin);
    this.socket = io(url.origin, {
      path: `${url.pathname.replace(/\/+$/, '')}/socket.io`,
      transports: ['websocket'],
      reconnectionDelay: this.options.backoffInitialMs ?? 250,
      reconnectionDelayMax: this.options.backoffMaxMs ?? 5000,
      timeout: SIGNAL_TIMEOUT_MS,
    });
    this.socket.on(SignalEvents.fromHost, (msg: unknown) => this.onFromHost(msg));
    this.socket.on('connect', () => {
      if (!this.peer && !this.retryTimer && (this.state === 'connecting' || this.state === 'reconnecting')) this.connect();
    });
    this.socket.on('connect_error', () => {
      if (this.state !== 'live' && this.state !== 'failed' && this.state !== 'closed') {
        this.error = new TetherError('SIGNAL_UNREACHABLE');
        this.emit('state', this.state, this.error);
      }
    });
  }

  /** Sends an intent; resolves with the host's reply. Survives reconnects (the host dedupes by id). */
  sendIntent(body: IntentBody): Promise<IntentReply> {
    const intent = { ...body, id: newId() } as Intent;
    if (this.state === 'failed' || this.state === 'closed') {
      const err = this.error ?? new TetherError('SESSION_ENDED');
      return Promise.resolve({ id: intent.id, ok: false, error: err.toJSON() });
    }
    return new Promise((resolve) => {
      if (this.pending.size >= MAX_PENDING_INTENTS) {
        const oldest = this.pending.keys().next().value as string;
        this.pending.get(oldest)!.resolve({ id: oldest, ok: false, error: { code: 'PEER_CLOSED', message: 'dropped: too many unsent intents while offline' } });
        this.pending.delete(oldest);
      }
      this.pending.set(intent.id, { intent, resolve });
      if (this.state === 'live') this.peer?.sendJson(FrameTag.intent, intent);
    });
  }

  /**
   * Drops the current data channel as a network fault would; the client reconnects and resumes
   * by state vector. (A "reconnect now" for UIs, and how tests cut a connection.)
   */
  dropConnection(): void {
    this.peer?.destroy(new TetherError('PEER_CLOSED', 'connection dropped'));
  }

  /** Disconnects for good. */
  close(): void {
    if (this.state === 'closed') return;
    this.clearTimers();
    this.setState('closed', null);
    const peer = this.peer;
    this.peer = null;
    peer?.destroy(null);
    this.socket?.disconnect();
    for (const [id, p] of this.pending) p.resolve({ id, ok: false, error: { code: 'PEER_CLOSED', message: 'client closed' } });
    this.pending.clear();
  }

  private setState(state: ConnectionState, error: TetherError | null): void {
    this.state = state;
    this.error = error;
    this.emit('state', state, error);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.retryTimer = null;
    this.helloTimer = null;
  }

  /** One connection attempt: join, offer, await the signed answer, hello, sync. */
  private connect(): void {
    const socket = this.socket;
    const link = this.link;
    if (!socket || !link || this.state === 'closed' || this.state === 'failed') return;
    if (!socket.connected) return; // 'connect' will call us again
    const peerId = newId();
    this.peerId = peerId;
    socket
      .timeout(SIGNAL_TIMEOUT_MS)
      .emitWithAck(SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId: link.sessionId, peerId })
      .then(
        (ack: SignalAck) => {
          if (this.peerId !== peerId || this.state === 'closed') return;
          if (!ack.ok) return this.attemptFailed(toError(ack.error));
          this.openPeer(peerId);
        },
        () => this.attemptFailed(new TetherError('SIGNAL_UNREACHABLE', 'the signal server did not answer')),
      );
  }

  private openPeer(peerId: string): void {
    const link = this.link!;
    const peer = new PeerLink({
      initiator: true,
      wrtc: this.options.wrtc,
      iceServers: this.options.iceServers,
      maxInboundFrame: MAX_HOST_FRAME_BYTES,
    });
    this.peer = peer;
    peer.on('sdp', (sdp) => {
      const mac = signSdp(link.key, 'offer', link.sessionId, peerId, sdp.sdp);
      this.socket?.emit(SignalEvents.toHost, {
        sessionId: link.sessionId,
        peerId,
        payload: { kind: 'offer', sdp: sdp.sdp, mac },
      });
    });
    peer.on('open', () => {
      const hello: ClientHello = {
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'client',
        deviceId: this.options.deviceId,
        deviceName: this.options.deviceName,
        deviceKind: this.options.deviceKind,
      };
      peer.sendJson(FrameTag.hello, hello);
      this.helloTimer = setTimeout(() => peer.fail(new TetherError('HELLO_TIMEOUT')), HELLO_TIMEOUT_MS);
    });
    let helloSeen = false;
    peer.on('frame', (frame) => {
      try {
        helloSeen = this.onFrame(peer, frame, helloSeen);
      } catch (err) {
        peer.fail(err instanceof TetherError ? err : new TetherError('FRAME_MALFORMED', String(err)));
      }
    });
    peer.on('close', (err) => {
      if (this.peer !== peer) return;
      this.peer = null;
      if (this.helloTimer) clearTimeout(this.helloTimer);
      this.attemptFailed(err ?? new TetherError('PEER_CLOSED'));
    });
  }

  /** Handles one frame from the host; returns whether hello has been seen. */
  private onFrame(peer: PeerLink, frame: Frame, helloSeen: boolean): boolean {
    if (frame.tag === FrameTag.error) {
      const e = decodeJson(ErrorFrameSchema, frame.payload);
      this.error = new TetherError(e.code, e.message);
      return helloSeen;
    }
    if (!helloSeen) {
      if (frame.tag !== FrameTag.hello) throw new TetherError('HELLO_EXPECTED');
      const hello = decodeJson(HostHelloSchema.loose(), frame.payload, 'FRAME_MALFORMED');
      if (hello.v !== PROTOCOL_VERSION) {
        throw new TetherError(hello.v > PROTOCOL_VERSION ? 'CLIENT_TOO_OLD' : 'HOST_TOO_OLD');
      }
      if (this.helloTimer) clearTimeout(this.helloTimer);
      this.helloTimer = null;
      // Resume: send our state vector; the host answers with exactly what we miss.
      peer.send(FrameTag.sync, encodeStep1(this.doc));
      return true;
    }
    switch (frame.tag) {
      case FrameTag.sync: {
        const msg = decodeSync(frame.payload);
        if (msg.type === 'step1') throw new TetherError('FRAME_MALFORMED', 'the host never asks for client state');
        Y.applyUpdate(this.doc, msg.update, 'host');
        if (msg.type === 'step2') this.becameLive(peer);
        return true;
      }
      case FrameTag.reply: {
        const reply = decodeJson(IntentReplySchema, frame.payload);
        const p = this.pending.get(reply.id);
        if (p) {
          this.pending.delete(reply.id);
          p.resolve(reply);
        }
        return true;
      }
      default:
        throw new TetherError('FRAME_UNKNOWN_TAG', `unknown frame tag ${frame.tag}`);
    }
  }

  private becameLive(peer: PeerLink): void {
    this.attempt = 0;
    this.everLive = true;
    if (this.state !== 'live') this.setState('live', null);
    for (const p of this.pending.values()) peer.sendJson(FrameTag.intent, p.intent);
    this.emit('synced');
  }

  private onFromHost(raw: unknown): void {
    const parsed = HostEnvelopeSchema.safeParse(raw);
    const link = this.link;
    const peer = this.peer;
    if (!parsed.success || !link || !peer) return;
    const msg = parsed.data;
    if (msg.peerId !== this.peerId || msg.sessionId !== link.sessionId) return;
    const payload = msg.payload;
    if (payload.kind === 'reject') {
      peer.destroy(new TetherError(payload.code, payload.message));
      return;
    }
    if (payload.kind !== 'answer' || !verifySdp(link.key, 'answer', link.sessionId, msg.peerId, payload.sdp, payload.mac)) {
      peer.destroy(new TetherError('MAC_INVALID', 'the answer from the host failed authentication: the signal server may be tampering with the connection'));
      return;
    }
    peer.applyRemoteSdp({ type: 'answer', sdp: payload.sdp });
  }

  /** Decides between giving up and retrying with backoff. */
  private attemptFailed(err: TetherError): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    const peer = this.peer;
    this.peer = null;
    peer?.destroy(null);
    const cause = this.error && FATAL_CODES.has(this.error.code) ? this.error : err;
    if (FATAL_CODES.has(cause.code) || (!this.everLive && cause.code === 'SESSION_UNKNOWN')) {
      this.clearTimers();
      this.setState('failed', cause);
      return;
    }
    const kind = sessionKind(this.doc);
    const ended = kind === 'terminal' ? readTerminal(this.view).state === 'exited' : kind === 'conversation' && readStatus(this.conversation) === 'ended';
    if (ended && cause.code === 'SESSION_UNKNOWN') {
      this.setState('closed', new TetherError('SESSION_ENDED'));
      return;
    }
    this.setState(this.everLive ? 'reconnecting' : 'connecting', cause);
    const base = Math.min(this.options.backoffMaxMs ?? 5000, (this.options.backoffInitialMs ?? 250) * 2 ** this.attempt);
    this.attempt++;
    const delay = base * (0.8 + Math.random() * 0.4);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }
}

function toError(error: { code: string; message: string }): TetherError {
  return new TetherError(isErrorCode(error.code) ? error.code : 'BAD_ENVELOPE', error.message);
}
