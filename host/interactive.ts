/**
 * Interactive mode (`tether [--remote-control [name]] --agent X`): the session runs in the host's own
 * terminal — a chat for ACP agents, the raw terminal for PTY programs — and is shared with devices from
 * the start (--remote-control) or later (/remote-control, Ctrl-] s).
 */
import { hostname } from 'node:os';
import type { RemoteControlCommand } from './cli-args.js';
import { createHostedSession, type SessionDeps } from './hosted-session.js';
import { Sharing } from './sharing.js';
import { runChatConsole } from './chat-console.js';
import { runPtyConsole } from './pty-console.js';
import type { DeviceTrust } from './trust/device-trust.js';
import { policyForbids } from './policy.js';
import { LOCAL_ACTOR } from './core/session-core.js';
import { auditDevice } from './trust/audit-log.js';
import { readConversationState, type LoginNeed } from '../protocol/conversation-doc.js';

/** Why the session did not start (`error`), with the login the agent needs when that is why. */
export class InteractiveStartFailed extends Error {
  constructor(
    readonly error: unknown,
    readonly login: LoginNeed | null,
  ) {
    super('the interactive session did not start', { cause: error });
  }
}

/** Runs an interactive session until the user quits; resolves with the exit status. Throws InteractiveStartFailed on startup failures. */
export async function runInteractive(
  cmd: RemoteControlCommand,
  deps: SessionDeps & { clientDir: string | null; trust: DeviceTrust },
  io: { input: NodeJS.ReadStream; output: NodeJS.WriteStream },
): Promise<{ exitCode: Promise<number>; close: () => Promise<void> }> {
  const name = cmd.name ?? `${hostname()}-${cmd.program.label}`;
  const sized: RemoteControlCommand = { ...cmd, cols: io.output.columns || cmd.cols, rows: io.output.rows || cmd.rows };
  const session = createHostedSession(sized, name, deps.log, deps.scrollbackChars);
  if (deps.trust.audit) session.core.beforeApply = deps.trust.audit.intentHook(`interactive:${name}`);
  // (the session id in audit lines of an interactive session: it has no other stable id)
  const sharing = new Sharing(cmd, session.core, {
    trust: deps.trust,
    forbidden: cmd.policy.remoteControl?.value === false ? policyForbids(cmd.policy, 'remoteControl', 'sharing this session') : null,
    hostName: hostname(),
    linkTtlMs: cmd.linkTtlMs,
    wrtc: deps.wrtc,
    iceServers: [...(deps.iceServers ?? cmd.iceServers)],
    clientDir: deps.clientDir,
    log: deps.log,
  });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await sharing.stop();
      await session.close();
    })();
    return closing;
  };
  const auditId = `interactive:${name}`;
  try {
    // Recorded before it starts: a session the audit log cannot hold does not start.
    deps.trust.record('session-start', { sessionId: auditId, name, agent: cmd.program.label, folder: cmd.cwd, device: auditDevice(LOCAL_ACTOR) });
    await session.start();
  } catch (err) {
    const login = session.kind === 'conversation' ? readConversationState(session.writer.view).login : null;
    await close();
    throw new InteractiveStartFailed(err, login);
  }
  const ended = (reason: string): void => deps.trust.recordDone('session-end', { sessionId: auditId, name, reason });
  if (session.kind === 'terminal') session.on('exited', (e) => ended(`exited with code ${e.exitCode}`));
  else session.on('agent-exited', (e) => ended(e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`));
  const options = { shareAtStart: cmd.shareAtStart };
  const consoleDeps = { ...options, trust: deps.trust };
  const exitCode = session.kind === 'conversation' ? runChatConsole(session, sharing, io, consoleDeps) : runPtyConsole(session, sharing, io, consoleDeps);
  return { exitCode, close };
}
