/**
 * Logging in to an agent, the agent's way: when it says it needs a login, a card on every device names
 * the agent, its methods and the exact thing to do on the host (the preset's hint). A terminal method
 * runs the agent's own login program in a terminal session the owner can open from any device (server
 * mode) or in the host's terminal (`/login` in the interactive chat); its exit updates the card.
 * Methods a variable satisfies say which variable to set.
 */
import type { AuthMethod, AuthMethodTerminal } from '@agentclientprotocol/sdk';
import { readConversationMeta, readConversationState, readStatus } from '../protocol/conversation-doc.js';
import { TetherError } from '../protocol/errors.js';
import type { ConversationWriter } from './conversation-writer.js';
import type { Actor } from './core/session-core.js';
import type { AcpAgent, AgentCommand } from './acp-agent.js';

/** A login program to run in a terminal. */
export interface LoginProgram {
  file: string;
  args: string[];
  env: Record<string, string>;
  /** The command line as shown to people. */
  display: string;
}

/** Starts a login program in a terminal session (server mode); resolves once it runs, with its exit to come. */
export type LoginTerminalStarter = (program: LoginProgram, name: string, by: Actor) => Promise<{ sessionId: string | null; exited: Promise<number | null> }>;

/** The login side of one conversation. */
export class ConversationLogin {
  constructor(
    private readonly writer: ConversationWriter,
    private readonly agent: AcpAgent,
    private readonly command: AgentCommand,
    private readonly env: Record<string, string>,
    private readonly starter: LoginTerminalStarter | null,
  ) {}

  /** Shows the login card: the agent needs a login (`reason` says where it said so). */
  need(reason: string): void {
    const meta = readConversationMeta(this.writer.view);
    const terminal = readConversationState(this.writer.view).login?.terminal ?? null;
    this.writer.setLogin({ agent: meta.agentName ?? meta.agent, reason, methods: meta.authMethods, hint: this.command.login ?? null, terminal });
  }

  /** A prompt went through: the login worked, the card goes. */
  satisfied(): void {
    if (readConversationState(this.writer.view).login) this.writer.setLogin(null);
  }

  /** The login program for a terminal method, or why there is none. */
  program(methodId: string): LoginProgram | TetherError {
    const method = this.agent.authMethod(methodId);
    if (!method) return new TetherError('LOGIN_UNAVAILABLE', `the agent has no login method '${methodId}'`);
    if (!isTerminal(method)) {
      const info = readConversationMeta(this.writer.view).authMethods.find((m) => m.id === methodId);
      return new TetherError(
        'LOGIN_UNAVAILABLE',
        info?.envVar
          ? `${method.name}: set ${info.envVar} in tether's environment on the host, then start a new session`
          : `${method.name} happens on the host${this.command.login ? `: ${this.command.login}` : ''}`,
      );
    }
    return loginProgram(this.command, this.env, method);
  }

  /** Runs a terminal method's login program in a terminal session (the `login` intent, owner only). */
  async start(methodId: string, actor: Actor): Promise<TetherError | null> {
    const by = actor.name;
    const program = this.program(methodId);
    if (program instanceof TetherError) return program;
    if (!this.starter) return new TetherError('LOGIN_UNAVAILABLE', 'log in from the host\'s own terminal: type /login there');
    const current = readConversationState(this.writer.view).login;
    if (current?.terminal?.state === 'running') return null;
    if (!current) this.need('a login was asked for');
    const name = `${readConversationMeta(this.writer.view).name} login`;
    const started = await this.starter(program, name, actor);
    this.writer.setLoginTerminal({ methodId, sessionId: started.sessionId, state: 'running', by });
    void started.exited.then((code) => this.finished(methodId, started.sessionId, by, code));
    return null;
  }

  /** The login program ended: the card says how; a success invites the next step. */
  finished(methodId: string, sessionId: string | null, by: string, code: number | null): void {
    const ok = code === 0;
    // One update: a device never shows the card's outcome without the line that says what to do next.
    this.writer.doc.transact(() => {
      this.writer.setLoginTerminal({ methodId, sessionId, state: ok ? 'succeeded' : 'failed', by });
      const ended = readStatus(this.writer.view) === 'ended';
      if (ok) this.writer.addNotice('info', ended ? 'Logged in. Start a new session to use the login.' : 'Logged in. Send your prompt again.');
      else this.writer.addNotice('error', `The login program ended without logging in (${code === null ? 'killed' : `exit code ${code}`}).`);
    });
  }
}

function isTerminal(method: AuthMethod): method is AuthMethodTerminal & { type: 'terminal' } {
  return 'type' in method && method.type === 'terminal';
}

/** A terminal method's program: the agent's own command with the method's arguments and variables (ACP). */
function loginProgram(command: AgentCommand, env: Record<string, string>, method: AuthMethodTerminal): LoginProgram {
  const extra = method.args ?? [];
  const { file, args } = command;
  // `acp:<line>` runs through `sh -c <line>`: the arguments belong on the line, quoted.
  const argv = file === '/bin/sh' && args[0] === '-c' && args.length === 2 ? ['-c', [args[1]!, ...extra.map(shellQuote)].join(' ')] : [...args, ...extra];
  return { file, args: argv, env: { ...env, ...(method.env ?? {}) }, display: [command.display, ...extra].join(' ') };
}

/** Quotes one word for /bin/sh. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
