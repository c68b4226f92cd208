/**
 * Runs a program in the host's own terminal while the chat waits (an agent's login program from
 * `/login`): the chat's input is paused and the terminal given back in its normal mode; when the program
 * ends, the chat takes the terminal again.
 */
import { spawn } from 'node:child_process';
import type { Interface } from 'node:readline';
import { setRawModeSafely } from '../client/terminal/tty-mode.js';
import type { LoginProgram } from './conversation-login.js';

/** Runs `program` on the terminal; resolves with its exit code (null when a signal ended it or it could not start). */
export function runInForeground(program: LoginProgram, io: { input: NodeJS.ReadStream; output: NodeJS.WriteStream }, rl: Interface, cwd: string): Promise<number | null> {
  rl.pause();
  setRawModeSafely(io.input, false);
  return new Promise((resolve) => {
    const child = spawn(program.file, program.args, { cwd, env: program.env, stdio: 'inherit' });
    let settled = false;
    const done = (code: number | null): void => {
      if (settled) return;
      settled = true;
      // readline keeps raw mode on while it reads a TTY.
      setRawModeSafely(io.input, true);
      rl.resume();
      resolve(code);
    };
    child.once('error', (err) => {
      io.output.write(`could not run ${program.display}: ${err.message}\n`);
      done(null);
    });
    child.once('exit', (code) => done(code));
  });
}
