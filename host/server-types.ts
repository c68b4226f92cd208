/** The server's public types: a managed session, what `ready` reports, its events and dependencies. */
import type { TetherError } from '../protocol/errors.js';
import type { HostedSession, SessionDeps } from './hosted-session.js';
import type { Actor } from './core/session-core.js';
import type { Authenticator } from './trust/authenticator.js';
import type { ServerHistory } from './persist/server-history.js';
import type { Worktree } from './worktrees.js';

/** One session the server runs. */
export interface ManagedSession {
  id: string;
  name: string;
  url: string;
  agent: string;
  folder: string;
  worktree: Worktree | null;
  session: HostedSession;
  ended: boolean;
  /** Restored after a restart while its program ran: not running until a device resumes it. */
  interrupted: boolean;
}

/** What `ready` reports. */
export interface ServerReady {
  /** The server's link: the session list. */
  serverUrl: string;
  signal: string;
  name: string;
  /** The session started in the folder at startup, if any. */
  first: ManagedSession | null;
}

/** The server's events. */
export interface SessionServerEvents {
  ready: [ServerReady];
  'session-started': [ManagedSession];
  /** A session's program or agent ended (`exitCode` null when it was stopped). */
  'session-ended': [ManagedSession, { exitCode: number | null; reason: string }];
  'session-removed': [ManagedSession];
  /** An interrupted session's program or agent runs again. */
  'session-resumed': [ManagedSession];
  /** A stored session is served again after a restart (interrupted, ended, or read-only). */
  'session-restored': [ManagedSession];
  /** A device opened a session (null: the session list). */
  'device-joined': [ManagedSession | null, Actor];
  /** A device closed a session, or its connection ended (null: the session list). */
  'device-left': [ManagedSession | null, Actor];
  /** Something devices depend on failed after startup (e.g. re-registering with the signal server). */
  warning: [TetherError];
  /** Any change the status screen shows (state, devices, names, spawn mode). */
  changed: [];
}

/** Runtime dependencies. */
export interface SessionServerDeps extends SessionDeps {
  clientDir: string | null;
  /** The user's trust (host key, tokens, paired devices); in memory when not given. */
  authenticator?: Authenticator;
  /** The server's stored state (sessions survive restarts); nothing is stored when not given. */
  history?: ServerHistory;
}

