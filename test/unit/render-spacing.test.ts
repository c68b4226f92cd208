import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { afterRender, BEFORE_FIRST_RENDER as EMPTY, MAX_RENDER_SPACING_MS, renderDelay } from '../../client/web/render-spacing.js';

describe('renderDelay', () => {
  it('spaces renders at four times the last one\'s cost', () => {
    assert.equal(renderDelay({ at: 1000, costMs: 10, shownEmpty: false }, 1000), 40);
    assert.equal(renderDelay({ at: 1000, costMs: 10, shownEmpty: false }, 1030), 10);
    assert.ok(renderDelay({ at: 1000, costMs: 10, shownEmpty: false }, 1100) <= 0);
  });

  it('shows a message\'s first words at the next frame, however long its empty render seemed to take', () => {
    // A page paused mid-render (a loaded machine, a collection) measures a cost the text never had.
    const empty = afterRender(EMPTY, 1000, 400, true);
    assert.ok(renderDelay(empty, 1001) <= 0);
    // …and that empty render's cost is not carried into the spacing of the text after it.
    assert.equal(renderDelay(afterRender(empty, 1100, 5, false), 1100), 20);
  });

  it('keeps renders that really are slow to a fifth of the page\'s time', () => {
    let last = afterRender(EMPTY, 0, 1, true);
    last = afterRender(last, 200, 200, false);
    last = afterRender(last, 1200, 200, false);
    assert.equal(renderDelay(last, 1200), 800, 'a 200 ms render is followed by 800 ms without one');
  });

  it('is not stretched by one render the page was paused in', () => {
    let last = afterRender(EMPTY, 0, 1, true);
    last = afterRender(last, 100, 10, false);
    last = afterRender(last, 2100, 2000, false);
    assert.equal(renderDelay(last, 2100), 40, 'spaced by the smaller of the last two costs');
  });

  it('never waits longer than MAX_RENDER_SPACING_MS after a render, however slow the renders were', () => {
    assert.equal(renderDelay({ at: 1000, costMs: 5000, shownEmpty: false }, 1000), MAX_RENDER_SPACING_MS);
    assert.ok(MAX_RENDER_SPACING_MS <= 1000, 'a streaming message stays live');
  });
});
