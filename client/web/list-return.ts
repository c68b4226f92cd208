/**
 * Remembers, for this tab only (sessionStorage), which session list a session was opened from, so
 * the session's page can offer a way back to the list — phones in full-screen mode have no back
 * button. Nothing is remembered when storage is unavailable; the browser's back still works.
 */
import { parseSessionUrl } from '../../protocol/session-url.js';

const PREFIX = 'tether:opened-from:';

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch (err) {
    // Storage disabled (privacy settings): the page works without the way back.
    console.warn('tether: sessionStorage unavailable', err);
    return null;
  }
}

/** Notes that `sessionId` is being opened from the list at `listUrl`. */
export function rememberList(sessionId: string, listUrl: string): void {
  storage()?.setItem(PREFIX + sessionId, listUrl);
}

/** The list `sessionId` was opened from in this tab, when it is a session link on this page's origin. */
export function listOf(sessionId: string): string | null {
  const stored = storage()?.getItem(PREFIX + sessionId) ?? null;
  if (stored === null) return null;
  try {
    const link = parseSessionUrl(stored);
    return new URL(link.origin).origin === location.origin && link.sessionId !== sessionId ? stored : null;
  } catch (err) {
    console.warn('tether: ignoring a malformed stored list link', err instanceof Error ? err.message : err);
    return null;
  }
}
