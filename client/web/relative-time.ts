/**
 * "just now", "2 min ago", "3 h ago", "5 d ago": how long ago a moment was, coarse enough that a
 * refresh every few seconds keeps it true, and never in the future (the host's clock may run ahead).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How often a page showing relative times should refresh them. */
export const RELATIVE_TIME_REFRESH_MS = 15_000;

/** How long before `now` the moment `then` was, in words (both in milliseconds since the epoch). */
export function relativeTime(then: number, now: number): string {
  const ago = Math.max(0, now - then);
  if (!Number.isFinite(ago) || ago < MINUTE) return 'just now';
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  const days = Math.floor(ago / DAY);
  return days === 1 ? 'yesterday' : `${days} d ago`;
}
