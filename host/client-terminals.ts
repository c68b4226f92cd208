/**
 * Commands an agent runs through tether (ACP `terminal/*`): each in the session folder (a cwd the agent
 * names must be inside it), in its own process group, with its output kept bounded (the agent's
 * `outputByteLimit`, at most 1 MiB, truncated from the start at a character boundary) and streamed to
 * the conversation document for every device. Stop kills them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import type {
  CreateTerminalRequest,
  CreateTerminalResponse,
  TerminalOutputResponse,
  WaitForTerminalExitResponse,
} from '@agentclientprotocol/sdk';
import { TetherError } from '../protocol/errors.js';
import { newId } from '../protocol/ids.js';

/** Most output bytes kept per terminal, whatever the agent asks for. */
export const MAX_TERMINAL_OUTPUT_BYTES = 1024 * 1024;
/** Most terminals one session may have at once. */
const MAX_TERMINALS = 32;
/** How long a killed command has between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 1000;
/** How long after the command exits its output may still arrive. */
const OUTPUT_SETTLE_MS = 200;

/** Where a terminal's life is reported (the conversation writer). */
export interface TerminalSink {
  terminalStarted(terminalId: string, command: string): void;
  terminalOutput(terminalId: string, text: string): void;
  terminalExited(terminalId: string, exitCode: number | null, signal: string | null): void;
}

interface Running {
  child: ChildProcess;
  output: string;
  bytes: number;
  limit: number;
  truncated: boolean;
  exit: WaitForTerminalExitResponse | null;
  exited: Promise<WaitForTerminalExitResponse>;
}

/** The terminals of one session. */
export class ClientTerminals {
  private readonly terminals = new Map<string, Running>();
  private folderReal: string | null = null;

  constructor(
    private readonly folder: string,
    private readonly env: Record<string, string>,
    private readonly sink: TerminalSink,
    private readonly log: Logger,
  ) {}

  /** Starts a command; throws PATH_OUTSIDE_SESSION for a cwd outside the folder, SPAWN_FAILED when it cannot start. */
  async create(params: CreateTerminalRequest): Promise<CreateTerminalResponse> {
    if (this.terminals.size >= MAX_TERMINALS) throw new TetherError('SPAWN_FAILED', `at most ${MAX_TERMINALS} terminals at once; release some first`);
    const cwd = await this.insideFolder(params.cwd ?? null);
    const args = params.args ?? [];
    // A command line without args is what agents send for "run this in a shell".
    const [file, argv] = args.length === 0 && /\s/.test(params.command.trim()) ? ['/bin/sh', ['-c', params.command]] : [params.command, args];
    const env = { ...this.env };
    for (const v of params.env ?? []) env[v.name] = v.value;
    const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    await new Promise<void>((ok, fail) => {
      child.once('spawn', ok);
      child.once('error', (err) => fail(new TetherError('SPAWN_FAILED', `could not run ${params.command}: ${err.message}`, { cause: err })));
    });
    const id = newId();
    const limit = Math.min(Math.max(0, params.outputByteLimit ?? MAX_TERMINAL_OUTPUT_BYTES), MAX_TERMINAL_OUTPUT_BYTES);
    let resolveExit!: (e: WaitForTerminalExitResponse) => void;
    const running: Running = { child, output: '', bytes: 0, limit, truncated: false, exit: null, exited: new Promise((r) => (resolveExit = r)) };
    this.terminals.set(id, running);
    const display = [params.command, ...args].join(' ');
    this.sink.terminalStarted(id, display);
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => this.append(id, running, text));
    }
    child.once('exit', (code, signal) => {
      // Its last output may still be in the pipes; a background grandchild may hold them open for good.
      const settle = (): void => {
        if (running.exit) return;
        running.exit = { exitCode: code, signal };
        this.sink.terminalExited(id, code, signal);
        resolveExit(running.exit);
      };
      child.once('close', settle);
      setTimeout(settle, OUTPUT_SETTLE_MS).unref();
    });
    this.log.info({ terminalId: id, command: display, cwd }, 'client terminal started');
    return { terminalId: id };
  }

  /** The output so far and, once it ended, how. */
  output(terminalId: string): TerminalOutputResponse {
    const t = this.get(terminalId);
    return { output: t.output, truncated: t.truncated, exitStatus: t.exit };
  }

  waitForExit(terminalId: string): Promise<WaitForTerminalExitResponse> {
    return this.get(terminalId).exited;
  }

  /** Kills the command's process group; the terminal stays readable until released. */
  async kill(terminalId: string): Promise<void> {
    await this.stop(this.get(terminalId));
  }

  /** Kills the command if it still runs and forgets the terminal (the document keeps what it showed). */
  async release(terminalId: string): Promise<void> {
    const t = this.get(terminalId);
    this.terminals.delete(terminalId);
    await this.stop(t);
  }

  /** Kills every running command (Stop, or the session ends). */
  async killAll(): Promise<void> {
    await Promise.all([...this.terminals.values()].map((t) => this.stop(t)));
  }

  private get(terminalId: string): Running {
    const t = this.terminals.get(terminalId);
    if (!t) throw new TetherError('INTENT_INVALID', `no terminal ${terminalId}`);
    return t;
  }

  private append(id: string, t: Running, text: string): void {
    t.output += text;
    t.bytes += Buffer.byteLength(text);
    if (t.bytes > t.limit) {
      // Drop from the start, whole characters only (ACP: truncate at a character boundary).
      const buf = Buffer.from(t.output);
      let from = buf.length - t.limit;
      while (from < buf.length && (buf[from]! & 0xc0) === 0x80) from++;
      t.output = buf.subarray(from).toString('utf8');
      t.bytes = buf.length - from;
      t.truncated = true;
    }
    this.sink.terminalOutput(id, text);
  }

  private async stop(t: Running): Promise<void> {
    if (t.exit || t.child.exitCode !== null || t.child.signalCode !== null || t.child.pid === undefined) {
      await t.exited;
      return;
    }
    const pid = t.child.pid;
    signalGroup(pid, 'SIGTERM');
    const hard = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    await t.exited;
    clearTimeout(hard);
  }

  /** The cwd to run in: the folder, or a folder inside it. */
  private async insideFolder(cwd: string | null): Promise<string> {
    this.folderReal ??= await realpath(this.folder);
    if (cwd === null) return this.folderReal;
    let real: string;
    try {
      real = await realpath(resolve(this.folderReal, cwd));
    } catch (err) {
      throw new TetherError('PATH_OUTSIDE_SESSION', `no such folder: ${cwd}`, { cause: err });
    }
    if (real !== this.folderReal && !real.startsWith(this.folderReal + sep)) throw new TetherError('PATH_OUTSIDE_SESSION', `${cwd} is outside the session folder`);
    return real;
  }
}

/** Signals a whole process group; a group that is already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
