/**
 * The end-to-end sync fuzz, one seeded scenario (FUZZ_SEED overrides the seed) after the stored
 * regressions; `npm run fuzz` runs more.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure, runProperty, testSeed } from './fuzz-property.js';
import { examplesFor } from './regressions.js';
import { liveSyncProperty, type LiveScenario } from './live-sync.js';

test(`sync/live: real clients with random intents and dropped connections converge, each intent applied once (seed ${testSeed()})`, async () => {
  const outcome = await runProperty(liveSyncProperty, { runSeed: testSeed(), runs: liveSyncProperty.runs.short, examples: examplesFor(liveSyncProperty.name) as LiveScenario[] });
  assert.equal(outcome.failure, null, outcome.failure ? describeFailure(outcome.failure) : '');
});
