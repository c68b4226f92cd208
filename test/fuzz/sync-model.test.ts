/**
 * The seeded sync fuzz (sync-model.ts), briefly and with a fixed seed (FUZZ_SEED overrides it), after the
 * stored regressions; `npm run fuzz` runs thousands of scenarios.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure, runProperty, testSeed } from './fuzz-property.js';
import { examplesFor } from './regressions.js';
import { syncModelProperty, type SyncScenario } from './sync-model.js';

test(`sync/model: replicas fed through drops, reorderings, duplicates and lag equal the host; intents apply once (seed ${testSeed()})`, async () => {
  const outcome = await runProperty(syncModelProperty, { runSeed: testSeed(), runs: syncModelProperty.runs.short, examples: examplesFor(syncModelProperty.name) as SyncScenario[] });
  assert.equal(outcome.failure, null, outcome.failure ? describeFailure(outcome.failure) : '');
});
