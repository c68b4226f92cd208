/** Creates the right kind of session for a program: a shared terminal (PTY) or a conversation (ACP agent). */
import type * as Y from 'yjs';
import type { IceServer } from '../protocol/ice-servers.js';
import type { Logger } from 'pino';
import type { TetherError } from '../protocol/errors.js';
import type { RemoteControlCommand } from './cli-args.js';
import { TerminalSession } from './terminal-session.js';
import { ConversationSession } from './conversation-session.js';
import type { LoginTerminalStarter } from './conversation-login.js';
import { Workspace } from './workspace/workspace.js';
import type { WebRtcImplementation } from '../protocol/data-channel-peer.js';

/** Either kind of session. */
export type HostedSession = TerminalSession | ConversationSession;

/** Runtime dependencies shared by every session of a process. */
export interface SessionDeps {
  log: Logger;
  wrtc: WebRtcImplementation | undefined;
  iceServers?: IceServer[];
  scrollbackChars?: number;
}

/** A stored session's document to continue, and how a device's Resume is carried out. */
export interface RestoredParts {
  doc: Y.Doc;
  agentSessionId: string | null;
  /** Absent: the session is read-only (an interactive session's record): shown ended, never resumed. */
  onResume?: () => Promise<TetherError | null>;
}

/** What a conversation may be given beyond its program. */
export interface ConversationExtras {
  /** An earlier session of the agent to resume. */
  resume?: string;
  /** Runs login programs in terminal sessions devices can open (server mode). */
  loginTerminal?: LoginTerminalStarter;
}

/**
 * Makes (but does not start) the session for `config.program`; `log` is already bound to the session.
 * With `restored`, it continues a stored session's document: ended, or interrupted until resumed.
 * Devices may look at its folder (the workspace) as the config's workspaceRole allows.
 */
export function createHostedSession(config: RemoteControlCommand, name: string, log: Logger, scrollbackChars?: number, extras: ConversationExtras = {}, restored?: RestoredParts): HostedSession {
  const session = createSession(config, name, log, scrollbackChars, extras, restored);
  session.core.workspace = new Workspace(config.cwd, config.env, config.workspaceRole, log.child({ component: 'workspace' }));
  return session;
}

function createSession(config: RemoteControlCommand, name: string, log: Logger, scrollbackChars: number | undefined, extras: ConversationExtras, restored: RestoredParts | undefined): HostedSession {
  const common = { name, cwd: config.cwd, env: config.env, log, ...(restored ? { doc: restored.doc, readOnly: !restored.onResume, ...(restored.onResume ? { onResume: restored.onResume } : {}) } : {}) };
  const program = config.program;
  if (program.kind === 'acp') {
    return new ConversationSession({
      ...common,
      agentLabel: program.label,
      agentSessionId: restored?.agentSessionId ?? null,
      command: {
        file: program.file,
        args: program.args,
        display: program.display,
        installHint: program.installHint,
        login: program.login,
        authEnv: program.authEnv,
        rootRefusal: program.rootRefusal,
      },
      ...extras,
    });
  }
  return new TerminalSession({
    ...common,
    command: { file: program.file, args: program.args, display: program.display },
    cols: config.cols,
    rows: config.rows,
    scrollbackChars,
    inputRole: config.terminalRole,
  });
}
