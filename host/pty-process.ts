/**
 * The only module that touches a PTY (@lydell/node-pty: node-pty with prebuilt binaries, so install
 * needs no compiler). Spawns a program in its own session/process group and ends the whole group.
 */
import { spawn, type IPty } from '@lydell/node-pty';
import { TetherError } from '../protocol/errors.js';

/** What to run in the PTY. */
export interface PtyCommand {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

/** How the program ended. */
export interface PtyExit {
  exitCode: number;
  signal: number | null;
}

/** A running program in a PTY. */
export interface PtyProcess {
  readonly pid: number;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  onData(listener: (text: string) => void): void;
  onExit(listener: (exit: PtyExit) => void): void;
  /** Hangs up the process group (SIGHUP, then SIGKILL after `graceMs`); resolves once it exited. */
  kill(graceMs?: number): Promise<PtyExit>;
}

/** Starts `command` in a new PTY; throws TetherError SPAWN_FAILED when it cannot start. */
export function spawnPty(command: PtyCommand): PtyProcess {
  let pty: IPty;
  try {
    pty = spawn(command.file, command.args, {
      name: 'xterm-256color',
      cols: command.cols,
      rows: command.rows,
      cwd: command.cwd,
      env: command.env,
    });
  } catch (err) {
    throw new TetherError('SPAWN_FAILED', `could not start ${command.file}: ${(err as Error).message}`, { cause: err });
  }
  let exit: PtyExit | null = null;
  const exitWaiters: Array<(e: PtyExit) => void> = [];
  pty.onExit(({ exitCode, signal }) => {
    exit = { exitCode, signal: signal ? signal : null };
    for (const w of exitWaiters.splice(0)) w(exit);
  });
  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      // node-pty makes the child a session leader: its pid is also its process group id.
      process.kill(-pty.pid, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  return {
    pid: pty.pid,
    write: (data) => {
      if (!exit) pty.write(data);
    },
    resize: (cols, rows) => {
      if (!exit) pty.resize(cols, rows);
    },
    onData: (listener) => {
      pty.onData(listener);
    },
    onExit: (listener) => {
      if (exit) listener(exit);
      else exitWaiters.push(listener);
    },
    kill: (graceMs = 1000) =>
      new Promise<PtyExit>((resolve) => {
        if (exit) return resolve(exit);
        exitWaiters.push(resolve);
        signalGroup('SIGHUP');
        const hard = setTimeout(() => signalGroup('SIGKILL'), graceMs);
        exitWaiters.push(() => clearTimeout(hard));
      }),
  };
}
