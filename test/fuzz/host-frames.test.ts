/**
 * Random and mutated frames against a real host over real WebRTC (a modest number per run), with a fixed
 * seed (FUZZ_SEED overrides it) after the stored regressions; `npm run fuzz` sends many more.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure, runProperty, testSeed } from './fuzz-property.js';
import { examplesFor } from './regressions.js';
import { hostFramesProperty } from './host-frames.js';

test(`host/frames: each frame gets a reply or a coded close; the document and a bystander are unharmed (seed ${testSeed()})`, async (t) => {
  let outcome;
  try {
    outcome = await runProperty(hostFramesProperty, { runSeed: testSeed(), runs: hostFramesProperty.runs.short, examples: examplesFor(hostFramesProperty.name) as Uint8Array[][] });
  } finally {
    const stats = await hostFramesProperty.close();
    if (stats) t.diagnostic(`cases ${stats.cases}, intents accepted ${stats.accepted}, replies ${stats.replies}, peers closed ${JSON.stringify(Object.fromEntries(stats.closed))}`);
  }
  assert.equal(outcome.failure, null, outcome.failure ? describeFailure(outcome.failure) : '');
});
