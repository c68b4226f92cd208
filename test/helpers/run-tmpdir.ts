/**
 * Loaded with `--import` into `npm test`'s runner and every test file's process: each of them puts all
 * its temporary folders — the tests' own, and those of the hosts, agents, Redis, coturn and Chromium it
 * starts — under one folder of its own (TMPDIR), removed when it exits. A test that forgets its mkdtemp,
 * or a process killed before it cleaned up, then leaves nothing in /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Node's test runner starts each file with the environment it had before this ran, so every process
// makes its own folder; the variable keeps a process that is imported twice from making two.
const MARK = 'TETHER_TEST_TMPDIR_PID';

if (process.env[MARK] !== String(process.pid)) {
  const root = mkdtempSync(join(tmpdir(), 'tether-tests-'));
  process.env[MARK] = String(process.pid);
  process.env.TMPDIR = root;
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
}
