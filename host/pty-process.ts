/**
 * The only module that touches a PTY (@lydell/node-pty: node-pty with prebuilt binaries, so install
 * needs no compiler). Spawns a program in its own session/process group and ends the whole group.
 * Input is paced (host/pty-writer.ts) and never written with node-pty's own `write`, see ptySink.
 */
import { writeSync } from 'node:fs';
import { spawn, type IPty } from '@lydell/node-pty';
import { TetherError } from '../protocol/errors.js';
import { PtyWriter, type PtySink } from './pty-writer.js';

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
  /** Queues input for the program; INPUT_BACKLOG when it has too much unread input, SESSION_ENDED after exit. */
  write(data: string): TetherError | null;
  /** Why `write(data)` would be refused now, or null. */
  refusal(data: string): TetherError | null;
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
  let writer: PtyWriter;
  try {
    writer = new PtyWriter(ptySink(pty));
  } catch (err) {
    pty.kill('SIGKILL');
    throw err;
  }
  let exit: PtyExit | null = null;
  const exitWaiters: Array<(e: PtyExit) => void> = [];
  pty.onExit(({ exitCode, signal }) => {
    writer.close();
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
    write: (data) => (exit ? new TetherError('SESSION_ENDED') : writer.write(data)),
    refusal: (data) => (exit ? new TetherError('SESSION_ENDED') : writer.refusal(data)),
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

/**
 * Non-blocking writes to the PTY's master descriptor. node-pty's `write` goes through a libuv TTY
 * handle that, for a PTY master, uses blocking writes on a non-blocking descriptor: once the program
 * stops reading, it spins on EAGAIN inside one call (100 % CPU, event loop and signals dead). Writing
 * the descriptor ourselves turns EAGAIN into "0 bytes taken, try later".
 */
function ptySink(pty: IPty): PtySink {
  // Not in node-pty's typings, but stable on Unix: `fd` is the master, `_socket` the stream owning it.
  const internals = pty as unknown as { fd?: unknown; _socket?: { destroyed?: unknown } };
  const fd = internals.fd;
  const socket = internals._socket;
  if (typeof fd !== 'number' || typeof socket?.destroyed !== 'boolean') {
    throw new TetherError('SPAWN_FAILED', 'this node-pty build does not expose its PTY descriptor, which tether needs to pace input');
  }
  return {
    tryWrite: (bytes) => {
      // node-pty closes the descriptor by destroying its stream: never write to a number the system may have reused.
      if (socket.destroyed) throw new Error('the PTY is closed');
      try {
        return writeSync(fd, bytes);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
        throw err;
      }
    },
  };
}
