/**
 * The terminal size policy's arithmetic: which cols×rows fit this device's screen at a comfortable
 * font (what this device asks for when it types or resizes), and which font renders the session's
 * actual cols×rows within the screen (how this device fits a size another device chose).
 */
import { MAX_COLS, MAX_ROWS, MIN_COLS, MIN_ROWS } from '../../protocol/messages.js';
import type { CellMeasure } from './cell-metrics.js';

/** A box in CSS pixels. */
export interface Box {
  width: number;
  height: number;
}

/** A terminal size in cells. */
export interface TermSize {
  cols: number;
  rows: number;
}

/** Below this font size text is unreadable; we still shrink to it rather than overflow the screen. */
export const MIN_FONT_SIZE = 4;
/** Font sizes are chosen in steps of this many px (finer steps only make glyphs blurrier). */
const FONT_STEP = 0.25;

/** A comfortable font for reading on this screen: smaller on phones so a shell still gets ~50 columns. */
export function comfortableFontSize(box: Box): number {
  return box.width < 600 ? 12 : 14;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** The cols×rows that fill `box` at `fontSize`: this device's own preferred terminal size. */
export function fitSize(box: Box, fontSize: number, measure: CellMeasure): TermSize {
  const cell = measure(fontSize);
  return {
    cols: clamp(Math.floor(box.width / cell.width), MIN_COLS, MAX_COLS),
    rows: clamp(Math.floor(box.height / cell.height), MIN_ROWS, MAX_ROWS),
  };
}

/** The pixel size xterm gives a `size` terminal at `fontSize`. */
export function renderedBox(size: TermSize, fontSize: number, measure: CellMeasure): Box {
  const cell = measure(fontSize);
  // xterm rounds the screen's width and height to whole CSS pixels.
  return { width: Math.round(size.cols * cell.width), height: Math.round(size.rows * cell.height) };
}

/**
 * The largest font (at most `maxFontSize`) at which a `size` terminal fits inside `box`, so every
 * device shows the whole terminal: full width on a phone when the terminal is wide.
 */
export function fontSizeToFit(size: TermSize, box: Box, maxFontSize: number, measure: CellMeasure): number {
  // Cells scale almost linearly with the font: estimate from a large reference size, then start 10%
  // above the estimate (cell heights are rounded to whole pixels) and step down until it really fits.
  const reference = measure(100);
  const estimate = Math.min(
    box.width / (size.cols * (reference.width / 100)),
    box.height / (size.rows * (reference.height / 100)),
  );
  let fontSize = Math.min(maxFontSize, Math.floor((estimate * 1.1) / FONT_STEP) * FONT_STEP);
  while (fontSize > MIN_FONT_SIZE) {
    const rendered = renderedBox(size, fontSize, measure);
    if (rendered.width <= box.width && rendered.height <= box.height) break;
    fontSize -= FONT_STEP;
  }
  fontSize = Math.max(MIN_FONT_SIZE, fontSize);
  return fontSize;
}
