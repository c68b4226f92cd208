/** Creates the right kind of session for a program: a shared terminal (PTY) or a conversation (ACP agent). */
import type { IceServer } from '../protocol/ice-servers.js';
import type { Logger } from 'pino';
import type { RemoteControlCommand } from './cli-args.js';
import { TerminalSession } from './terminal-session.js';
import { ConversationSession } from './conversation-session.js';
import type { LoginTerminalStarter } from './conversation-login.js';

/** Either kind of session. */
export type HostedSession = TerminalSession | ConversationSession;

/** Runtime dependencies shared by every session of a process. */
export interface SessionDeps {
  log: Logger;
  wrtc: object | undefined;
  iceServers?: IceServer[];
  scrollbackChars?: number;
}

/** What a conversation may be given beyond its program. */
export interface ConversationExtras {
  /** An earlier session of the agent to resume. */
  resume?: string;
  /** Runs login programs in terminal sessions devices can open (server mode). */
  loginTerminal?: LoginTerminalStarter;
}

/** Makes (but does not start) the session for `config.program`; `log` is already bound to the session. */
export function createHostedSession(config: RemoteControlCommand, name: string, log: Logger, scrollbackChars?: number, extras: ConversationExtras = {}): HostedSession {
  const common = { name, cwd: config.cwd, env: config.env, log };
  const program = config.program;
  if (program.kind === 'acp') {
    return new ConversationSession({
      ...common,
      agentLabel: program.label,
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
