/** Runs the real `tether` CLI inside a real PTY, as a user at a terminal would, and reads its screen output. */
import { spawn, type IPty } from '@lydell/node-pty';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { packageRoot } from '../../host/package-paths.js';
import { waitFor } from './wait-for.js';

/** A tether process in a PTY. */
export interface PtyCli {
  pty: IPty;
  /** Everything it printed, escape sequences stripped. */
  text(): string;
  /** Everything it printed, exactly as the terminal received it. */
  raw(): string;
  type(data: string): void;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number>;
  kill(): void;
}

/** A session link with its token, as the chat's share panel prints it. */
export const SESSION_URL_PATTERN = /(http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{22}(?:\?k=[tc])?#[A-Za-z0-9_-]{43})/;

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]/g;

/**
 * Starts `node bin/tether.js <args>` in a 100×40 PTY. Unless `env` names them, the process gets its own
 * state folder (trust store) and config folder (tether attach's credentials), removed when it exits.
 */
export function startPtyCli(args: string[], cwd: string, env: Record<string, string> = {}): PtyCli {
  const own = mkdtempSync(join(tmpdir(), 'tether-pty-cli-'));
  const pty = spawn(process.execPath, [join(packageRoot(), 'bin', 'tether.js'), ...args], {
    cols: 100,
    rows: 40,
    cwd,
    env: { ...process.env, PS1: '$ ', TETHER_STATE_DIR: join(own, 'state'), XDG_CONFIG_HOME: join(own, 'config'), ...env } as Record<string, string>,
    name: 'xterm-256color',
  });
  pty.onExit(() => rmSync(own, { recursive: true, force: true }));
  let out = '';
  pty.onData((d) => (out += d));
  const exited = new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
  let alive = true;
  void exited.then(() => (alive = false));
  const text = (): string => out.replace(ANSI, '').replace(/\r/g, '');
  return {
    pty,
    text,
    raw: () => out,
    type: (data) => pty.write(data),
    async waitFor(pattern, timeoutMs = 15_000) {
      await waitFor(() => pattern.test(text()), timeoutMs, `screen to show ${pattern}`);
      return pattern.exec(text())!;
    },
    exited,
    kill: () => {
      if (alive) pty.kill('SIGKILL');
    },
  };
}
