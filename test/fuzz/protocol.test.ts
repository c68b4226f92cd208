/**
 * The protocol fuzz properties, briefly and with a fixed seed (FUZZ_SEED overrides it), each after its
 * stored regressions; `npm run fuzz` runs the same properties long.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure, runProperty, testSeed } from './fuzz-property.js';
import { examplesFor } from './regressions.js';
import { protocolProperties } from './protocol-properties.js';

const seed = testSeed();

for (const p of protocolProperties) {
  test(`${p.name} (seed ${seed})`, async () => {
    const outcome = await runProperty(p, { runSeed: seed, runs: p.runs.short, examples: examplesFor(p.name) });
    assert.equal(outcome.failure, null, outcome.failure ? describeFailure(outcome.failure) : '');
  });
}
