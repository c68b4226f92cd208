/**
 * The client side of one session, shared by the browser app and `tether attach`: a read-only Yjs replica
 * kept in sync over a channel of a host connection (its own, or one shared with other sessions of the
 * same host), intents sent and retried until the host replies (the host applies each id once), and the
 * state a UI shows. Reconnects resume by state vector, so nothing is lost or doubled. With a replica store,
 * the stored replica is loaded before the first open (a rejoin syncs only what was missed); a replica ahead
 * of the host (a crashed host lost updates this device saw) is dropped and synced from nothing.
 * Intents wait for the connection only briefly (STALE_INTENT_MS) — except those sent with `queue`
 * (prompts): a stale keystroke or answer is never sent later.
 */
import { EventEmitter } from 'events';
import * as Y from 'yjs';
import { FrameTag } from '../../protocol/frames.js';
import { decodeJson, IntentReplySchema, type Intent, type IntentBody, type IntentReply, type Notice } from '../../protocol/messages.js';
import { decodeSync, encodeStep1 } from '../../protocol/sync.js';
import { newId } from '../../protocol/ids.js';
import { TetherError } from '../../protocol/errors.js';
import { parseSessionUrl } from '../../protocol/session-url.js';
import { terminalDocView, type TerminalDocView } from '../../protocol/terminal-doc.js';
import { conversationDocView, type ConversationDocView } from '../../protocol/conversation-doc.js';
import type { Role } from '../../protocol/roles.js';
import { NO_PRESENCE, PresenceSchema, type Presence } from '../../protocol/presence.js';
import { HostConnection, type ConnectionState, type HostConnectionOptions } from './host-connection.js';
import { MemoryCredentialStore, type CredentialStore } from './credential-store.js';
import type { ReplicaHandle, ReplicaStore } from './replica-store.js';
import { fromBase64Url } from '../../protocol/encoding.js';
import { milestone } from './milestone.js';

export type { ConnectionState } from './host-connection.js';

/** Most intents kept while disconnected; older ones are rejected rather than grow without bound. */
const MAX_PENDING_INTENTS = 2000;
/**
 * An intent not answered within this long while the connection is down is given up (OFFLINE) and never
 * sent later: a keystroke or an approval is stale by then. Intents sent with `queue` wait for good.
 */
export const STALE_INTENT_MS = 5_000;

/** True when `doc` holds updates the host (whose state vector is `hostVector`) does not have. */
export function replicaAhead(doc: Y.Doc, hostVector: Uint8Array): boolean {
  const host = Y.decodeStateVector(hostVector);
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) if (clock > (host.get(client) ?? 0)) return true;
  return false;
}

/** Options of a session client that makes its own connection from a link. */
export interface SessionClientOptions extends Pick<HostConnectionOptions, 'deviceName' | 'deviceKind' | 'wrtc' | 'iceServers' | 'iceTransportPolicy' | 'backoffInitialMs' | 'backoffMaxMs' | 'signalConnectTimeoutMaxMs' | 'deflate'> {
  /** The session link (its token, when it has one, pairs this device). */
  url: string;
  /** Where this device keeps its key and credentials (in memory when omitted). */
  credentials?: CredentialStore | null;
  /** Where this device keeps its replica (none when omitted: the replica lives in memory). */
  replicas?: ReplicaStore;
}

/** How an intent is sent. */
export interface SendOptions {
  /** Its id (a prompt from the outbox keeps the id it was given: the host applies each id once). */
  id?: string;
  /** Wait for the connection however long it takes (prompts only); else it goes stale (OFFLINE). */
  queue?: boolean;
}

interface PendingIntent {
  intent: Intent;
  resolve: (reply: IntentReply) => void;
  queue: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  /** The caller's own deadline (sendIntent's timeoutMs), cleared when the intent settles. */
  deadline: ReturnType<typeof setTimeout> | null;
  /** Handed to the connection at least once (the host may have applied it). */
  transmitted: boolean;
}

interface SessionClientEvents {
  state: [ConnectionState, TetherError | null];
  /** The replica caught up with the host (after each (re)connect). */
  synced: [];
  /** The replica was replaced by an empty one (the host's document is behind it): views must rebind to `doc`. */
  reset: [];
  /** The stored replica is loaded (or there is none): the page can show it before the host answers. */
  loaded: [];
  /** What this device may do here changed (an owner changed its role). */
  role: [Role];
  /** The host asks a person to allow this device (a message), or it was allowed (null). */
  waiting: [string | null];
  /** The host removed this device: the replica and queued intents were dropped; show nothing more. */
  revoked: [TetherError];
  /** Who is connected changed (see `presence`). */
  presence: [Presence];
}

function chain(a: (r: IntentReply) => void, b: (r: IntentReply) => void): (r: IntentReply) => void {
  return (r) => {
    a(r);
    b(r);
  };
}

/** A live replica of one session. */
export class SessionClient extends EventEmitter<SessionClientEvents> {
  private replicaDoc = new Y.Doc();
  private views = { view: terminalDocView(this.replicaDoc), conversation: conversationDocView(this.replicaDoc) };
  /** When the replica was last in step with the host (ms since epoch; null: never, on this device). */
  lastSyncedAt: number | null = null;
  state: ConnectionState = 'connecting';
  /** The error that caused the current state (fatal when state is 'failed' or 'closed'). */
  error: TetherError | null = null;
  /** What this device may do here, as the host said when the channel opened (again when it changes). */
  role: Role | null = null;
  /** While the host waits for a person to allow this device: the host's message. */
  waiting: string | null = null;
  /** Who is connected to this session, as the host last said (kept while disconnected: pages mark it stale). */
  presence: Presence = NO_PRESENCE;
  /** The connection this session lives on. */
  readonly connection: HostConnection;
  readonly sessionId: string;

  private channel: number | null = null;
  private readonly pending = new Map<string, PendingIntent>();
  private readonly replicas: ReplicaStore | null;
  private stored: ReplicaHandle | null = null;
  /** Resolves once a replaced replica is stored as replaced (a page reloads only after that). */
  replicaStored: Promise<void> = Promise.resolve();
  private loading = false;
  private readonly ownsConnection: boolean;
  private ended = false;
  private synced = false;
  /** The sync request went out with the open on this connection (syncAhead). */
  private askedAhead = false;
  /** A malformed link: the client fails at start without contacting anyone. */
  private linkError: TetherError | null = null;
  private readonly onNotice = (notice: Notice): void => {
    if (notice.type === 'pending' && !this.ended) {
      // The host holds this device's opens until a person allows it, and drops what came with them.
      this.askedAhead = false;
      this.waiting = notice.message;
      this.emit('waiting', notice.message);
    }
  };
  private readonly onRevoked = (err: TetherError): void => {
    // Nothing kept for a host that removed this device: queued intents are dropped, the replica emptied
    // (the stored one stops being written, so the page's wipe can delete it).
    this.rejectPending(err);
    this.stored?.close();
    this.stored = null;
    this.emit('revoked', err);
  };
  private readonly onConnectionState = (state: ConnectionState, error: TetherError | null): void => {
    if (this.ended) return;
    // Until now the replica was in step: a quiet live connection misses nothing.
    if (this.synced && state !== 'live') this.markSynced();
    this.synced = false;
    if (state !== 'live') this.askedAhead = false;
    if (state === 'live') return; // live for this session once its channel has synced
    this.setState(state, error);
    if (state === 'failed' || state === 'closed') this.rejectPending(error ?? new TetherError('PEER_CLOSED', 'client closed'));
  };

  /** A client with its own connection, from a link; or a session on an existing connection. */
  constructor(options: SessionClientOptions | { connection: HostConnection; sessionId: string; replicas?: ReplicaStore }) {
    super();
    this.replicas = options.replicas ?? null;
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
        signalConnectTimeoutMaxMs: options.signalConnectTimeoutMaxMs,
        deflate: options.deflate,
      });
      this.linkError = error;
    }
  }

  /** This connection's peer id (changes on every reconnect). */
  get peerId(): string | null {
    return this.connection.peerId;
  }

  /** The replica (replaced by a new one on 'reset'). */
  get doc(): Y.Doc {
    return this.replicaDoc;
  }

  /** The replica read as a terminal session. */
  get view(): TerminalDocView {
    return this.views.view;
  }

  /** The replica read as a conversation session. */
  get conversation(): ConversationDocView {
    return this.views.conversation;
  }

  /** Starts connecting (idempotent); with a replica store, once the stored replica is loaded. */
  start(): void {
    if (this.channel !== null || this.loading || this.state === 'closed') return;
    if (this.linkError) {
      this.setState('failed', this.linkError);
      return;
    }
    if (this.replicas && !this.stored) {
      this.loading = true;
      // Connecting takes far longer than reading the stored replica: both at once. The channel (and its
      // state vector) waits for the replica.
      if (this.ownsConnection) this.connection.start();
      this.replicas.open(this.connection.origin, this.sessionId, this.replicaDoc).then(
        (handle) => {
          this.loading = false;
          if (this.state === 'closed') return handle.close();
          this.stored = handle;
          this.lastSyncedAt = handle.lastSyncedAt;
          this.emit('loaded');
          this.start();
        },
        () => {
          // No stored replica (private mode, quota): work from memory, as a device without one.
          this.loading = false;
          this.emit('loaded');
          this.openChannel();
        },
      );
      return;
    }
    if (!this.replicas) this.emit('loaded');
    this.openChannel();
  }

  private openChannel(): void {
    if (this.channel !== null || this.state === 'closed') return;
    milestone('replica-loaded');
    this.connection.on('state', this.onConnectionState);
    this.connection.on('notice', this.onNotice);
    this.connection.on('revoked', this.onRevoked);
    this.channel = this.connection.openChannel(this.sessionId, {
      onOpened: (role, stateVector) => this.onOpened(role, stateVector),
      syncAhead: () => this.syncAhead(),
      onFrame: (tag, body) => this.onFrame(tag, body),
      onEnd: (err) => this.onEnd(err),
    });
    if (this.ownsConnection) this.connection.start();
    // A connection started while the replica loaded may have a state to report already (failed, or
    // retrying for a reason): this session takes it on now.
    const { state, error } = this.connection;
    if (this.ownsConnection && state !== 'live' && (state !== 'connecting' || error)) this.onConnectionState(state, error);
  }

  /**
   * Sends an intent; resolves with the host's reply. Survives short outages (the host dedupes by id);
   * one not answered within STALE_INTENT_MS while the connection is down resolves OFFLINE and is never
   * sent — unless `queue` (prompts), which waits for the host however long it takes. With `timeoutMs`,
   * an intent the host has not answered by then is given up (HOST_UNREACHABLE) and not sent again — for
   * actions a person waits on, like starting a session.
   */
  sendIntent(body: IntentBody, options: SendOptions & { timeoutMs?: number } = {}): Promise<IntentReply> {
    const intent = { ...body, id: options.id ?? newId() } as Intent;
    if (this.state === 'failed' || this.state === 'closed') {
      const err = this.error ?? new TetherError('SESSION_ENDED');
      return Promise.resolve({ id: intent.id, ok: false, error: err.toJSON() });
    }
    const known = this.pending.get(intent.id);
    if (known) return new Promise((resolve) => (known.resolve = chain(known.resolve, resolve)));
    return new Promise((resolve) => {
      if (this.pending.size >= MAX_PENDING_INTENTS) {
        const oldest = this.pending.keys().next().value as string;
        this.settle(oldest, { id: oldest, ok: false, error: { code: 'PEER_CLOSED', message: 'dropped: too many unsent intents while offline' } });
      }
      const p: PendingIntent = { intent, resolve, queue: options.queue === true, timer: null, deadline: null, transmitted: false };
      this.pending.set(intent.id, p);
      try {
        // Sent before its timers are set: a keystroke leaves without waiting for them.
        if (this.synced) this.sendIntentFrame(intent);
      } finally {
        if (!p.queue) p.timer = setTimeout(() => this.expire(intent.id), STALE_INTENT_MS);
        if (options.timeoutMs !== undefined) {
          p.deadline = setTimeout(() => {
            this.settle(intent.id, { id: intent.id, ok: false, error: new TetherError('HOST_UNREACHABLE', 'your computer did not answer in time').toJSON() });
          }, options.timeoutMs);
        }
      }
    });
  }

  /**
   * Takes back an intent that was never sent (edited or removed from the outbox while offline); false
   * when it was handed to the connection already (the host may have applied it).
   */
  withdraw(id: string): boolean {
    const p = this.pending.get(id);
    if (!p) return true;
    if (p.transmitted) return false;
    this.settle(id, { id, ok: false, error: { code: 'OFFLINE', message: 'withdrawn before it was sent' } });
    return true;
  }

  /** A non-queued intent's time is up: still waiting while live is fine, else it is given up. */
  private expire(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (this.synced) {
      p.timer = setTimeout(() => this.expire(id), STALE_INTENT_MS);
      return;
    }
    this.settle(id, { id, ok: false, error: new TetherError('OFFLINE').toJSON() });
  }

  private settle(id: string, reply: IntentReply): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    if (p.deadline) clearTimeout(p.deadline);
    p.resolve(reply);
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
    this.stored?.close();
  }

  private setState(state: ConnectionState, error: TetherError | null): void {
    this.state = state;
    this.error = error;
    this.emit('state', state, error);
  }

  private rejectPending(err: TetherError): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { id, ok: false, error: err.toJSON() });
  }

  private onOpened(role: Role, hostVector: string | undefined): void {
    const changed = role !== this.role;
    this.role = role;
    if (this.waiting !== null) {
      this.waiting = null;
      this.emit('waiting', null);
    }
    if (changed) this.emit('role', role);
    // Already synced on this connection: the host only said again what this device may do.
    if (this.synced) return;
    milestone('channel-opened');
    // Asked already, with the open (an empty replica cannot be ahead of the host).
    if (this.askedAhead) {
      this.askedAhead = false;
      return;
    }
    if (hostVector !== undefined && replicaAhead(this.replicaDoc, fromBase64Url(hostVector))) this.resetReplica();
    // Resume: send our state vector; the host answers with exactly what we miss.
    this.connection.sendChannel(FrameTag.sync, this.channel!, encodeStep1(this.replicaDoc));
  }

  /**
   * The sync request sent with the channel's open, ahead of the host's hello: only for an empty replica
   * (a first visit), which cannot be ahead of the host; one with content waits for the host's state vector.
   */
  private syncAhead(): Uint8Array | null {
    this.askedAhead = !this.synced && this.replicaDoc.store.clients.size === 0;
    return this.askedAhead ? encodeStep1(this.replicaDoc) : null;
  }

  /** The host's document is behind this replica (it lost updates in a crash): start from nothing. */
  private resetReplica(): void {
    this.replicaDoc.destroy();
    this.replicaDoc = new Y.Doc();
    this.views = { view: terminalDocView(this.replicaDoc), conversation: conversationDocView(this.replicaDoc) };
    this.replicaStored = this.stored?.replace(this.replicaDoc).catch(() => undefined) ?? Promise.resolve();
    this.emit('reset');
  }

  private onFrame(tag: number, body: Uint8Array): void {
    if (tag === FrameTag.sync) {
      const msg = decodeSync(body);
      if (msg.type === 'step1') throw new TetherError('FRAME_MALFORMED', 'the host never asks for client state');
      Y.applyUpdate(this.replicaDoc, msg.update, 'host');
      this.stored?.store(msg.update);
      if (msg.type === 'step2') this.becameLive();
      else if (this.synced) this.markSynced();
    } else if (tag === FrameTag.reply) {
      const reply = decodeJson(IntentReplySchema, body);
      this.settle(reply.id, reply);
    } else if (tag === FrameTag.presence) {
      this.presence = decodeJson(PresenceSchema, body);
      this.emit('presence', this.presence);
    }
  }

  private becameLive(): void {
    milestone('first-sync');
    this.synced = true;
    this.markSynced();
    if (this.state !== 'live') this.setState('live', null);
    for (const p of this.pending.values()) this.sendIntentFrame(p.intent);
    this.emit('synced');
  }

  /** The replica is in step with the host now. */
  private markSynced(): void {
    this.lastSyncedAt = Date.now();
    this.stored?.setSynced(this.lastSyncedAt);
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
    if (this.connection.sendChannelJson(FrameTag.intent, this.channel!, intent)) {
      const p = this.pending.get(intent.id);
      if (p) p.transmitted = true;
    }
  }
}
