/**
 * Brings a stored session back for a restarted server: its document continued by a new session object
 * (interrupted when its program ran at the stop, with Resume; ended; or, for an interactive session
 * stored in the same folder, ended and read-only), persisted from now on, its worktree held again.
 */
import type * as Y from 'yjs';
import type { Logger } from 'pino';
import { TetherError } from '../protocol/errors.js';
import type { RemoteControlCommand } from './cli-args.js';
import { createHostedSession, type HostedSession } from './hosted-session.js';
import { holdWorktree, type Worktree } from './worktrees.js';
import type { ServerHistory } from './persist/server-history.js';
import type { SessionRecord } from './persist/session-store.js';

/** What restoring needs from the server. */
export interface RestoreDeps {
  config: RemoteControlCommand;
  log: Logger;
  scrollbackChars?: number;
  /** The server's Resume (capacity, process records). */
  resume(id: string): Promise<void>;
  /** Watches the session's program or agent when it runs (again). */
  watch(id: string, session: HostedSession): void;
}

/** A stored session, back. */
export interface Restored {
  record: SessionRecord;
  session: HostedSession;
  worktree: Worktree | null;
  /** Its program was running when the host stopped: it waits to be resumed. */
  interrupted: boolean;
  readOnly: boolean;
}

/** Rebuilds the session of `record` from its stored document. */
export async function restoreSession(history: ServerHistory, record: SessionRecord, doc: Y.Doc, deps: RestoreDeps): Promise<Restored> {
  const readOnly = record.origin === 'interactive';
  const onResume = async (): Promise<TetherError | null> => {
    try {
      await deps.resume(record.id);
      return null;
    } catch (err) {
      return err instanceof TetherError ? err : new TetherError('SPAWN_FAILED', String(err));
    }
  };
  const session = createHostedSession({ ...deps.config, cwd: record.folder, program: record.program }, record.name, deps.log.child({ sessionId: record.id }), deps.scrollbackChars, {}, {
    doc,
    agentSessionId: record.agentSessionId,
    ...(readOnly ? {} : { onResume }),
  });
  await history.follow(record.id, doc, session.core);
  deps.watch(record.id, session);
  const worktree = record.worktreePath && record.branch ? { path: record.worktreePath, branch: record.branch } : null;
  if (worktree) holdWorktree(worktree.path);
  if (session.interrupted) history.interrupted(record.id);
  return { record, session, worktree, interrupted: session.interrupted, readOnly };
}
