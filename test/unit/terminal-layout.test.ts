/** The size policy's arithmetic with a fixed cell measure: fit sizes and the font that fits a size. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fitSize, fontSizeToFit, MIN_FONT_SIZE, renderedBox } from '../../client/web/terminal-layout.js';
import type { CellMeasure } from '../../client/web/cell-metrics.js';

/** DejaVu Sans Mono-like cells: width 0.602 em, height rounded up to whole pixels. */
const measure: CellMeasure = (fontSize) => ({ width: fontSize * 0.602, height: Math.ceil(fontSize * 1.17) });

describe('fitSize', () => {
  it('fills a phone screen at 12 px', () => {
    assert.deepEqual(fitSize({ width: 382, height: 743 }, 12, measure), { cols: 52, rows: 49 });
  });
  it('stays within the protocol bounds', () => {
    assert.deepEqual(fitSize({ width: 0, height: 0 }, 12, measure), { cols: 2, rows: 1 });
    assert.deepEqual(fitSize({ width: 100_000, height: 100_000 }, 12, measure), { cols: 500, rows: 300 });
  });
});

describe('fontSizeToFit', () => {
  it('renders a device its own fit size at exactly the comfortable font', () => {
    const box = { width: 1256, height: 736 };
    const size = fitSize(box, 14, measure);
    assert.equal(fontSizeToFit(size, box, 21, measure), 14);
  });

  it('shrinks a wide terminal to the full width of a phone', () => {
    const box = { width: 382, height: 743 };
    const font = fontSizeToFit({ cols: 149, rows: 46 }, box, 18, measure);
    const rendered = renderedBox({ cols: 149, rows: 46 }, font, measure);
    assert.ok(rendered.width <= box.width && rendered.width > box.width - 10, `width ${rendered.width}`);
    assert.ok(rendered.height <= box.height);
  });

  it('fits a tall terminal by height and never exceeds the maximum font', () => {
    const box = { width: 1256, height: 700 };
    const tall = fontSizeToFit({ cols: 52, rows: 53 }, box, 21, measure);
    assert.ok(renderedBox({ cols: 52, rows: 53 }, tall, measure).height <= 700);
    assert.equal(fontSizeToFit({ cols: 20, rows: 5 }, box, 21, measure), 21);
  });

  it('bottoms out at the minimum font rather than failing', () => {
    assert.equal(fontSizeToFit({ cols: 500, rows: 300 }, { width: 100, height: 100 }, 14, measure), MIN_FONT_SIZE);
  });
});
