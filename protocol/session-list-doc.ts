/**
 * The schema of a server's session list: a host-owned Yjs document synced peer to peer like a session,
 * so the list is live on every device and survives reconnects. A device that opened it can open any
 * listed session by id on the same connection: no other QR code or key is needed.
 */
import type * as Y from 'yjs';

/** How new sessions get a folder. */
export type SpawnMode = 'same-dir' | 'worktree' | 'session';

/** A session's state as the list shows it. */
export type ListedState = 'starting' | 'running' | 'idle' | 'working' | 'awaiting-permission' | 'ended';

/** One row of the list (stored as a Y.Map with these fields). */
export interface ListedSession {
  id: string;
  name: string;
  /** Preset label ('claude', 'shell', …). */
  agent: string;
  kind: 'terminal' | 'conversation';
  folder: string;
  /** Branch of the session's own worktree, or null when it works in the server's folder. */
  branch: string | null;
  state: ListedState;
  /** Why it ended, when it did. */
  endedReason: string | null;
  /** Names of the devices connected to it. */
  devices: string[];
  startedAt: number;
  lastActivity: number;
}

/** An agent a device may start sessions with. */
export interface StartableAgent {
  label: string;
  command: string;
}

/** Typed views of a session list document. */
export interface SessionListDocView {
  /** kind='session-list', name, hostname, folder, capacity, spawnMode, agents (StartableAgent[]), defaultAgent */
  meta: Y.Map<unknown>;
  /** sessionId → Y.Map of ListedSession fields */
  sessions: Y.Map<Y.Map<unknown>>;
  /** peerId → device connected to the list */
  devices: Y.Map<unknown>;
}

/** Binds the typed views to a document. */
export function sessionListDocView(doc: Y.Doc): SessionListDocView {
  return { meta: doc.getMap('meta'), sessions: doc.getMap<Y.Map<unknown>>('sessions'), devices: doc.getMap('devices') };
}

/** Reads one listed session as a plain object. */
export function readListedSession(entry: Y.Map<unknown>): ListedSession {
  return entry.toJSON() as ListedSession;
}

/** Sessions that count against the capacity (not ended). */
export function runningCount(view: SessionListDocView): number {
  let n = 0;
  for (const s of view.sessions.values()) if (s.get('state') !== 'ended') n++;
  return n;
}
