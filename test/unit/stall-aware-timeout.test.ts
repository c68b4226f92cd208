/**
 * A host stopped while it waits for an agent (a laptop lid closed during the agent's start) must not give
 * up on an answer that arrived while it was stopped: seen in the fault suite, where a 60 s SIGSTOP during
 * an agent's start ended the session with "the agent did not answer initialize within 30 s".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { stallAwareTimeout } from '../../protocol/stall-aware-timeout.js';
import { settledOr } from '../helpers/wait-for.js';

/** Blocks this process for `ms`, as a SIGSTOP would. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: no timer and no I/O runs
  }
}

/** Asks a running child for an answer with a 200 ms timeout, then stalls this process for 1 s. */
function raceAfterStall(timeoutOf: (ms: number, onTimeout: () => void) => () => void): Promise<'answer' | 'timeout'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', "process.stdout.write('up'); process.stdin.once('data', () => { process.stdout.write('answer'); process.exit(0); })"], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdout.once('data', () => {
      // The child is running: ask, and be stopped while it answers.
      const cancel = timeoutOf(200, () => resolve('timeout'));
      child.stdout.once('data', () => {
        cancel();
        resolve('answer');
      });
      child.stdin.write('go\n');
      stall(1000);
    });
  });
}

test('an answer that arrived while the process was stopped wins over the overdue timeout', async () => {
  assert.equal(await raceAfterStall(stallAwareTimeout), 'answer');
});

test('a plain timer gives up on it (what the agent start did before)', async () => {
  const plain = (ms: number, onTimeout: () => void): (() => void) => {
    const t = setTimeout(onTimeout, ms);
    return () => clearTimeout(t);
  };
  assert.equal(await raceAfterStall(plain), 'timeout');
});

test('with no answer it still times out', async () => {
  const started = performance.now();
  await new Promise<void>((resolve) => stallAwareTimeout(100, resolve));
  // Timers may fire a millisecond early by the clock's rounding; what matters is that it fires.
  assert.ok(performance.now() - started >= 90, `fired after ${performance.now() - started} ms`);
});

test('a process that is late at every turn still times out: the grace is given a few times, not forever', async () => {
  // Every turn of the loop is blocked for 700 ms (more than the grace): each firing comes late.
  const busy = setInterval(() => stall(700), 0);
  try {
    const started = Date.now();
    const fired = await settledOr(new Promise<boolean>((resolve) => stallAwareTimeout(100, () => resolve(true))), 15_000, false);
    assert.ok(fired, `it never fired (waited ${Date.now() - started} ms)`);
  } finally {
    clearInterval(busy);
  }
});
