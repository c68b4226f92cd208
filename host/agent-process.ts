/**
 * An agent as a process, apart from what it says: spawned in its own process group (so stopping it
 * stops everything it started), its stderr's last lines kept without escape sequences, its exit known
 * and waited for with a bound, and the whole group stopped — even after the agent itself is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { TetherError } from '../protocol/errors.js';
import { exitWords } from '../protocol/process-exit.js';
import { safeBlock } from '../client/terminal/safe-text.js';
import { signalGroup } from './client-terminals.js';

/** Lines of the agent's stderr kept to show devices when it fails. */
const STDERR_TAIL_LINES = 20;

/** How the agent process ended. */
export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

/** What to run. */
export interface ProcessCommand {
  file: string;
  args: string[];
  display: string;
  installHint?: string;
}

/** One running agent process. */
export class AgentProcess {
  readonly child: ChildProcess;
  private exit: AgentExit | null = null;
  private readonly waiters: Array<() => void> = [];
  private stderrLines: string[] = [];
  private stderrPartial = '';

  /** Spawns `command` in `cwd` (its own process group); `onExit` runs once when it ends. */
  private constructor(command: ProcessCommand, cwd: string, env: Record<string, string>, onExit: (exit: AgentExit) => void, log: Logger) {
    this.child = spawn(command.file, command.args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => this.collectStderr(text));
    this.child.on('exit', (code, signal) => {
      this.exit = { code, signal, stderrTail: this.stderrTail };
      log.info({ code, signal }, 'agent exited');
      for (const w of this.waiters.splice(0)) w();
      onExit(this.exit);
    });
  }

  /** Starts the agent; throws AGENT_NOT_FOUND (with the install hint) or SPAWN_FAILED. */
  static async start(command: ProcessCommand, cwd: string, env: Record<string, string>, onExit: (exit: AgentExit) => void, log: Logger): Promise<AgentProcess> {
    const p = new AgentProcess(command, cwd, env, onExit, log);
    await new Promise<void>((resolve, reject) => {
      p.child.once('spawn', resolve);
      p.child.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'ENOENT'
            ? new TetherError('AGENT_NOT_FOUND', `${command.file} not found${command.installHint ? `: ${command.installHint}` : ''}`)
            : new TetherError('SPAWN_FAILED', `could not start ${command.display}: ${err.message}`, { cause: err }),
        );
      });
    });
    return p;
  }

  /** How it ended, once it did. */
  get exited(): AgentExit | null {
    return this.exit;
  }

  /** "exited with code 3" / "was killed by SIGTERM". */
  get exitWords(): string {
    return this.exit ? exitWords(this.exit.code, this.exit.signal) : 'exited';
  }

  /** The agent's stderr, last lines, without escape sequences (colour codes would show as `[31m` on a page). */
  get stderrTail(): string {
    return safeBlock([...this.stderrLines, this.stderrPartial].filter(Boolean).join('\n'));
  }

  /** Runs `fn` once the agent exits (at once if it has). */
  onceExited(fn: () => void): void {
    if (this.exit) fn();
    else this.waiters.push(fn);
  }

  /** Resolves true once the agent exited, or false after `ms`. */
  exitWithin(ms: number): Promise<boolean> {
    return new Promise((done) => {
      const timer = setTimeout(() => done(false), ms);
      this.onceExited(() => {
        clearTimeout(timer);
        done(true);
      });
    });
  }

  /** Stops the whole process group: SIGTERM, then SIGKILL after `graceMs`; resolves once the agent exited. */
  async stop(graceMs: number): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (this.exit) {
      // The agent is gone, but what it started may live on in its group (a grandchild it did not wait for).
      signalGroup(pid, 'SIGKILL');
      return;
    }
    const gone = new Promise<void>((r) => this.onceExited(r));
    this.child.stdin?.end(); // closing the ACP connection leaves the agent's stdin open
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
    // Whatever in the group ignored SIGTERM and outlived the agent.
    signalGroup(pid, 'SIGKILL');
  }

  private collectStderr(text: string): void {
    const parts = (this.stderrPartial + text).split('\n');
    this.stderrPartial = parts.pop()!.slice(-2000);
    for (const line of parts) this.stderrLines.push(line.slice(0, 2000));
    if (this.stderrLines.length > STDERR_TAIL_LINES) this.stderrLines.splice(0, this.stderrLines.length - STDERR_TAIL_LINES);
  }
}
