/**
 * Loads the code of a view only when a page needs it: the terminal (xterm.js) and the conversation
 * (markdown-it, DOMPurify) are separate chunks of the bundle, so neither page pays for the other. The
 * link says which kind its session is (protocol/session-url.ts), and a page opened before remembers it
 * (localStorage), so the right chunk loads while the page connects. A chunk that cannot load any more
 * (the server now runs a newer build) reloads the page once, onto the new build.
 */
import type { SessionKind } from '../../protocol/session-kind.js';
import { milestone } from '../core/milestone.js';

const HINTS_KEY = 'tether:kinds';
/** Most sessions whose kind is remembered. */
const MAX_HINTS = 64;
const RELOADED_KEY = 'tether:reloaded-for-update';

type ViewModules = {
  terminal: typeof import('./terminal-page.js');
  conversation: typeof import('./conversation-page.js');
  'session-list': typeof import('./session-list-page.js');
};

const loading = new Map<SessionKind, Promise<unknown>>();

function importView(kind: SessionKind): Promise<unknown> {
  let p = loading.get(kind);
  if (!p) {
    milestone('view-requested');
    p = kind === 'terminal' ? import('./terminal-page.js') : kind === 'conversation' ? import('./conversation-page.js') : import('./session-list-page.js');
    p.then(() => milestone('view-code'), () => undefined); // a failure is reported by loadView
    loading.set(kind, p);
  }
  return p;
}

/** The module of a view; reloads the page (once) when its chunk is gone after an update. */
export async function loadView<K extends SessionKind>(kind: K): Promise<ViewModules[K]> {
  try {
    const module = (await importView(kind)) as ViewModules[K];
    safeSession()?.removeItem(RELOADED_KEY);
    return module;
  } catch (err) {
    const session = safeSession();
    if (session && session.getItem(RELOADED_KEY) === null) {
      session.setItem(RELOADED_KEY, '1');
      location.reload();
    }
    throw err;
  }
}

/**
 * Starts loading the view of this session while the page connects: the kind its link names, else the one
 * it had last time on this device. Returns that kind (null: the page waits for the first sync to know).
 */
export function preloadView(sessionId: string, linkKind: SessionKind | null = null): SessionKind | null {
  const kind = linkKind ?? readHints()[sessionId] ?? null;
  if (kind) void importView(kind).catch(() => undefined); // loadView reports it when it is needed
  return kind;
}

/** Remembers the kind of a session (for the next visit, and for a session opened from the list). */
export function rememberKind(sessionId: string, kind: SessionKind): void {
  const hints = readHints();
  if (hints[sessionId] === kind) return;
  delete hints[sessionId];
  hints[sessionId] = kind;
  const entries = Object.entries(hints).slice(-MAX_HINTS);
  try {
    localStorage.setItem(HINTS_KEY, JSON.stringify(Object.fromEntries(entries)));
  } catch (err) {
    // Storage full or disabled: only the head start is lost.
    console.warn('tether: cannot remember the session kind', err);
  }
}

function readHints(): Record<string, SessionKind> {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(HINTS_KEY) ?? '{}');
    if (typeof raw !== 'object' || raw === null) return {};
    const out: Record<string, SessionKind> = {};
    for (const [id, kind] of Object.entries(raw)) if (kind === 'terminal' || kind === 'conversation' || kind === 'session-list') out[id] = kind;
    return out;
  } catch (err) {
    // Malformed or unavailable storage: no hints.
    console.warn('tether: ignoring stored session kinds', err);
    return {};
  }
}

function safeSession(): Storage | null {
  try {
    return window.sessionStorage;
  } catch (err) {
    // Storage disabled: the page will not reload by itself.
    console.warn('tether: sessionStorage unavailable', err);
    return null;
  }
}
