/** Creates the right kind of session for a program: a shared terminal (PTY) or a conversation (ACP agent). */
import type { Logger } from 'pino';
import type { RemoteControlCommand } from './cli-args.js';
import { TerminalSession } from './terminal-session.js';
import { ConversationSession } from './conversation-session.js';

/** Either kind of session. */
export type HostedSession = TerminalSession | ConversationSession;

/** Runtime dependencies shared by every session of a process. */
export interface SessionDeps {
  log: Logger;
  wrtc: object | undefined;
  iceServers?: RTCIceServer[];
  scrollbackChars?: number;
}

/** Makes (but does not start) the session for `config.program`. */
export function createHostedSession(config: RemoteControlCommand, deps: SessionDeps, ids: { sessionId: string; key: string; name: string }): HostedSession {
  const log = deps.log.child({ sessionId: ids.sessionId });
  const common = { ...ids, cwd: config.cwd, env: config.env, wrtc: deps.wrtc, iceServers: deps.iceServers ?? [], log };
  const program = config.program;
  if (program.kind === 'acp') {
    return new ConversationSession({
      ...common,
      agentLabel: program.label,
      command: { file: program.file, args: program.args, display: program.display, installHint: program.installHint },
    });
  }
  return new TerminalSession({
    ...common,
    command: { file: program.file, args: program.args, display: program.display },
    cols: config.cols,
    rows: config.rows,
    scrollbackChars: deps.scrollbackChars,
  });
}
