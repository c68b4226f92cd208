/**
 * What a server keeps in the store, and takes back when it starts again in the same folder: its list id
 * and owner secret (the same link), its port, each session's record and document (followed as it
 * changes), their intent journals, and the process groups of their programs (ended if a killed host
 * left them running). A folder served by a live tether process is never taken over.
 */
import type * as Y from 'yjs';
import type { Logger } from 'pino';
import { newId, newOwnerSecret } from '../../protocol/ids.js';
import type { SessionCore } from '../core/session-core.js';
import { DocLog } from './doc-log.js';
import { StoredIntentJournal } from './stored-intent-journal.js';
import { endLeftoverGroup, type ProcessGuard } from './process-guard.js';
import { identify, isAlive } from './process-identity.js';
import type { ServerRecord, SessionRecord, SessionStore } from './session-store.js';

/** A session record's last activity is written at most this often while it runs. */
const TOUCH_EVERY_MS = 60_000;

/** A server's stored state. */
export class ServerHistory {
  readonly record: ServerRecord;
  /** True when an earlier run in this folder was taken back (its sessions are restored). */
  readonly restored: boolean;
  private readonly logs = new Map<string, DocLog>();
  private readonly groups = new Map<string, number>();
  private readonly touched = new Map<string, number>();
  private closed = false;

  constructor(
    readonly store: SessionStore,
    private readonly guard: ProcessGuard | null,
    folder: string,
    name: string,
    private readonly log: Logger,
  ) {
    const now = Date.now();
    // The folder's most recent server whose process is gone (a live one keeps its own: a second server
    // in the same folder gets a new identity).
    const previous = store
      .servers()
      .filter((s) => s.folder === folder && !(s.process && isAlive(s.process)))
      .sort((a, b) => b.lastSeen - a.lastSeen)[0];
    this.restored = previous !== undefined;
    this.record = {
      ...(previous ?? { id: newId(), owner: newOwnerSecret(), folder, port: null, signalUrl: null, startedAt: now }),
      name,
      process: identify(process.pid) ?? null,
      lastSeen: now,
    };
    void store.putServer(this.record);
  }

  /** The port the embedded signal server used last time (null: none stored). */
  get storedPort(): number | null {
    return this.restored ? this.record.port : null;
  }

  /** Records the port and signal server this run uses. */
  setSignal(port: number | null, signalUrl: string | null): void {
    Object.assign(this.record, { port, signalUrl, lastSeen: Date.now() });
    void this.store.putServer(this.record);
  }

  /**
   * The stored document `docId`, or null; persisted from this moment on. Restoring changes a document
   * before its session is followed (marked interrupted, its devices gone), and every later change of
   * this run builds on those: left unstored, none of this run's changes could be applied on the next load.
   */
  load(docId: string): Y.Doc | null {
    const loaded = DocLog.load(this.store, docId);
    if (!loaded) return null;
    if (loaded.gap) this.log.error({ docId }, 'the stored document has a gap: changes stored after it cannot be applied and are not shown');
    this.logs.set(docId, new DocLog(this.store, docId, loaded.doc, true));
    return loaded.doc;
  }

  /**
   * Persists `doc` from now on (one loaded with load() is followed since then; a new one is written
   * whole now) and, with `core`, its intents: resolves once intents the last run had begun but not
   * finished are settled (replayed or refused).
   */
  async follow(docId: string, doc: Y.Doc, core?: SessionCore): Promise<void> {
    let docLog = this.logs.get(docId);
    if (docLog?.doc !== doc) {
      docLog?.close();
      docLog = new DocLog(this.store, docId, doc, false);
      this.logs.set(docId, docLog);
    }
    if (core) await core.useJournal(new StoredIntentJournal(this.store, docId, docLog));
  }

  /** This server's stored sessions, and the interactive sessions stored for its folder (read-only). */
  storedSessions(): SessionRecord[] {
    return this.store
      .sessions()
      .filter((s) => s.serverId === this.record.id || (s.origin === 'interactive' && s.folder === this.record.folder && !this.runningElsewhere(s)))
      .sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Ends what a killed host left of a session's program (its process group), before the session is restored. */
  async endLeftovers(record: SessionRecord): Promise<void> {
    if (record.group) await endLeftoverGroup(record.group, this.log);
  }

  /** A new session: its record is durable before its link is given out. */
  async add(record: Omit<SessionRecord, 'owner' | 'group' | 'agentSessionId' | 'serverId' | 'origin'>): Promise<SessionRecord> {
    const full: SessionRecord = { ...record, origin: 'server', serverId: this.record.id, owner: newOwnerSecret(), group: null, agentSessionId: null };
    await this.store.putSession(full);
    return full;
  }

  /** The session's program or agent runs (again): its process group is watched and recorded. */
  running(id: string, pgid: number | null, agentSessionId: string | null): void {
    const old = this.groups.get(id);
    if (old !== undefined) this.guard?.remove(old);
    if (pgid !== null) {
      this.groups.set(id, pgid);
      this.guard?.add(pgid);
    }
    const group = pgid === null ? null : (identify(pgid) ?? null);
    void this.store.updateSession(id, { state: 'running', endedReason: null, group, lastActivity: Date.now(), ...(agentSessionId ? { agentSessionId } : {}) });
  }

  /** The session was restored as interrupted (its program is not running). */
  interrupted(id: string): void {
    void this.store.updateSession(id, { state: 'interrupted', group: null });
  }

  /** The session's program or agent ended (ignored while the server shuts down: it is resumable then). */
  ended(id: string, reason: string): void {
    if (this.closed) return;
    const pgid = this.groups.get(id);
    if (pgid !== undefined) this.guard?.remove(pgid);
    this.groups.delete(id);
    void this.store.updateSession(id, { state: 'ended', endedReason: reason, group: null, lastActivity: Date.now() });
  }

  renamed(id: string, name: string): void {
    if (this.closed) return;
    void this.store.updateSession(id, { name });
  }

  /** Notes activity (written at most once a minute per session). */
  touch(id: string): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    void this.store.updateSession(id, { lastActivity: now });
  }

  /** The session was removed: everything stored for it goes. */
  async removed(id: string): Promise<void> {
    this.logs.get(id)?.close();
    this.logs.delete(id);
    await this.store.removeSession(id);
  }

  /**
   * Stops persisting (before the server stops its sessions, so their forced exits are not recorded:
   * sessions that were running come back interrupted, resumable). Sessions keep their state "running".
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.logs.values()) l.close();
    this.logs.clear();
    this.record.process = null;
    this.record.lastSeen = Date.now();
    await this.store.putServer(this.record);
    await this.store.committed();
  }

  /** Stops watching process groups: the server ended them itself. */
  releaseGroups(): void {
    for (const pgid of this.groups.values()) this.guard?.remove(pgid);
    this.groups.clear();
  }

  /** A session another live process serves (an interactive session running right now). */
  private runningElsewhere(s: SessionRecord): boolean {
    return s.state === 'running' && s.group !== null && isAlive(s.group);
  }
}
