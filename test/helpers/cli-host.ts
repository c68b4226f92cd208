/**
 * Runs the real `tether` CLI as a child process with --json and reads its events, for tests that
 * need a real process: signals, exit codes, port release.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { packageRoot } from '../../host/package-paths.js';
import { waitFor } from './wait-for.js';

/** A running `tether` process. */
export interface CliHost {
  child: ChildProcess;
  events: Array<Record<string, unknown> & { event: string }>;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
  /** Waits for an event named `name` and returns it. */
  event(name: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(): void;
}

/** Starts `node bin/tether.js <args>` with the test's environment plus `env` (or `env` alone with `cleanEnv`). */
export function startCli(args: string[], env: Record<string, string> = {}, cwd?: string, cleanEnv = false): CliHost {
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'tether.js'), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv ? env : { ...process.env, ...env },
  });
  const events: CliHost['events'] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.trim().startsWith('{')) events.push(JSON.parse(line) as CliHost['events'][number]);
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    events,
    stderr: () => stderr,
    exited,
    async event(name, timeoutMs = 15_000) {
      await waitFor(() => events.some((e) => e.event === name) || child.exitCode !== null, timeoutMs, `event ${name}`);
      const found = events.find((e) => e.event === name);
      if (!found) throw new Error(`tether exited before '${name}': ${stderr}`);
      return found;
    },
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
