/**
 * Loaded with `--import` into `npm test`'s runner, and so into every test file's process: all temporary
 * folders of a run — the tests' own, and those of the hosts, agents, Redis, coturn and Chromium they
 * start — go under one folder per run (TMPDIR), removed when the run ends. A test that forgets its
 * mkdtemp, or a process killed before it cleaned up, then leaves nothing in /tmp. The runner says how
 * many folders it removed, so a test that stops cleaning up is still noticed.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MARK = 'TETHER_TEST_RUN_TMPDIR';

// Test files' processes inherit the runner's folder (and this variable) through the environment.
if (!process.env[MARK]) {
  const root = mkdtempSync(join(tmpdir(), 'tether-tests-'));
  process.env[MARK] = root;
  process.env.TMPDIR = root;
  process.on('exit', () => {
    let left: string[] = [];
    try {
      left = readdirSync(root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    rmSync(root, { recursive: true, force: true });
    if (left.length > 0) process.stderr.write(`temporary files and folders left by the tests, removed with ${root}: ${left.length}\n`);
  });
}
