/**
 * The session link: `<origin>/s/<sessionId>[?k=t|c]#<token>`. The token is a pairing token (a secret with
 * a lifetime and a role) and only ever lives in the fragment, which browsers never send to a server. `k`
 * says what kind of session the link opens (t: terminal, c: conversation), so a page loads that view's
 * code while it connects; it is a hint, not a secret, and links without it keep working. A paired device
 * can open `<origin>/s/<sessionId>` with no token: it authenticates with its credential.
 */
import { ID_PATTERN, KEY_PATTERN } from './ids.js';
import { TetherError } from './errors.js';

/** The kinds of session a link can name (a session list's link names none). */
export type LinkKind = 'terminal' | 'conversation';

const KIND_LETTER: Record<LinkKind, string> = { terminal: 't', conversation: 'c' };

/** What a session link tells a client. */
export interface SessionLink {
  /** Signal server origin (and path prefix), e.g. `http://192.168.1.20:7420`. */
  origin: string;
  sessionId: string;
  /** The pairing token from the fragment, or null for a link without one. */
  token: string | null;
  /** The kind of session the link says it opens (a hint the document has the last word on), or null. */
  kind: LinkKind | null;
}

/**
 * Builds a session link (without a fragment when `token` is null). `kind` ('terminal', 'conversation')
 * adds the hint; any other kind (a session list) adds nothing.
 */
export function formatSessionUrl(origin: string, sessionId: string, token: string | null, kind: string | null = null): string {
  const letter = kind === 'terminal' || kind === 'conversation' ? KIND_LETTER[kind] : null;
  return `${origin.replace(/\/+$/, '')}/s/${sessionId}${letter ? `?k=${letter}` : ''}${token ? `#${token}` : ''}`;
}

/** Parses a session link; throws BAD_FLAG for a malformed link and KEY_REJECTED for a malformed token. */
export function parseSessionUrl(text: string): SessionLink {
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    // Quote only what precedes the fragment: the token must never reach a message or a log.
    throw new TetherError('BAD_FLAG', `not a URL: ${text.split('#')[0]!.slice(0, 80)}`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TetherError('BAD_FLAG', 'a session link starts with http:// or https://');
  }
  const match = /\/s\/([^/]+)\/?$/.exec(url.pathname);
  if (!match || !ID_PATTERN.test(match[1]!)) {
    throw new TetherError('BAD_FLAG', 'not a session link (expected …/s/<session id>#<token>)');
  }
  const token = url.hash.replace(/^#/, '');
  if (token !== '' && !KEY_PATTERN.test(token)) {
    throw new TetherError('KEY_REJECTED', 'the link\'s key is malformed; open the full link or scan the QR code again');
  }
  const base = url.pathname.slice(0, match.index);
  return { origin: `${url.origin}${base}`, sessionId: match[1]!, token: token === '' ? null : token, kind: kindOf(url.searchParams.get('k')) };
}

/** The kind a `k` parameter names; anything else is no hint (a link from a newer host, a typo). */
function kindOf(letter: string | null): LinkKind | null {
  return letter === 't' ? 'terminal' : letter === 'c' ? 'conversation' : null;
}
