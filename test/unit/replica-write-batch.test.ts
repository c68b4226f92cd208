/**
 * A page's replica writes: the first update after a quiet spell is written in the next task (not in the
 * task that applied it, where a keystroke's echo waits to be parsed), then at most one write per interval.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicaWriteBatch } from '../../client/web/replica-write-batch.js';

const u = (n: number): Uint8Array => new Uint8Array([n]);

test('the first update after a quiet spell is written in the next task, later ones at the interval\'s end', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const writes: number[][] = [];
  const batch = new ReplicaWriteBatch((updates) => writes.push(updates.map((x) => x[0]!)), 100);
  batch.add(u(1));
  assert.deepEqual(writes, [], 'not written in the task that applied it');
  batch.add(u(2)); // same task: the same write
  t.mock.timers.tick(0);
  assert.deepEqual(writes, [[1, 2]]);
  batch.add(u(3));
  t.mock.timers.tick(50);
  batch.add(u(4));
  assert.equal(writes.length, 1, 'within the interval nothing more is written');
  t.mock.timers.tick(50);
  assert.deepEqual(writes, [[1, 2], [3, 4]]);
  // The interval after that write passes quietly: the next update is again written in the next task.
  t.mock.timers.tick(100);
  batch.add(u(5));
  t.mock.timers.tick(0);
  assert.deepEqual(writes, [[1, 2], [3, 4], [5]]);
});

test('flush writes what waits at once; drop forgets it', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const writes: number[][] = [];
  const batch = new ReplicaWriteBatch((updates) => writes.push(updates.map((x) => x[0]!)), 100);
  batch.add(u(1));
  batch.flush();
  assert.deepEqual(writes, [[1]]);
  batch.add(u(2));
  batch.drop();
  t.mock.timers.tick(1000);
  assert.deepEqual(writes, [[1]]);
});
