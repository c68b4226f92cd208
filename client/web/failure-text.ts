/**
 * Plain-language headlines and next steps for the errors that stop this page from connecting. The
 * detail comes from the error itself (the registry's message, or the host's); the code is always shown.
 */
import type { ErrorCode, TetherError } from '../../protocol/errors.js';

const HEADLINES: Partial<Record<ErrorCode, string>> = {
  KEY_MISSING: 'This link has no key',
  KEY_REJECTED: 'This link was not accepted',
  MAC_INVALID: 'The connection was refused: it failed authentication',
  SESSION_UNKNOWN: 'This session is not running',
  CONNECT_TIMEOUT: "Can't reach your computer — is tether still running?",
  WEBRTC_FAILED: "Can't reach your computer — is tether still running?",
  PEER_CLOSED: 'The connection to your computer dropped',
  RATE_LIMITED: 'Too many tries at once',
  SESSION_ENDED: 'This session has ended',
  CLIENT_TOO_OLD: 'This page is older than the host',
  HOST_TOO_OLD: 'Your computer runs an older tether',
  SERVER_TOO_OLD: 'The server runs an older tether',
  BAD_FLAG: 'This is not a session link',
  SIGNAL_UNREACHABLE: "Can't reach your computer — is tether still running?",
  HOST_UNREACHABLE: "Can't reach your computer — is tether still running?",
  LINK_EXPIRED: 'This link has expired — ask for a new one',
  DEVICE_UNKNOWN: 'The host does not know this device any more',
  DEVICE_REVOKED: 'This device was removed by the host',
  DEVICE_DENIED: 'The host did not let this device join',
  SHARE_STOPPED: 'The host stopped sharing this session',
  SESSION_REMOVED: 'This session was removed on the host',
  NAME_INVALID: "The host refused this device's name",
};

const NEW_LINK = 'Open the full link again, or scan the QR code shown on the host.';

const ASK_HOST = "Ask for a new one: on the host, press n on tether's status screen, type /rc new in its chat, or press Ctrl-] n in a shared terminal, and open the new link.";

const HINTS: Partial<Record<ErrorCode, string>> = {
  LINK_EXPIRED: ASK_HOST,
  DEVICE_UNKNOWN: ASK_HOST,
  DEVICE_REVOKED: 'Ask the owner of the host for a new link if you should still have access.',
  DEVICE_DENIED: 'Ask the owner of the host to let this device in, then open the link again.',
  KEY_MISSING: NEW_LINK,
  KEY_REJECTED: NEW_LINK,
  BAD_FLAG: NEW_LINK,
  MAC_INVALID: 'Something between this device and the host changed the connection. Try again on a network you trust.',
  SESSION_UNKNOWN: 'The session may have ended. Start it again on the host, then open its new link.',
  CLIENT_TOO_OLD: 'Reload this page.',
};

/** What the user can do about a failure with `code`, if anything. */
export function failureHint(code: ErrorCode): string | null {
  return HINTS[code] ?? null;
}

/** The headline for a failure with `code`. */
export function failureHeadline(code: ErrorCode): string {
  return HEADLINES[code] ?? 'Cannot connect to this session';
}

/** Errors that mean the computer (or the server in front of it) cannot be reached right now. */
const UNREACHABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['HOST_UNREACHABLE', 'SIGNAL_UNREACHABLE', 'CONNECT_TIMEOUT', 'WEBRTC_FAILED', 'SESSION_UNKNOWN', 'PEER_CLOSED']);

/** True when `code` means the computer cannot be reached (the page keeps trying; Retry tries now). */
export function isUnreachable(code: ErrorCode): boolean {
  return UNREACHABLE.has(code);
}

/** What the banner says while the page is not connected and keeps trying, in plain words. */
export function connectionWords(error: TetherError): string {
  if (isUnreachable(error.code)) return "Can't reach your computer — is tether still running? Trying again…";
  if (error.code === 'RATE_LIMITED') return 'Too many tries at once; trying again shortly…';
  return `${failureHeadline(error.code)}. Trying again…`;
}
