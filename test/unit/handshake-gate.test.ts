/** HandshakeGate: at most N at once, the rest in arrival order, a release frees exactly one turn. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HandshakeGate, type Release } from '../../host/core/handshake-gate.js';

test('four handshakes at once, the rest wait in order; a double release frees one turn', () => {
  const gate = new HandshakeGate(4);
  const started: number[] = [];
  const releases: Release[] = [];
  for (let i = 0; i < 7; i++) assert.equal(gate.enter((release) => (started.push(i), releases.push(release))), true);
  assert.deepEqual(started, [0, 1, 2, 3]);
  releases[1]!();
  releases[1]!();
  assert.deepEqual(started, [0, 1, 2, 3, 4], 'one release, one more turn');
  releases[0]!();
  releases[4]!();
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
});
