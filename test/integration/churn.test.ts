/**
 * The host survives devices coming and going while it streams (a brief run; `npm run churn` runs 10,000
 * cycles): no crash, and its threads do not pile up (each closed connection used to leave threads behind).
 * The memory probe runs too, so `npm run churn -- --probe` keeps working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChurn } from '../churn/churn-run.js';

test('120 join/leave cycles, polite and abrupt, against a streaming host: it stays up and its threads stay flat', async () => {
  const result = await runChurn(120, { sampleEvery: 20, warmup: 20, lineBytes: 5, probe: true });
  assert.ok(result.hostAlive);
  for (const s of result.samples) {
    assert.ok(s.heap && s.heap.heapUsed > 0 && s.heap.heapTotal >= s.heap.heapUsed && s.heap.spaces.old_space, `cycle ${s.cycle}: the probe reports the host's heap`);
  }
  const threads = result.samples.map((s) => s.threads);
  assert.ok(Math.max(...threads) - Math.min(...threads) <= 4, `threads stay flat: ${threads.join(', ')}`);
});
