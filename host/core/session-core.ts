/**
 * What every hosted document shares — a terminal, a conversation and the session list alike: the Y.Doc,
 * the devices subscribed to it (told to each of them in presence frames, never written into the document:
 * see protocol/presence.ts), a cached full encoding for new devices, and
 * intents: validated by the session's own rules, checked against the sender's role, and applied at most
 * once per id (a retry after a reconnect gets the recorded reply, never a second application).
 */
import { EventEmitter } from 'node:events';
import type * as Y from 'yjs';
import type { Logger } from 'pino';
import type { IntentReply } from '../../protocol/messages.js';
import type { DeviceInfo } from '../../protocol/device-roster.js';
import { MAX_PRESENCE_DEVICES, type Presence } from '../../protocol/presence.js';
import { roleAllows, type Role } from '../../protocol/roles.js';
import { TetherError } from '../../protocol/errors.js';
import { newId } from '../../protocol/ids.js';
import { FullStateCache } from './full-state-cache.js';
import type { IntentJournal } from './intent-journal.js';
import type { ConnectionPath } from '../../protocol/ice-servers.js';
import { WORKSPACE_INTENT_TYPES, WorkspaceIntentSchema } from '../../protocol/workspace.js';
import type { Workspace } from '../workspace/workspace.js';
import { settleWithin } from './settle-within.js';

/** Remembered intent ids per session (oldest forgotten first). */
const REMEMBERED_INTENTS = 10_000;
/**
 * Presence changes within this long go out as one frame: fifty devices reconnecting at once send a few
 * frames to each, not fifty.
 */
const PRESENCE_COALESCE_MS = 50;
/** The maps in which documents stored before presence frames kept it (emptied when such a document is hosted). */
const LEGACY_PRESENCE_MAPS = ['devices', 'trusted'];

/** Who sent something, from the host's own record of the device (or the host's terminal). */
export interface Actor {
  /** The connection (or 'local' for the host's own terminal). */
  peerId: string;
  deviceId: string;
  name: string;
  kind: 'browser' | 'terminal';
  role: Role;
  /** How its connection travels (direct, through STUN, relayed), when known. */
  path?: ConnectionPath;
}

/** The host's own terminal, when it takes part as a device (interactive mode). */
export const LOCAL_ACTOR: Actor = { peerId: 'local', deviceId: 'local', name: 'host terminal', kind: 'terminal', role: 'owner' };

/** What a kind of session adds to the core: its intents and how to apply them. */
export interface SessionBehaviour<I> {
  /** Validates a raw intent; returns the error to reply with when it is not one this session takes. */
  parseIntent(raw: Record<string, unknown>): I | TetherError;
  /** The least role that may send `intent`. */
  roleFor(intent: I): Role;
  /**
   * What a device with `role` may do in this session, as told to it when it opens the session (a
   * control device of a terminal that needs owner may only watch). Its own role when absent.
   */
  roleIn?(role: Role): Role;
  /** Applies a valid, permitted intent; returns the reply's error, or null when applied. */
  apply(intent: I, actor: Actor): Promise<TetherError | null> | TetherError | null;
  /**
   * Whether an intent begun before a crash, whose effects were lost with it, is applied again when the
   * session is restored (a prompt: yes, it must not be lost; a stale answer or keystroke: no).
   */
  replayAfterRestart?(intent: I): boolean;
}

/** A device's subscription to a session, as the core sees it. */
export interface Subscriber {
  readonly actor: Actor;
  /** Forwards a document update made by the transaction whose prior state is `before`. */
  deliver(update: Uint8Array, before: Map<number, number>): void;
  /** Tells the device who is here now. */
  presence(presence: Presence): void;
  /** Resolves once everything queued for this device was handed to the network, or the link is gone. */
  drained(): Promise<void>;
  /** Ends the subscription for good, telling the device why. */
  end(err: TetherError): void;
}

/**
 * Called with every permitted intent before it is applied (the audit log); an error refuses the intent
 * and nothing is applied.
 */
export type IntentHook = (intent: { type: string } & Record<string, unknown>, actor: Actor) => TetherError | null;

interface SessionCoreEvents {
  /** A device opened this session. */
  joined: [Actor];
  /** A device's subscription ended (it left, its connection dropped, or it was ended). */
  left: [Actor];
  /** The devices here changed (sent to them a moment later, coalesced). */
  presence: [];
}

/** Turns the first zod issue into one readable line. */
export function describeIssue(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string | undefined {
  const issue = issues[0];
  return issue ? `${issue.path.map(String).join('.') || 'intent'}: ${issue.message}` : undefined;
}

/** How a connected device is shown to the others. */
function presenceEntry(a: Actor, joinedAt: number): DeviceInfo {
  return { peerId: a.peerId, deviceId: a.deviceId, name: a.name, kind: a.kind, role: a.role, joinedAt, ...(a.path ? { path: a.path } : {}) };
}

/** The shared core of one hosted document. */
export class SessionCore<I = unknown> extends EventEmitter<SessionCoreEvents> {
  private readonly subscribers = new Set<Subscriber>();
  /** When each subscriber joined (it keeps its place among the devices while its role changes). */
  private readonly joinedAt = new Map<Subscriber, number>();
  /** The host's own terminal, when it takes part (interactive mode). */
  private localJoinedAt: number | null = null;
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  /** What this kind of session adds to a device's presence frame (the list: trusted devices, rows); null: nothing. */
  presenceExtras: ((role: Role) => Omit<Presence, 'devices'>) | null = null;
  private closed = false;
  private readonly replies = new Map<string, Promise<IntentReply>>();
  /** Runs before each permitted intent is applied (the audit log); null: none. */
  beforeApply: IntentHook | null = null;
  /** Takes a device's `notify` intent, on any session of a host that sends notifications; null: none. */
  notifyIntent: ((actor: Actor, raw: Record<string, unknown>) => TetherError | null) | null = null;
  /** The session's folder as devices may look at it (status, diffs, files); null: it has none (the list). */
  workspace: Workspace | null = null;
  private readonly fullState: FullStateCache;
  private journal: IntentJournal | null = null;
  private readonly onUpdate = (update: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction): void => {
    for (const s of this.subscribers) s.deliver(update, tr.beforeState);
  };

  constructor(
    readonly doc: Y.Doc,
    private readonly behaviour: SessionBehaviour<I>,
    private readonly log: Logger,
  ) {
    super();
    // Looked up, not created: getMap would add the (empty) type to every document.
    const legacy = LEGACY_PRESENCE_MAPS.filter((name) => doc.share.has(name)).map((name) => doc.getMap(name)).filter((map) => map.size > 0);
    if (legacy.length > 0) doc.transact(() => legacy.forEach((map) => map.clear()));
    this.fullState = new FullStateCache(doc);
    doc.on('update', this.onUpdate);
  }

  /** Devices subscribed right now. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** The subscribed devices' actors. */
  get actors(): Actor[] {
    return [...this.subscribers].map((s) => s.actor);
  }

  /** The devices here now, as presence frames show them: the earliest joined first (the host's terminal leads). */
  get devices(): DeviceInfo[] {
    const here = this.localJoinedAt === null ? [] : [presenceEntry(LOCAL_ACTOR, this.localJoinedAt)];
    for (const s of this.subscribers) here.push(presenceEntry(s.actor, this.joinedAt.get(s) ?? 0));
    return here.sort((a, b) => a.joinedAt - b.joinedAt);
  }

  /** Tells every device who is here, a moment from now (changes close together go out as one frame). */
  presenceChanged(): void {
    if (this.closed) return;
    this.emit('presence');
    if (this.presenceTimer) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      // Made once per role for the whole burst (the list's extras are the host's devices and every row).
      const devices = this.devices.slice(0, MAX_PRESENCE_DEVICES);
      const byRole = new Map<Role, Presence>();
      for (const s of this.subscribers) {
        const role = s.actor.role;
        if (!byRole.has(role)) byRole.set(role, this.presenceFor(role, devices));
        s.presence(byRole.get(role)!);
      }
    }, PRESENCE_COALESCE_MS);
  }

  /** What a device with `role` is told; without the extras when they cannot be made (logged, never fatal). */
  private presenceFor(role: Role, devices = this.devices.slice(0, MAX_PRESENCE_DEVICES)): Presence {
    try {
      return { devices, ...this.presenceExtras?.(role) };
    } catch (err) {
      this.log.error({ err }, 'could not make what devices are told about who is here');
      return { devices };
    }
  }

  /** The whole document for a device that has nothing yet: a cached encoding and the diff since. */
  full(): [Uint8Array, Uint8Array | null] {
    return this.fullState.get();
  }

  /** A device opened this session: list it and send it every update from now on. */
  subscribe(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    this.joinedAt.set(subscriber, Date.now());
    // The new device is told at once (its page shows who is here as it goes live); the others with the next frame.
    subscriber.presence(this.presenceFor(subscriber.actor.role));
    this.emit('joined', subscriber.actor);
    this.presenceChanged();
  }

  /** What a device with `role` may do in this session. */
  roleIn(role: Role): Role {
    return this.behaviour.roleIn?.(role) ?? role;
  }

  /** A subscribed device's record changed (its role): show it anew. */
  updateSubscriber(subscriber: Subscriber): void {
    if (this.subscribers.has(subscriber)) this.presenceChanged();
  }

  /** A device's subscription ended. */
  unsubscribe(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    this.joinedAt.delete(subscriber);
    this.emit('left', subscriber.actor);
    this.presenceChanged();
  }

  /** Lists the host's own terminal among the devices (interactive mode). */
  addLocal(): void {
    this.localJoinedAt ??= Date.now();
    this.presenceChanged();
  }

  /**
   * Makes intents durable: each id is recorded before it is applied and its reply with its effects, so a
   * retry after a restart is recalled, never applied again. Intents begun before a crash and never
   * finished are settled now: replayed when the session says so (prompts), else answered HOST_RESTARTED.
   */
  async useJournal(journal: IntentJournal): Promise<void> {
    this.journal = journal;
    for (const u of journal.unfinished()) {
      const intent = this.behaviour.parseIntent(u.raw);
      const replay = !(intent instanceof TetherError) && this.behaviour.replayAfterRestart?.(intent) === true;
      if (replay) {
        this.log.info({ intentId: u.id, type: u.raw.type }, 'replaying an intent the host had not finished before it stopped');
        await this.handleIntent(u.actor, u.id, u.raw, true);
      } else {
        const reply: IntentReply = { id: u.id, ok: false, error: new TetherError('HOST_RESTARTED').toJSON() };
        void journal.done(u.id, reply, u.raw);
        // Remembered here too: a retry may arrive before the store has committed the reply.
        this.replies.set(u.id, Promise.resolve(reply));
      }
    }
  }

  /** Applies an intent with a well-formed id from `actor`, once per id; resolves to its reply. */
  handleIntent(actor: Actor, id: string, raw: Record<string, unknown>, replaying = false): Promise<IntentReply> {
    if (raw.type === 'notify') {
      // A device's notification choice is the host's, not the session's: not journaled (sending it twice
      // records the same thing), and never written to the audit log (it holds the device's push keys).
      const err = this.notifyIntent ? this.notifyIntent(actor, raw) : new TetherError('WRONG_SESSION_KIND', 'this host does not send notifications');
      return Promise.resolve(err ? { id, ok: false, error: err.toJSON() } : { id, ok: true });
    }
    if (typeof raw.type === 'string' && WORKSPACE_INTENT_TYPES.has(raw.type)) return this.workspaceIntent(actor, id, raw);
    const seen = this.replies.get(id);
    if (seen) return seen.then((r) => (r.ok ? { id, ok: true, duplicate: true } : r));
    const recalled = replaying ? undefined : this.journal?.recall(id);
    if (recalled) return Promise.resolve(recalled.ok ? { id, ok: true, duplicate: true } : recalled);
    const journal = this.journal;
    const reply = Promise.resolve(replaying ? undefined : journal?.begin(id, raw, actor))
      .then(() => this.apply(actor, raw))
      .then(
        (err): IntentReply => (err ? { id, ok: false, error: err.toJSON() } : { id, ok: true }),
        (err: unknown): IntentReply => {
          this.log.error({ err }, 'intent failed unexpectedly');
          return { id, ok: false, error: new TetherError('INTERNAL_ERROR').toJSON() };
        },
      )
      .then(async (r) => {
        // A microtask after a synchronous apply: no timer ran in between, so the changes the intent
        // made are still waiting in the document's log and are written with this record. The reply
        // waits for that write: an ok a device saw is never lost to a crash.
        await Promise.resolve(journal?.done(id, r, raw)).catch((err: unknown) => this.log.error({ err, intentId: id }, 'could not store an intent; it is applied but a crash would forget it'));
        return r;
      });
    this.replies.set(id, reply);
    if (this.replies.size > REMEMBERED_INTENTS) this.replies.delete(this.replies.keys().next().value as string);
    return reply;
  }

  /**
   * A question about the session's folder: answered with its result, never journaled or remembered by
   * id (asking twice changes nothing). Reads of a file's content (a diff, a file) are written to the audit
   * log first; the status and folder listings a page polls are not.
   */
  private async workspaceIntent(actor: Actor, id: string, raw: Record<string, unknown>): Promise<IntentReply> {
    const refuse = (err: TetherError): IntentReply => ({ id, ok: false, error: err.toJSON() });
    const workspace = this.workspace;
    if (!workspace) return refuse(new TetherError('WRONG_SESSION_KIND', 'this session has no folder to show'));
    const parsed = WorkspaceIntentSchema.safeParse(raw);
    if (!parsed.success) return refuse(new TetherError('INTENT_INVALID', describeIssue(parsed.error.issues)));
    const intent = parsed.data;
    if (!roleAllows(actor.role, workspace.role)) {
      return refuse(new TetherError('FORBIDDEN_ROLE', `the session's files are shown to ${workspace.role} devices only; this device is ${actor.role === 'view' ? 'view-only' : `a ${actor.role} device`}`));
    }
    if (intent.type === 'workspace-read' || intent.type === 'workspace-diff') {
      const refused = this.beforeApply?.(intent, actor) ?? null;
      if (refused) return refuse(refused);
    }
    try {
      return { id, ok: true, result: await workspace.answer(intent) };
    } catch (err) {
      if (err instanceof TetherError) return refuse(err);
      this.log.error({ err }, 'workspace request failed unexpectedly');
      return refuse(new TetherError('INTERNAL_ERROR'));
    }
  }

  /** Applies an intent from the host's own terminal (a fresh id: it is never retried). */
  applyLocal(raw: Record<string, unknown>): Promise<TetherError | null> {
    return Promise.resolve(this.apply(LOCAL_ACTOR, { ...raw, id: newId() }));
  }

  /** Resolves once every device received everything queued for it, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    await settleWithin([...this.subscribers].map((s) => s.drained()), timeoutMs);
  }

  /** Ends every subscription for good with `err` (sharing stopped, session removed). */
  endAll(err: TetherError): void {
    for (const s of [...this.subscribers]) s.end(err);
  }

  /**
   * Stops following the document. Subscriptions end with `err` when given (final for those devices);
   * without one (the host shutting down) devices are not told anything final: the host may come back.
   */
  close(err: TetherError | null = null): void {
    if (err) this.endAll(err);
    this.closed = true;
    this.subscribers.clear();
    this.joinedAt.clear();
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.presenceTimer = null;
    this.doc.off('update', this.onUpdate);
    this.fullState.close();
  }

  private apply(actor: Actor, raw: Record<string, unknown>): Promise<TetherError | null> | TetherError | null {
    const intent = this.behaviour.parseIntent(raw);
    if (intent instanceof TetherError) return intent;
    const needed = this.behaviour.roleFor(intent);
    if (!roleAllows(actor.role, needed)) {
      return new TetherError('FORBIDDEN_ROLE', `this device is ${actor.role === 'view' ? 'view-only' : `a ${actor.role} device`}; that needs the ${needed} role`);
    }
    // Recorded before it is applied: an action the audit log cannot hold is not taken.
    const refused = this.beforeApply?.(intent as { type: string } & Record<string, unknown>, actor) ?? null;
    if (refused) return refused;
    return this.behaviour.apply(intent, actor);
  }
}
