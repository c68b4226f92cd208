/**
 * The host's embedded store (LMDB, through the `lmdb` package) in the user's state folder: one record per
 * server (its folder, list id, port, owner secret) and per session (name, program, state, owner secret,
 * process group), each session document as an append-only update log with snapshots, and the intents
 * applied per session. Several tether processes may use it at once (LMDB is multi-process safe).
 */
import { mkdirSync, statSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { asBinary, open, type Database, type RootDatabase } from 'lmdb';
import { TetherError } from '../../protocol/errors.js';
import type { ProgramSpec } from '../cli-args.js';
import type { ProcessIdentity } from './process-identity.js';
import { encodeSnapshotRecord } from './snapshot-record-encoding.js';

/** Layout version of the store; a store written by a newer tether is refused (never misread). */
export const STORE_VERSION = 1;
/** The store's file inside the state folder (LMDB adds `sessions.mdb-lock` beside it). */
export const STORE_FILE = 'sessions.mdb';
/** Upper bound of the memory map (LMDB reserves address space, not disk). */
const MAP_SIZE = 64 * 1024 ** 3;

/** A server (`tether remote-control`) as stored: what a restart in the same folder takes back. */
export interface ServerRecord {
  /** The session list's routing id: the server's link. */
  id: string;
  /** The folder it serves (absolute). */
  folder: string;
  name: string;
  /** Secret proving ownership of `id` to a signal server. */
  owner: string;
  /** Port of the embedded signal server (null with --signal). */
  port: number | null;
  signalUrl: string | null;
  /** The process that serves it now or served it last. */
  process: ProcessIdentity | null;
  startedAt: number;
  lastSeen: number;
}

/** Where a stored session came from. */
export type SessionOrigin = 'server' | 'interactive';

/** A session as stored (its document is in the log). */
export interface SessionRecord {
  id: string;
  origin: SessionOrigin;
  /** The server it belongs to (null for an interactive session). */
  serverId: string | null;
  name: string;
  kind: 'terminal' | 'conversation';
  /** The program or agent, to run it again on Resume. */
  program: ProgramSpec;
  folder: string;
  branch: string | null;
  worktreePath: string | null;
  /** running: a host serves it now (or was killed while it did: it is interrupted on the next start). */
  state: 'running' | 'interrupted' | 'ended';
  endedReason: string | null;
  /** Secret proving ownership of `id` to a signal server. */
  owner: string;
  /** The process group of its program or agent while it runs (to end it if its host was killed). */
  group: ProcessIdentity | null;
  /** The agent's own session id (ACP), to load it again on Resume. */
  agentSessionId: string | null;
  startedAt: number;
  lastActivity: number;
}

/** A document's latest snapshot. */
export interface SnapshotRecord {
  /** The last log entry it includes. */
  seq: number;
  update: Uint8Array;
}

/** An intent as journaled: begun (about to be applied) or done (with its reply). */
export interface IntentRecord {
  at: number;
  /** The intent as received; kept until done, for replay after a restart. */
  raw: Record<string, unknown> | null;
  actor: { peerId: string; deviceId: string; name: string; kind: 'browser' | 'terminal'; role: 'owner' | 'control' | 'view' } | null;
  reply: { ok: true } | { ok: false; error: { code: string; message: string } } | null;
}

/** Disk use of the store. */
export interface StoreUsage {
  /** Size of the store's data file (LMDB reuses freed pages; the file does not shrink). */
  fileBytes: number;
  /** Bytes of stored documents and records, per session id. */
  perSession: Map<string, number>;
}

type Key = [string, ...Array<string | number>];

/** The store. Open it once per process. */
export class SessionStore {
  private readonly root: RootDatabase;
  private readonly meta: Database<number, Key>;
  private readonly serverDb: Database<ServerRecord, Key>;
  private readonly sessionDb: Database<SessionRecord, Key>;
  private readonly snapshots: Database<SnapshotRecord, Key>;
  private readonly logs: Database<Uint8Array, Key>;
  private readonly intents: Database<IntentRecord, Key>;
  private closed = false;

  private constructor(readonly file: string) {
    this.root = open({ path: file, mapSize: MAP_SIZE, maxDbs: 16 });
    this.meta = this.root.openDB<number, Key>({ name: 'meta' });
    this.serverDb = this.root.openDB<ServerRecord, Key>({ name: 'servers' });
    this.sessionDb = this.root.openDB<SessionRecord, Key>({ name: 'sessions' });
    this.snapshots = this.root.openDB<SnapshotRecord, Key>({ name: 'snapshots' });
    this.logs = this.root.openDB<Uint8Array, Key>({ name: 'logs', encoding: 'binary' });
    this.intents = this.root.openDB<IntentRecord, Key>({ name: 'intents' });
  }

  /** Another named table of this store, for records of type T (e.g. the trust store's). */
  table<T>(name: string): Database<T, Key> {
    return this.root.openDB<T, Key>({ name });
  }

  /** Opens (creating) the store in `stateDir`; throws STATE_UNUSABLE. */
  static open(stateDir: string): SessionStore {
    let store: SessionStore;
    try {
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      chmodSync(stateDir, 0o700);
      store = new SessionStore(join(stateDir, STORE_FILE));
      // Only the user may read it: it holds conversations, and the host's key.
      for (const f of [STORE_FILE, `${STORE_FILE}-lock`]) chmodSync(join(stateDir, f), 0o600);
    } catch (err) {
      throw new TetherError('STATE_UNUSABLE', `cannot use the state folder ${stateDir}: ${(err as Error).message}`, { cause: err });
    }
    const version = store.meta.get(['version']);
    if (version === undefined) store.meta.putSync(['version'], STORE_VERSION);
    else if (typeof version !== 'number' || version > STORE_VERSION) {
      void store.close();
      throw new TetherError('STATE_UNUSABLE', `the stored sessions in ${stateDir} were written by a newer tether (store version ${String(version)})`);
    }
    return store;
  }

  // Servers

  servers(): ServerRecord[] {
    return [...this.serverDb.getRange({})].map((e) => e.value);
  }

  server(id: string): ServerRecord | undefined {
    return this.serverDb.get([id]);
  }

  /** Writes a server record (durably, before it is relied on). */
  putServer(record: ServerRecord): Promise<boolean> {
    return this.serverDb.put([record.id], record);
  }

  removeServer(id: string): Promise<boolean> {
    return this.serverDb.remove([id]);
  }

  // Sessions

  sessions(): SessionRecord[] {
    return [...this.sessionDb.getRange({})].map((e) => e.value);
  }

  session(id: string): SessionRecord | undefined {
    return this.sessionDb.get([id]);
  }

  putSession(record: SessionRecord): Promise<boolean> {
    return this.sessionDb.put([record.id], record);
  }

  /**
   * Changes fields of a session record (no-op when it is gone). Read and written inside the write
   * transaction: updates issued together (a process group, the agent's session id, activity) each see
   * the ones before, instead of all reading the last committed record and the last one winning.
   */
  updateSession(id: string, fields: Partial<SessionRecord>): Promise<boolean> {
    return this.root.transaction(() => {
      const old = this.sessionDb.get([id]);
      if (!old) return false;
      void this.sessionDb.put([id], { ...old, ...fields });
      return true;
    });
  }

  /** Removes a session and everything stored for it (record, document, intents) in one transaction. */
  removeSession(id: string): Promise<void> {
    return this.root.transaction(() => {
      this.sessionDb.remove([id]);
      this.snapshots.remove([id]);
      for (const key of this.logs.getKeys({ start: [id], end: [id, Infinity] })) this.logs.remove(key);
      for (const key of this.intents.getKeys({ start: [id], end: [id, '\uffff'] })) this.intents.remove(key);
    }) as Promise<void>;
  }

  // Documents

  snapshot(docId: string): SnapshotRecord | undefined {
    return this.snapshots.get([docId]);
  }

  /** Log entries of `docId` after `afterSeq`, oldest first. */
  logEntries(docId: string, afterSeq: number): Array<{ seq: number; data: Uint8Array }> {
    return [...this.logs.getRange({ start: [docId, afterSeq + 1], end: [docId, Infinity] })].map((e) => ({ seq: e.key[1] as number, data: e.value }));
  }

  /** Appends one log entry (committed in the current event turn's transaction). */
  appendLog(docId: string, seq: number, data: Uint8Array): Promise<boolean> {
    return this.logs.put([docId, seq], data);
  }

  /** Replaces the log up to `seq` with a snapshot, in one transaction. */
  compact(docId: string, snapshot: SnapshotRecord): Promise<void> {
    const stale = [...this.logs.getKeys({ start: [docId, 0], end: [docId, snapshot.seq + 1] })];
    return this.root.transaction(() => {
      // Encoded apart from lmdb's shared encoder buffer, which would keep the size of the largest snapshot.
      this.snapshots.put([docId], asBinary(encodeSnapshotRecord(snapshot)) as unknown as SnapshotRecord);
      for (const key of stale) this.logs.remove(key);
    }) as Promise<void>;
  }

  // Intents

  intent(sessionId: string, intentId: string): IntentRecord | undefined {
    return this.intents.get([sessionId, intentId]);
  }

  putIntent(sessionId: string, intentId: string, record: IntentRecord): Promise<boolean> {
    return this.intents.put([sessionId, intentId], record);
  }

  /** Every intent journaled for a session, as [id, record]. */
  intentsOf(sessionId: string): Array<[string, IntentRecord]> {
    return [...this.intents.getRange({ start: [sessionId], end: [sessionId, '\uffff'] })].map((e) => [e.key[1] as string, e.value]);
  }

  removeIntents(sessionId: string, ids: string[]): Promise<void> {
    return this.root.transaction(() => {
      for (const id of ids) this.intents.remove([sessionId, id]);
    }) as Promise<void>;
  }

  // Whole store

  /** Resolves once everything written so far is committed. */
  committed(): Promise<void> {
    return this.root.committed.then(() => undefined);
  }

  /** Disk use: the data file, and stored bytes per document (session ids and list ids). */
  usage(): StoreUsage {
    const perSession = new Map<string, number>();
    const add = (id: string, bytes: number): void => void perSession.set(id, (perSession.get(id) ?? 0) + bytes);
    for (const { key, value } of this.logs.getRange({})) add(key[0], value.length);
    for (const { key, value } of this.snapshots.getRange({})) add(key[0], value.update.length);
    let fileBytes = 0;
    try {
      fileBytes = statSync(this.file).size;
    } catch (err) {
      // No data file yet: nothing is stored.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return { fileBytes, perSession };
  }

  /** Commits what is pending and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.root.close();
  }
}
