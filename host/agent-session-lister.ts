/**
 * "Which earlier sessions does this agent have here?": starts the agent just long enough to initialize,
 * log in and ask `session/list` for the server's folder, stops its whole process group, and records the
 * answer (or why there is none) in the session list document, where the New-session sheet reads it.
 * One listing per agent at a time.
 */
import type { Logger } from 'pino';
import { TetherError } from '../protocol/errors.js';
import type { AgentSession } from '../protocol/session-list-doc.js';
import type { ProgramSpec } from './cli-args.js';
import { AcpAgent } from './acp-agent.js';
import { clean } from './acp-offer.js';
import type { SessionListWriter } from './session-list-writer.js';

/** Lists agents' earlier sessions into the list document. */
export class AgentSessionLister {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly list: SessionListWriter,
    private readonly folder: string,
    private readonly env: Record<string, string>,
    private readonly log: Logger,
  ) {}

  /** Starts listing `label`'s sessions (returns at once; the document shows the progress). */
  request(label: string, program: ProgramSpec): void {
    if (program.kind !== 'acp') {
      this.list.setAgentSessions(label, { state: 'failed', folder: this.folder, sessions: [], error: 'only ACP agents have earlier sessions', at: Date.now() });
      return;
    }
    if (this.running.has(label)) return;
    this.list.setAgentSessions(label, { state: 'listing', folder: this.folder, sessions: [], error: null, at: Date.now() });
    const run = this.run(label, program).finally(() => this.running.delete(label));
    this.running.set(label, run);
  }

  /** Waits for every listing under way (the server is closing). */
  async settle(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private async run(label: string, program: ProgramSpec): Promise<void> {
    const agent = new AcpAgent(
      program,
      this.folder,
      this.env,
      {
        onUpdate: () => undefined,
        onPermission: async () => ({ outcome: { outcome: 'cancelled' } }),
        onQuestion: async () => ({ action: 'decline' }),
        onQuestionComplete: () => undefined,
        onExit: () => undefined,
        terminals: { terminalStarted: () => undefined, terminalOutput: () => undefined, terminalExited: () => undefined },
      },
      this.log.child({ component: 'agent-sessions', agent: label }),
    );
    try {
      await agent.connect();
      const found = await agent.listSessions(this.folder);
      const sessions: AgentSession[] = found.map((s) => ({
        sessionId: clean(s.sessionId, 200),
        title: s.title ? clean(s.title, 500) : null,
        updatedAt: s.updatedAt ? clean(s.updatedAt, 64) : null,
      }));
      sessions.sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''));
      this.list.setAgentSessions(label, { state: 'listed', folder: this.folder, sessions, error: null, at: Date.now() });
    } catch (err) {
      const e = err instanceof TetherError ? err : new TetherError('AGENT_FAILED', String(err));
      this.log.warn({ agent: label, code: e.code, err: e.message }, 'could not list the agent\'s sessions');
      this.list.setAgentSessions(label, { state: 'failed', folder: this.folder, sessions: [], error: `${e.message}${e.detail ? ` (${e.detail})` : ''}`, at: Date.now() });
    } finally {
      await agent.close();
    }
  }
}
