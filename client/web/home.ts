/**
 * The app's home: the session list this device used last (a server's link without its token — a
 * paired device needs none), remembered in localStorage so an installed app, whose start page is `/`,
 * opens onto the computer it knows. Error pages link here.
 */
import { formatSessionUrl, parseSessionUrl } from '../../protocol/session-url.js';

const HOME_KEY = 'tether:home';

/** Remembers the list at `url` (its token is never stored) as this device's home. */
export function rememberHome(url: string): void {
  try {
    const link = parseSessionUrl(url);
    localStorage.setItem(HOME_KEY, formatSessionUrl(link.origin, link.sessionId, null));
  } catch (err) {
    // Not a session link, or storage disabled: the home stays what it was.
    console.warn('tether: cannot remember the home page', err instanceof Error ? err.message : err);
  }
}

/** The remembered list on this origin, or null. */
export function homeLink(): string | null {
  try {
    const stored = localStorage.getItem(HOME_KEY);
    if (!stored) return null;
    const link = parseSessionUrl(stored);
    return new URL(link.origin).origin === location.origin ? stored : null;
  } catch (err) {
    // Malformed or unavailable: no home.
    console.warn('tether: ignoring the stored home page', err instanceof Error ? err.message : err);
    return null;
  }
}

/** Where "Home" goes from a page: the remembered list, else the start page. */
export function homeHref(): string {
  return homeLink() ?? '/';
}
