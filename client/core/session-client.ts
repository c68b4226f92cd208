/**
 * The client side of one session, shared by the browser app and `tether attach`: a read-only Yjs replica
 * kept in sync over a channel of a host connection (its own, or one shared with other sessions of the
 * same host), intents sent and retried until the host replies (the host applies each id once), and the
 * state a UI shows. Reconnects resume by state vector, so nothing is lost or doubled.
 */
import { EventEmitter } from 'events';
import * as Y from 'yjs';
import { FrameTag } from '../../protocol/frames.js';
import { decodeJson, encodeJson, IntentReplySchema, type Intent, type IntentBody, type IntentReply, type Notice } from '../../protocol/messages.js';
import { decodeSync, encodeStep1 } from '../../protocol/sync.js';
import { newId } from '../../protocol/ids.js';
import { TetherError } from '../../protocol/errors.js';
import { parseSessionUrl } from '../../protocol/session-url.js';
import { terminalDocView, type TerminalDocView } from '../../protocol/terminal-doc.js';
import { conversationDocView, type ConversationDocView } from '../../protocol/conversation-doc.js';
import type { Role } from '../../protocol/roles.js';
import { HostConnection, type ConnectionState, type HostConnectionOptions } from './host-connection.js';
import { MemoryCredentialStore, type CredentialStore } from './credential-store.js';

export type { ConnectionState } from './host-connection.js';

/** Most intents kept while disconnected; older ones are rejected rather than grow without bound. */
const MAX_PENDING_INTENTS = 2000;

/** Options of a session client that makes its own connection from a link. */
export interface SessionClientOptions extends Pick<HostConnectionOptions, 'deviceName' | 'deviceKind' | 'wrtc' | 'iceServers' | 'iceTransportPolicy' | 'backoffInitialMs' | 'backoffMaxMs'> {
  /** The session link (its token, when it has one, pairs this device). */
  url: string;
  /** Where this device keeps its key and credentials (in memory when omitted). */
  credentials?: CredentialStore | null;
}

interface PendingIntent {
  intent: Intent;
  resolve: (reply: IntentReply) => void;
}

interface SessionClientEvents {
  state: [ConnectionState, TetherError | null];
  /** The replica caught up with the host (after each (re)connect). */
  synced: [];
  /** What this device may do here changed (an owner changed its role). */
  role: [Role];
  /** The host asks a person to allow this device (a message), or it was allowed (null). */
  waiting: [string | null];
  /** The host removed this device: the replica and queued intents were dropped; show nothing more. */
  revoked: [TetherError];
}

/** A live replica of one session. */
export class SessionClient extends EventEmitter<SessionClientEvents> {
  readonly doc = new Y.Doc();
  /** The replica read as a terminal session. */
  readonly view: TerminalDocView = terminalDocView(this.doc);
  /** The replica read as a conversation session. */
  readonly conversation: ConversationDocView = conversationDocView(this.doc);
  state: ConnectionState = 'connecting';
  /** The error that caused the current state (fatal when state is 'failed' or 'closed'). */
  error: TetherError | null = null;
  /** What this device may do here, as the host said when the channel opened (again when it changes). */
  role: Role | null = null;
  /** While the host waits for a person to allow this device: the host's message. */
  waiting: string | null = null;
  /** The connection this session lives on. */
  readonly connection: HostConnection;
  readonly sessionId: string;

  private channel: number | null = null;
  private readonly pending = new Map<string, PendingIntent>();
  private readonly ownsConnection: boolean;
  private ended = false;
  private synced = false;
  /** A malformed link: the client fails at start without contacting anyone. */
  private linkError: TetherError | null = null;
  private readonly onNotice = (notice: Notice): void => {
    if (notice.type === 'pending' && !this.ended) {
      this.waiting = notice.message;
      this.emit('waiting', notice.message);
    }
  };
  private readonly onRevoked = (err: TetherError): void => {
    // Nothing kept for a host that removed this device: queued intents are dropped, the replica emptied.
    this.rejectPending(err);
    this.emit('revoked', err);
  };
  private readonly onConnectionState = (state: ConnectionState, error: TetherError | null): void => {
    if (this.ended) return;
    this.synced = false;
    if (state === 'live') return; // live for this session once its channel has synced
    this.setState(state, error);
    if (state === 'failed' || state === 'closed') this.rejectPending(error ?? new TetherError('PEER_CLOSED', 'client closed'));
  };

  /** A client with its own connection, from a link; or a session on an existing connection. */
  constructor(options: SessionClientOptions | { connection: HostConnection; sessionId: string }) {
    super();
    if ('connection' in options) {
      this.connection = options.connection;
      this.sessionId = options.sessionId;
      this.ownsConnection = false;
    } else {
      let link: ReturnType<typeof parseSessionUrl> | null = null;
      let error: TetherError | null = null;
      try {
        link = parseSessionUrl(options.url);
      } catch (err) {
        error = err instanceof TetherError ? err : new TetherError('BAD_FLAG', String(err));
      }
      this.sessionId = link?.sessionId ?? '';
      this.ownsConnection = true;
      this.connection = new HostConnection({
        origin: link?.origin ?? 'http://invalid.invalid',
        entrySessionId: this.sessionId,
        token: link?.token ?? null,
        credentials: options.credentials === undefined ? new MemoryCredentialStore() : options.credentials,
        deviceName: options.deviceName,
        deviceKind: options.deviceKind,
        wrtc: options.wrtc,
        iceServers: options.iceServers,
        iceTransportPolicy: options.iceTransportPolicy,
        backoffInitialMs: options.backoffInitialMs,
        backoffMaxMs: options.backoffMaxMs,
      });
      this.linkError = error;
    }
  }

  /** This connection's peer id (changes on every reconnect). */
  get peerId(): string | null {
    return this.connection.peerId;
  }

  /** Starts connecting (idempotent). */
  start(): void {
    if (this.channel !== null || this.state === 'closed') return;
    if (this.linkError) {
      this.setState('failed', this.linkError);
      return;
    }
    this.connection.on('state', this.onConnectionState);
    this.connection.on('notice', this.onNotice);
    this.connection.on('revoked', this.onRevoked);
    this.channel = this.connection.openChannel(this.sessionId, {
      onOpened: (role) => this.onOpened(role),
      onFrame: (tag, body) => this.onFrame(tag, body),
      onEnd: (err) => this.onEnd(err),
    });
    if (this.ownsConnection) this.connection.start();
  }

  /**
   * Sends an intent; resolves with the host's reply. Survives reconnects (the host dedupes by id). With
   * `timeoutMs`, an intent the host has not answered by then is given up (HOST_UNREACHABLE) and not sent
   * again — for actions a person waits on, like starting a session.
   */
  sendIntent(body: IntentBody, options: { timeoutMs?: number } = {}): Promise<IntentReply> {
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
      if (options.timeoutMs !== undefined) {
        setTimeout(() => {
          if (!this.pending.delete(intent.id)) return;
          resolve({ id: intent.id, ok: false, error: new TetherError('HOST_UNREACHABLE', 'your computer did not answer in time').toJSON() });
        }, options.timeoutMs);
      }
      if (this.synced) this.sendIntentFrame(intent);
    });
  }

  /** Try again now (network back, page visible). */
  nudge(): void {
    this.connection.nudge();
  }

  /**
   * Drops the current data channel as a network fault would; the client reconnects and resumes
   * by state vector. (A "reconnect now" for UIs, and how tests cut a connection.)
   */
  dropConnection(): void {
    this.connection.dropConnection();
  }

  /** Disconnects for good (the host is told this device left). */
  close(): void {
    if (this.state === 'closed') return;
    this.connection.off('state', this.onConnectionState);
    this.connection.off('notice', this.onNotice);
    this.connection.off('revoked', this.onRevoked);
    if (this.channel !== null && !this.ended) this.connection.closeChannel(this.channel);
    if (this.ownsConnection) this.connection.close();
    this.setState('closed', null);
    this.rejectPending(new TetherError('PEER_CLOSED', 'client closed'));
  }

  private setState(state: ConnectionState, error: TetherError | null): void {
    this.state = state;
    this.error = error;
    this.emit('state', state, error);
  }

  private rejectPending(err: TetherError): void {
    for (const [id, p] of this.pending) p.resolve({ id, ok: false, error: err.toJSON() });
    this.pending.clear();
  }

  private onOpened(role: Role): void {
    const changed = role !== this.role;
    this.role = role;
    if (this.waiting !== null) {
      this.waiting = null;
      this.emit('waiting', null);
    }
    if (changed) this.emit('role', role);
    // Already synced on this connection: the host only said again what this device may do.
    if (this.synced) return;
    // Resume: send our state vector; the host answers with exactly what we miss.
    this.connection.sendChannel(FrameTag.sync, this.channel!, encodeStep1(this.doc));
  }

  private onFrame(tag: number, body: Uint8Array): void {
    if (tag === FrameTag.sync) {
      const msg = decodeSync(body);
      if (msg.type === 'step1') throw new TetherError('FRAME_MALFORMED', 'the host never asks for client state');
      Y.applyUpdate(this.doc, msg.update, 'host');
      if (msg.type === 'step2') this.becameLive();
    } else if (tag === FrameTag.reply) {
      const reply = decodeJson(IntentReplySchema, body);
      const p = this.pending.get(reply.id);
      if (p) {
        this.pending.delete(reply.id);
        p.resolve(reply);
      }
    }
  }

  private becameLive(): void {
    this.synced = true;
    if (this.state !== 'live') this.setState('live', null);
    for (const p of this.pending.values()) this.sendIntentFrame(p.intent);
    this.emit('synced');
  }

  /** The host ended this session for this device, for good; the replica stays readable. */
  private onEnd(err: TetherError): void {
    this.ended = true;
    this.synced = false;
    this.connection.off('state', this.onConnectionState);
    this.setState('closed', err);
    this.rejectPending(err);
    if (this.ownsConnection) this.connection.close();
  }

  private sendIntentFrame(intent: Intent): void {
    this.connection.sendChannel(FrameTag.intent, this.channel!, encodeJson(intent));
  }
}
