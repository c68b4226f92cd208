/**
 * All device connections of one session: accepts authenticated offers, broadcasts every document
 * update to every synced device, and applies each intent id at most once (retries after a reconnect
 * get the recorded reply instead of a second application).
 */
import { EventEmitter } from 'node:events';
import type * as Y from 'yjs';
import type { Logger } from 'pino';
import { PeerLink } from '../protocol/peer-link.js';
import { MAX_CLIENT_FRAME_BYTES } from '../protocol/frames.js';
import type { ClientHello, IntentReply } from '../protocol/messages.js';
import type { DeviceInfo } from '../protocol/terminal-doc.js';
import { TetherError } from '../protocol/errors.js';
import { DeviceConnection } from './device-connection.js';
import { FullStateCache } from './full-state-cache.js';

/** Remembered intent ids per session (oldest forgotten first). */
const REMEMBERED_INTENTS = 10_000;

/** Applies one intent; returns the reply's error, or null when applied. */
export type IntentApplier = (peerId: string, raw: Record<string, unknown>) => Promise<TetherError | null> | TetherError | null;

/** Options of a session's device hub. */
export interface SessionPeersOptions {
  sessionId: string;
  doc: Y.Doc;
  wrtc: object | undefined;
  iceServers: RTCIceServer[];
  log: Logger;
  applyIntent: IntentApplier;
  /** The session's document writer, which lists devices for every other device to see. */
  roster: { addDevice(peerId: string, device: DeviceInfo): void; removeDevice(peerId: string): void };
}

interface SessionPeersEvents {
  joined: [peerId: string, hello: ClientHello];
  left: [peerId: string];
}

/** The devices of one session. */
export class SessionPeers extends EventEmitter<SessionPeersEvents> {
  private readonly connections = new Map<string, DeviceConnection>();
  private readonly replies = new Map<string, Promise<IntentReply>>();
  private readonly onUpdate = (update: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction): void => {
    for (const c of this.connections.values()) c.deliver(update, tr.beforeState);
  };

  private readonly fullState: FullStateCache;

  constructor(private readonly options: SessionPeersOptions) {
    super();
    this.fullState = new FullStateCache(options.doc);
    options.doc.on('update', this.onUpdate);
  }

  /** Connected devices that said hello. */
  get joinedCount(): number {
    let n = 0;
    for (const c of this.connections.values()) if (c.hello) n++;
    return n;
  }

  /** Answers a device's (already authenticated) offer; `sendAnswer` delivers the answer SDP. */
  acceptOffer(peerId: string, sdp: string, sendAnswer: (sdp: string) => void): void {
    this.connections.get(peerId)?.close(null);
    const log = this.options.log.child({ peerId, role: 'client' });
    const link = new PeerLink({
      initiator: false,
      wrtc: this.options.wrtc,
      iceServers: this.options.iceServers,
      maxInboundFrame: MAX_CLIENT_FRAME_BYTES,
    });
    const connection = new DeviceConnection(peerId, link, {
      sessionId: this.options.sessionId,
      doc: this.options.doc,
      fullState: () => this.fullState.get(),
      handleIntent: (p, id, raw) => this.handleIntent(p, id, raw),
    }, log);
    this.connections.set(peerId, connection);
    link.on('sdp', (answer) => sendAnswer(answer.sdp));
    connection.on('joined', (hello) => {
      log.info({ device: hello.deviceName }, 'device joined');
      this.options.roster.addDevice(peerId, { deviceId: hello.deviceId, name: hello.deviceName, kind: hello.deviceKind, joinedAt: Date.now() });
      this.emit('joined', peerId, hello);
    });
    connection.on('close', () => {
      if (this.connections.get(peerId) !== connection) return;
      this.connections.delete(peerId);
      if (!connection.hello) return;
      this.options.roster.removeDevice(peerId);
      this.emit('left', peerId);
    });
    link.applyRemoteSdp({ type: 'offer', sdp });
  }

  /** The signaling connection of a peer ended: drop it only if its channel never opened. */
  signalingLeft(peerId: string): void {
    const c = this.connections.get(peerId);
    if (c && !c.link.open) c.close(null);
  }

  /** Resolves once every device received everything queued for it, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const all = Promise.all([...this.connections.values()].map((c) => c.link.whenBelow(0)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Disconnects every device but keeps serving (sharing stopped; it may start again). */
  disconnectAll(): void {
    for (const c of [...this.connections.values()]) c.close(null);
  }

  /** Closes every device connection. */
  close(): void {
    this.options.doc.off('update', this.onUpdate);
    this.fullState.close();
    for (const c of [...this.connections.values()]) c.close(null);
    this.connections.clear();
  }

  private handleIntent(peerId: string, id: string, raw: Record<string, unknown>): Promise<IntentReply> {
    const seen = this.replies.get(id);
    if (seen) return seen.then((r) => (r.ok ? { id, ok: true, duplicate: true } : r));
    const reply = Promise.resolve()
      .then(() => this.options.applyIntent(peerId, raw))
      .then(
        (err): IntentReply => (err ? { id, ok: false, error: err.toJSON() } : { id, ok: true }),
        (err: unknown): IntentReply => {
          this.options.log.error({ err }, 'intent failed unexpectedly');
          return { id, ok: false, error: { code: 'INTENT_INVALID', message: 'the host could not apply this intent' } };
        },
      );
    this.replies.set(id, reply);
    if (this.replies.size > REMEMBERED_INTENTS) this.replies.delete(this.replies.keys().next().value as string);
    return reply;
  }
}
