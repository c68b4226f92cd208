import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RENDER_SPACING_MS, renderDelay } from '../../client/web/render-spacing.js';

describe('renderDelay', () => {
  it('spaces renders at four times the last one\'s cost', () => {
    assert.equal(renderDelay({ at: 1000, costMs: 10, shownEmpty: false }, 1000), 40);
    assert.equal(renderDelay({ at: 1000, costMs: 10, shownEmpty: false }, 1030), 10);
    assert.ok(renderDelay({ at: 1000, costMs: 10, shownEmpty: false }, 1100) <= 0);
  });

  it('shows a message\'s first words at the next frame, however long its empty render seemed to take', () => {
    // A page paused mid-render (a loaded machine, a collection) measures a cost the text never had.
    assert.ok(renderDelay({ at: 1000, costMs: 400, shownEmpty: true }, 1001) <= 0);
  });

  it('never waits longer than MAX_RENDER_SPACING_MS after a render, however slow it was', () => {
    assert.equal(renderDelay({ at: 1000, costMs: 5000, shownEmpty: false }, 1000), MAX_RENDER_SPACING_MS);
    assert.ok(MAX_RENDER_SPACING_MS <= 500, 'a streaming message stays live');
  });
});
