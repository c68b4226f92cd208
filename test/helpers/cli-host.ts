/**
 * Runs the real `tether` CLI as a child process with --json and reads its events, for tests that
 * need a real process: signals, exit codes, port release.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { packageRoot } from '../../host/package-paths.js';
import { settledOr, waitFor } from './wait-for.js';

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
  /** SIGTERM, so it stops its sessions (whole process groups); SIGKILL if it is still running after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node bin/tether.js <args>` with the test's environment plus `env` (or `env` alone with
 * `cleanEnv`). Unless `env` names one, the process gets its own state folder (trust store, control
 * socket), removed when it exits, so tests never touch the user's. `nodeArgs` go to Node itself.
 */
export function startCli(args: string[], env: Record<string, string> = {}, cwd?: string, cleanEnv = false, nodeArgs: string[] = []): CliHost {
  const stateDir = env.TETHER_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'tether-cli-state-'));
  const child = spawn(process.execPath, [...nodeArgs, join(packageRoot(), 'bin', 'tether.js'), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv ? { TETHER_STATE_DIR: stateDir, ...env } : { ...process.env, TETHER_STATE_DIR: stateDir, ...env },
  });
  if (env.TETHER_STATE_DIR === undefined) child.on('exit', () => rmSync(stateDir, { recursive: true, force: true }));
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
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await settledOr(exited, graceMs, null);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
