/**
 * When a streaming message renders next. Rendering markdown costs more as a message grows, so renders are
 * spaced to keep them under ~20 % of the page's time (a long answer never blocks input), but never so far
 * apart that the message looks stuck. One render's measurement can lie: a page paused during it (a loaded
 * machine, a garbage collection) measures a cost the text never had. So the spacing follows the smaller of
 * the last two costs, a message's first words never wait, and no wait is longer than a second.
 */

/** Longest wait after a render before the next, however slow the renders were. */
export const MAX_RENDER_SPACING_MS = 1000;

/** The last render: finished at `at` (performance.now()), spaced by `costMs`. */
export interface LastRender {
  at: number;
  /** The smaller of the last two renders' measured costs (the only one's, after an empty render). */
  costMs: number;
  /** Whether that render showed no text: a message's first words never wait. */
  shownEmpty: boolean;
}

/** Before a message's first render: its first words show at the next frame. */
export const BEFORE_FIRST_RENDER: LastRender = Object.freeze({ at: 0, costMs: 0, shownEmpty: true });

/** What `schedule` knows after a render that took `costMs` and finished at `at`. */
export function afterRender(previous: LastRender, at: number, costMs: number, shownEmpty: boolean): LastRender {
  const steady = previous.shownEmpty ? costMs : Math.min(costMs, previous.costMs);
  return { at, costMs: steady, shownEmpty };
}

/** Milliseconds from `now` until the next render may run (≤ 0: at the next frame). */
export function renderDelay(last: LastRender, now: number): number {
  if (last.shownEmpty) return 0;
  return last.at + Math.min(last.costMs * 4, MAX_RENDER_SPACING_MS) - now;
}
