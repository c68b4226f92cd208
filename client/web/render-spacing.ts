/**
 * When a streaming message renders next. Rendering markdown costs more as a message grows, so renders are
 * spaced to keep them under ~25 % of the page's time (a long answer never blocks input), but never so far
 * apart that the message looks stuck. The cost is one measurement: a page paused during a render (a loaded
 * machine, a garbage collection) measures a cost the text never had.
 */

/** Longest wait after a render before the next, however slow that render was. */
export const MAX_RENDER_SPACING_MS = 250;

/** A render measured as taking `costMs`, finished at `at` (performance.now()). */
export interface LastRender {
  at: number;
  costMs: number;
  /** Whether that render showed no text: a message's first words never wait. */
  shownEmpty: boolean;
}

/** Milliseconds from `now` until the next render may run (≤ 0: at the next frame). */
export function renderDelay(last: LastRender, now: number): number {
  if (last.shownEmpty) return 0;
  return last.at + Math.min(last.costMs * 4, MAX_RENDER_SPACING_MS) - now;
}
