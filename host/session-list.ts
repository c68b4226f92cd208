/**
 * The session list as a shared document: devices open it like a session (it is the server's link), and
 * its intents — start, end, rename, remove sessions — are validated here (owner role) and carried out by
 * the server.
 */
import { EventEmitter } from 'node:events';
import * as Y from 'yjs';
import type { Logger } from 'pino';
import { LIST_INTENT_TYPES, ListIntentSchema, type ListIntent } from '../protocol/messages.js';
import { TetherError } from '../protocol/errors.js';
import type { Role } from '../protocol/roles.js';
import { SessionListWriter } from './session-list-writer.js';
import { describeIssue, SessionCore, type Actor, type SessionBehaviour } from './core/session-core.js';

/** Carries out list intents; `by` is the device that asked. */
export type ListIntentHandler = (intent: ListIntent, by: Actor) => Promise<TetherError | null>;

interface SessionListEvents {
  'device-joined': [Actor];
  'device-left': [Actor];
}

/** The server's session list. */
export class SessionList extends EventEmitter<SessionListEvents> implements SessionBehaviour<ListIntent> {
  readonly kind = 'session-list' as const;
  readonly doc: Y.Doc;
  readonly core: SessionCore<ListIntent>;
  /** The list's only writer. */
  readonly list: SessionListWriter;

  constructor(
    meta: ConstructorParameters<typeof SessionListWriter>[1],
    private readonly handle: ListIntentHandler,
    log: Logger,
    /** The stored list of a server started again in its folder (its rows are brought up to date by the server). */
    doc?: Y.Doc,
  ) {
    super();
    this.doc = doc ?? new Y.Doc();
    this.list = new SessionListWriter(this.doc, meta);
    // Lists stored before presence frames named each row's devices in the row: gone, once.
    const named = [...this.list.view.sessions.values()].filter((row) => row instanceof Y.Map && row.has('devices'));
    if (named.length > 0) this.doc.transact(() => named.forEach((row) => row.delete('devices')));
    this.core = new SessionCore(this.doc, this, log);
    this.core.on('joined', (actor) => this.emit('device-joined', actor));
    this.core.on('left', (actor) => this.emit('device-left', actor));
  }

  close(): void {
    this.core.close();
  }

  parseIntent(raw: Record<string, unknown>): ListIntent | TetherError {
    const parsed = ListIntentSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    if (typeof raw.type === 'string' && !LIST_INTENT_TYPES.has(raw.type)) {
      return new TetherError('WRONG_SESSION_KIND', 'this is the session list; open a session to act in it');
    }
    return new TetherError('INTENT_INVALID', describeIssue(parsed.error.issues));
  }

  roleFor(): Role {
    return 'owner';
  }

  /** Every list action needs owner: others may only read it (and open sessions from it). */
  roleIn(role: Role): Role {
    return role === 'owner' ? 'owner' : 'view';
  }

  apply(intent: ListIntent, actor: Actor): Promise<TetherError | null> {
    return this.handle(intent, actor);
  }
}
