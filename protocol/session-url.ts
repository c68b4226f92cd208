/**
 * The session link: `<origin>/s/<sessionId>#<key>`. The key only ever lives in the fragment,
 * which browsers never send to a server.
 */
import { ID_PATTERN, KEY_PATTERN } from './ids.js';
import { TetherError } from './errors.js';

/** What a session link tells a client. */
export interface SessionLink {
  /** Signal server origin, e.g. `http://192.168.1.20:7420`. */
  origin: string;
  sessionId: string;
  key: string;
}

/** Builds a session link. */
export function formatSessionUrl(origin: string, sessionId: string, key: string): string {
  return `${origin.replace(/\/+$/, '')}/s/${sessionId}#${key}`;
}

/** Parses a session link; throws BAD_FLAG for a malformed link and KEY_MISSING / KEY_REJECTED for a bad key. */
export function parseSessionUrl(text: string): SessionLink {
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    // Quote only what precedes the fragment: the key must never reach a message or a log.
    throw new TetherError('BAD_FLAG', `not a URL: ${text.split('#')[0]!.slice(0, 80)}`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TetherError('BAD_FLAG', 'a session link starts with http:// or https://');
  }
  const match = /\/s\/([^/]+)\/?$/.exec(url.pathname);
  if (!match || !ID_PATTERN.test(match[1]!)) {
    throw new TetherError('BAD_FLAG', 'not a session link (expected …/s/<session id>#<key>)');
  }
  const key = url.hash.replace(/^#/, '');
  if (key === '') throw new TetherError('KEY_MISSING');
  if (!KEY_PATTERN.test(key)) throw new TetherError('KEY_REJECTED', 'the link\'s key is malformed; open the full link or scan the QR code again');
  const base = url.pathname.slice(0, match.index);
  return { origin: `${url.origin}${base}`, sessionId: match[1]!, key };
}
