/**
 * Startup: `tether remote-control -- /bin/sh` in a real PTY, as a user starts it, from the process spawn to
 * its QR code on the screen — the first start in a new state folder (keys are made) and a start again in
 * the same folder (its stored session is restored first) — with the Node flags of bin/tether.js's shebang.
 */
import { spawn } from '@lydell/node-pty';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../host/package-paths.js';
import { binNodeFlags } from './host-process.js';
import type { BenchResult, BenchRow } from './report.js';
import { ms, summarize } from './stats.js';

const STARTS = 10;
const TARGET_MS = 300;
const START_TIMEOUT_MS = 15_000;
const EXIT_TIMEOUT_MS = 5_000;
/** A row of the QR code (drawn with half blocks, host/status-screen.ts). */
const QR_ROW = /[▀▄█]{8}/;
/** The `tether` command, started with the Node flags of its shebang as a user's shell would. */
const BIN = join(packageRoot(), 'bin', 'tether.js');

/** Starts the CLI in a PTY; resolves with the ms from spawn to the QR code, after it has quit again. */
function timeToQr(stateDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const pty = spawn(process.execPath, [...binNodeFlags(BIN), BIN, 'remote-control', '--local', '--port', '0', '--', '/bin/sh'], {
      cols: 120,
      rows: 60,
      cwd: stateDir,
      env: { ...process.env, TETHER_STATE_DIR: stateDir, XDG_CONFIG_HOME: join(stateDir, 'config') } as Record<string, string>,
      name: 'xterm-256color',
    });
    let out = '';
    let shownAt: number | null = null;
    let exitTimer: ReturnType<typeof setTimeout> | null = null;
    const startTimer = setTimeout(() => {
      pty.kill('SIGKILL');
      reject(new Error(`no QR code within ${START_TIMEOUT_MS} ms; the screen showed: ${JSON.stringify(out.slice(-300))}`));
    }, START_TIMEOUT_MS);
    pty.onData((data) => {
      out += data;
      if (shownAt !== null || !QR_ROW.test(out)) return;
      shownAt = performance.now() - t0;
      clearTimeout(startTimer);
      // Quit as a user does; a host that does not exit in time is killed and reported.
      pty.write('q');
      exitTimer = setTimeout(() => {
        pty.kill('SIGKILL');
        reject(new Error(`the host did not exit within ${EXIT_TIMEOUT_MS} ms of q`));
      }, EXIT_TIMEOUT_MS);
    });
    pty.onExit(() => {
      clearTimeout(startTimer);
      if (exitTimer) clearTimeout(exitTimer);
      if (shownAt !== null) resolve(shownAt);
      else reject(new Error(`exited before showing a QR code: ${JSON.stringify(out.slice(-300))}`));
    });
  });
}

/** Runs the benchmark: STARTS first starts (each in a new state folder) and STARTS starts again. */
export async function benchStartup(): Promise<BenchResult> {
  const first: number[] = [];
  const again: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const stateDir = mkdtempSync(join(tmpdir(), 'tether-bench-startup-'));
    try {
      first.push(await timeToQr(stateDir));
      again.push(await timeToQr(stateDir));
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  const row = (label: string, samples: number[]): BenchRow => {
    const s = summarize(samples);
    return { benchmark: `${label} (n=${s.n})`, figure: `p50 ${ms(s.p50)} · max ${ms(s.max)}`, target: `p50 ≤ ${TARGET_MS} ms`, met: s.p50 <= TARGET_MS };
  };
  return {
    rows: [row('Startup: remote-control to the QR code, new state folder', first), row('  again, restoring its stored session', again)],
    notes: [`startup: spawn → QR code on the PTY, Node flags ${binNodeFlags(BIN).join(' ')}; each host quit with q`],
  };
}
