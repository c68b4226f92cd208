/**
 * Keeps the store bounded: sessions whose last activity is older than --keep-history go, and past
 * --history-limit the oldest go first (ended before interrupted). Nothing a live tether process is
 * serving is ever removed. Also answers "what is stored, and how much disk does it take".
 */
import { isAlive } from './process-identity.js';
import type { SessionRecord, SessionStore } from './session-store.js';

/** One stored session as `tether sessions list` shows it. */
export interface StoredSessionInfo extends SessionRecord {
  bytes: number;
  /** A live tether process serves it right now. */
  live: boolean;
}

/** What the store holds. */
export interface HistoryReport {
  sessions: StoredSessionInfo[];
  /** Bytes of the session documents and records. */
  storedBytes: number;
  /** Size of the store's file on disk. */
  fileBytes: number;
}

/** Which sessions may be removed, and what prune removes. */
export interface PruneOptions {
  /** Remove sessions idle longer than this (null: keep them however old). */
  olderThanMs: number | null;
  /** Keep stored bytes under this (the oldest go first). */
  limitBytes?: number;
  /** Remove exactly these (when not live). */
  ids?: readonly string[];
  /** Remove everything that is not live. */
  all?: boolean;
  now?: number;
}

function liveServers(store: SessionStore): Set<string> {
  return new Set(store.servers().filter((s) => s.process && isAlive(s.process)).map((s) => s.id));
}

/** Everything stored, with sizes. */
export function historyReport(store: SessionStore): HistoryReport {
  const usage = store.usage();
  const live = liveServers(store);
  const sessions = store.sessions().map((s) => ({
    ...s,
    bytes: usage.perSession.get(s.id) ?? 0,
    live: s.serverId !== null ? live.has(s.serverId) : s.state === 'running' && s.group !== null && isAlive(s.group),
  }));
  const storedBytes = [...usage.perSession.values()].reduce((a, b) => a + b, 0);
  return { sessions: sessions.sort((a, b) => b.lastActivity - a.lastActivity), storedBytes, fileBytes: usage.fileBytes };
}

/** Removes what `options` says; returns the removed sessions' ids. */
export async function pruneHistory(store: SessionStore, options: PruneOptions): Promise<string[]> {
  const now = options.now ?? Date.now();
  const report = historyReport(store);
  const removable = report.sessions.filter((s) => !s.live);
  const doomed = new Set<string>();
  for (const s of removable) {
    if (options.all || options.ids?.includes(s.id)) doomed.add(s.id);
    else if (options.olderThanMs !== null && now - s.lastActivity > options.olderThanMs) doomed.add(s.id);
  }
  if (options.limitBytes !== undefined) {
    let total = report.storedBytes - removable.filter((s) => doomed.has(s.id)).reduce((n, s) => n + s.bytes, 0);
    // Oldest first, ended before interrupted (an interrupted session may still be resumed).
    const order = removable.filter((s) => !doomed.has(s.id)).sort((a, b) => Number(a.state !== 'ended') - Number(b.state !== 'ended') || a.lastActivity - b.lastActivity);
    for (const s of order) {
      if (total <= options.limitBytes) break;
      doomed.add(s.id);
      total -= s.bytes;
    }
  }
  for (const id of doomed) await store.removeSession(id);
  // Servers with nothing left that no process serves go too (with their session list's document).
  const live = liveServers(store);
  const used = new Set(store.sessions().map((s) => s.serverId));
  for (const server of store.servers()) {
    if (live.has(server.id) || used.has(server.id)) continue;
    if (options.all || (options.olderThanMs !== null && now - server.lastSeen > options.olderThanMs)) {
      await store.removeSession(server.id);
      await store.removeServer(server.id);
    }
  }
  return [...doomed];
}
