/**
 * The agents a server's devices may start: the server's own program, the presets (or only those
 * --allow-agent names), a shell only when allowed — never one the admin policy leaves out — each
 * marked installed or not (its command looked up on PATH now, not when a start fails) with the
 * preset's install hint, and resolved to the program a session runs.
 */
import { resolveProgram, type ProgramSpec, type RemoteControlCommand } from './cli-args.js';
import { agentAllowed } from './policy.js';
import { commandInstalled } from './command-path.js';
import { TetherError } from '../protocol/errors.js';
import type { StartableAgent } from '../protocol/session-list-doc.js';

interface CatalogEntry {
  label: string;
  command: string;
  /** The file to look for; null when the command always runs (a shell line). */
  file: string | null;
  install: string | null;
}

/** The server's startable agents. */
export class AgentCatalog {
  private readonly entries: CatalogEntry[];

  constructor(private readonly config: RemoteControlCommand) {
    const own = config.program;
    const shell = config.env.SHELL || '/bin/sh';
    const allowed = config.allowAgents.length > 0 ? new Set(config.allowAgents) : null;
    this.entries = [
      { label: own.label, command: own.display, file: AgentCatalog.fileOf(own), install: own.installHint ?? null },
      ...Object.entries(config.presets)
        .filter(([label]) => !allowed || allowed.has(label))
        .map(([label, p]) => ({ label, command: p.command.join(' '), file: p.command[0]!, install: p.install })),
      ...(allowed?.has('shell') ? [{ label: 'shell', command: shell, file: shell, install: null }] : []),
    ].filter((a, i, all) => all.findIndex((b) => b.label === a.label) === i && (i === 0 || agentAllowed(config.policy, a.label)));
  }

  /** The labels, in the order shown. */
  get labels(): string[] {
    return this.entries.map((e) => e.label);
  }

  /** Every agent with whether it can run now (PATH is looked at on every call). */
  agents(): StartableAgent[] {
    return this.entries.map((e) => ({ label: e.label, command: e.command, installed: this.installed(e), install: e.install }));
  }

  /** The program for `label` (the server's own when undefined); throws AGENT_UNKNOWN, or AGENT_NOT_FOUND with the hint. */
  program(label: string | undefined): ProgramSpec {
    if (label === undefined || label === this.config.program.label) return this.checked(this.config.program);
    if (!this.entries.some((e) => e.label === label)) throw new TetherError('AGENT_UNKNOWN', `no agent '${label}' on this server (${this.labels.join(', ')})`);
    let program: ProgramSpec;
    try {
      program = resolveProgram(label, null, this.config.env, this.config.presets);
    } catch (err) {
      throw new TetherError('AGENT_UNKNOWN', (err as Error).message);
    }
    return this.checked(program);
  }

  private checked(program: ProgramSpec): ProgramSpec {
    const file = AgentCatalog.fileOf(program);
    if (file !== null && !commandInstalled(file, this.config.env.PATH, this.config.cwd)) {
      throw new TetherError('AGENT_NOT_FOUND', `${file} not found${program.installHint ? `: ${program.installHint}` : ''}`);
    }
    return program;
  }

  private installed(e: CatalogEntry): boolean {
    return e.file === null || commandInstalled(e.file, this.config.env.PATH, this.config.cwd);
  }

  /** The file a program runs, or null for a shell line (`acp:` / `pty:`), which always starts. */
  private static fileOf(program: ProgramSpec): string | null {
    return program.file === '/bin/sh' && program.args[0] === '-c' && program.label !== 'shell' ? null : program.file;
  }
}
