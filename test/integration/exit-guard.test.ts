/**
 * The exit guard (test/helpers/exit-guard.ts) on real test files: a file left alive after its tests is
 * ended with its own status, naming what held it (a timer, a WebRTC connection never closed, or a native
 * leftover of libdatachannel), and a file that exits by itself is not held up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/lingering-test-file.ts', import.meta.url));
const GUARD = fileURLToPath(new URL('../helpers/exit-guard.ts', import.meta.url));

/** Runs the fixture as `npm test` runs a file; resolves with its exit code, output and time taken. */
function runFixture(linger: string): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  // This file runs as a test file itself: its marker would make the inner runner skip the fixture.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--import', GUARD, '--test', FIXTURE], { env: { ...env, LINGER: linger }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, output: stdout + stderr, ms: Date.now() - started });
    });
  });
}

test('a finished test file exits with its own status, naming what held it; clean files go at once', async () => {
  const [timer, peer, native, clean] = await Promise.all([runFixture('timer'), runFixture('peer'), runFixture('native'), runFixture('none')]);
  for (const run of [timer, peer, native]) {
    assert.equal(run.code, 0, run.output);
    assert.ok(run.ms < 40_000, `ended by the guard, not by the fixture's 60 s timer (${run.ms} ms)`);
  }
  assert.match(timer.output, /still open: Timeout; exiting/);
  assert.match(peer.output, /still open: 1 WebRTC connection\(s\) never closed; exiting/);
  assert.match(native.output, /only a native handle kept the process alive/);
  assert.equal(clean.code, 0, clean.output);
  assert.doesNotMatch(clean.output, /exit guard/);
  assert.ok(clean.ms < 9_000, `a clean file waited for the guard (${clean.ms} ms)`);
});
