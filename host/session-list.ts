/**
 * The session list as a shared document: its own id and key (the server's link), its own devices, and
 * list intents (start, end, rename, remove sessions) validated here and carried out by the server.
 */
import { EventEmitter } from 'node:events';
import * as Y from 'yjs';
import type { Logger } from 'pino';
import { ListIntentSchema, type ClientHello, type ListIntent } from '../protocol/messages.js';
import { TetherError } from '../protocol/errors.js';
import { SessionPeers } from './session-peers.js';
import { SessionListWriter } from './session-list-writer.js';
import type { SignalSession } from './signal-link.js';

/** The intent types the list accepts, read from the schema itself. */
const LIST_INTENT_TYPES: ReadonlySet<string> = new Set(ListIntentSchema.options.map((o) => o.shape.type.value));

/** Carries out list intents; `by` is the device that asked. */
export type ListIntentHandler = (intent: ListIntent, by: { name: string; deviceId: string }) => Promise<TetherError | null>;

interface SessionListEvents {
  'device-joined': [peerId: string, hello: ClientHello];
  'device-left': [peerId: string];
}

/** The server's session list. */
export class SessionList extends EventEmitter<SessionListEvents> implements SignalSession {
  readonly kind = 'list' as const;
  readonly doc = new Y.Doc();
  readonly peers: SessionPeers;
  /** The list's only writer. */
  readonly list: SessionListWriter;
  private readonly names = new Map<string, { name: string; deviceId: string }>();

  constructor(
    readonly sessionId: string,
    readonly key: string,
    meta: ConstructorParameters<typeof SessionListWriter>[1],
    private readonly handle: ListIntentHandler,
    deps: { log: Logger; wrtc: object | undefined; iceServers: RTCIceServer[] },
  ) {
    super();
    this.list = new SessionListWriter(this.doc, meta);
    this.peers = new SessionPeers({
      sessionId,
      doc: this.doc,
      wrtc: deps.wrtc,
      iceServers: deps.iceServers,
      log: deps.log,
      applyIntent: (peerId, raw) => this.applyIntent(peerId, raw),
      roster: this.list,
    });
    this.peers.on('joined', (peerId, hello) => {
      this.names.set(peerId, { name: hello.deviceName, deviceId: hello.deviceId });
      this.emit('device-joined', peerId, hello);
    });
    this.peers.on('left', (peerId) => this.emit('device-left', peerId));
  }

  onOffer(peerId: string, sdp: string, sendAnswer: (sdp: string) => void): void {
    this.peers.acceptOffer(peerId, sdp, sendAnswer);
  }

  onPeerLeft(peerId: string): void {
    this.peers.signalingLeft(peerId);
  }

  close(): void {
    this.peers.close();
  }

  private async applyIntent(peerId: string, raw: Record<string, unknown>): Promise<TetherError | null> {
    const parsed = ListIntentSchema.safeParse(raw);
    if (!parsed.success) {
      if (typeof raw.type === 'string' && !LIST_INTENT_TYPES.has(raw.type)) {
        return new TetherError('WRONG_SESSION_KIND', 'this is the session list; open a session to act in it');
      }
      const issue = parsed.error.issues[0];
      return new TetherError('INTENT_INVALID', issue ? `${issue.path.join('.') || 'intent'}: ${issue.message}` : undefined);
    }
    return this.handle(parsed.data, this.names.get(peerId) ?? { name: 'unknown device', deviceId: '' });
  }
}
