/**
 * The one registry of error codes a user, a script or another device can see.
 * Every code has a stable name and a default message; README's "Errors" section lists them all.
 */

/** Every error code tether emits, with its default human message. */
export const ERROR_CODES = {
  // Command line and configuration
  BAD_FLAG: 'unknown flag or bad flag value',
  BAD_CONFIG: 'invalid configuration',
  POLICY_FORBIDS: 'the administrator\'s policy does not allow that',
  // Versions (tldraw-style: say which side must update)
  CLIENT_TOO_OLD: 'this client is older than the host; reload the page or update tether',
  HOST_TOO_OLD: 'the host runs an older tether than this client; update tether on the host',
  SERVER_TOO_OLD: 'the signal server runs an older tether; update it',
  // Signaling
  BAD_ENVELOPE: 'malformed signaling message',
  SESSION_UNKNOWN: 'no such session on this signal server (it ended, or the link is wrong)',
  SESSION_TAKEN: 'a host already serves this session id',
  PEER_ID_TAKEN: 'that peer id is already in use in this session',
  PEER_UNKNOWN: 'no such peer in this session',
  RATE_LIMITED: 'too many requests to the signal server; wait a few seconds',
  LIMIT_REACHED: 'a signal server limit was reached (sessions per connection, per address, or in total)',
  ORIGIN_FORBIDDEN: 'the signal server refuses pages from this origin (see tether signal --allow-origin)',
  SIGNAL_UNREACHABLE: 'cannot reach the signal server',
  // Trust
  KEY_MISSING: 'the link has no key (the part after #); open the full link or scan the QR code again',
  KEY_REJECTED: 'the host did not accept this link; open the full link or scan the QR code again',
  MAC_INVALID: 'a signaling message failed authentication; the signal server may be tampering with it',
  HANDSHAKE_STALE: 'the connection attempt was too old or was replayed; a new one is under way',
  LINK_EXPIRED: 'this link has expired — ask for a new one (n on tether\'s status screen, /rc new in its chat, Ctrl-] n in a shared terminal)',
  DEVICE_UNKNOWN: 'the host does not know this device any more; open a new link from the host',
  DEVICE_REVOKED: 'this device was removed by the host\'s owner',
  DEVICE_DENIED: 'the host\'s owner did not allow this device to join',
  DEVICES_FULL: 'the host has as many paired devices as it keeps; its owner must remove some (tether devices revoke ID) before another can pair',
  CONTROL_INVALID: 'malformed message on the control socket',
  AUDIT_FAILED: 'the audit log could not be written, so the action was not applied',
  FORBIDDEN_ROLE: 'this device\'s role does not allow that',
  SHARE_STOPPED: 'the host stopped sharing this session',
  SESSION_REMOVED: 'the session was removed on the host',
  HOST_UNREACHABLE: 'cannot reach the host — is tether still running?',
  OFFLINE: 'not connected to the host: only prompts wait for it to be back; try this again when live',
  CHANNEL_UNKNOWN: 'no such session channel on this connection',
  // Data channel
  FRAME_MALFORMED: 'malformed frame',
  FRAME_TOO_LARGE: 'frame exceeds the size limit',
  FRAME_UNKNOWN_TAG: 'frame has an unknown tag',
  HELLO_EXPECTED: 'the first frame must be hello',
  HELLO_TIMEOUT: 'the peer did not say hello in time',
  NAME_INVALID: 'a name must have 1 to 64 characters and no control, bidi or zero-width characters',
  FORBIDDEN_WRITE: 'only the host writes the session document',
  CONNECT_TIMEOUT: 'the peer-to-peer connection did not open in time',
  PEER_CLOSED: 'the peer closed the connection',
  PEER_TOO_SLOW: 'the peer did not read what it was sent; its connection was closed',
  WEBRTC_FAILED: 'the peer-to-peer connection failed',
  // Intents
  INTENT_INVALID: 'malformed intent',
  INTERNAL_ERROR: 'the host could not apply this (a bug in tether; the host\'s log has the details)',
  SESSION_ENDED: 'the session has ended',
  SESSION_INTERRUPTED: 'the host restarted while this session ran; resume it to continue',
  HOST_RESTARTED: 'the host stopped while applying this; check whether it took effect, then try again',
  INPUT_BACKLOG: 'the program has not read the earlier input yet; this input was not sent',
  // Conversation intents
  WRONG_SESSION_KIND: 'this action does not apply to this kind of session',
  PERMISSION_UNKNOWN: 'no such permission request',
  PERMISSION_ANSWERED: 'this permission request was already answered',
  QUEUE_ITEM_UNKNOWN: 'that queued prompt already started or was removed',
  MODE_UNKNOWN: 'the agent does not offer that mode',
  IMAGES_UNSUPPORTED: 'this agent does not accept images in prompts',
  CONFIG_OPTION_UNKNOWN: 'the agent does not offer that setting',
  CONFIG_VALUE_INVALID: 'that value is not one the agent offers for this setting',
  QUESTION_UNKNOWN: 'no such question from the agent',
  QUESTION_ANSWERED: 'this question was already answered',
  ANSWER_INVALID: 'the answer does not fit the agent\'s form',
  LOGIN_UNAVAILABLE: 'that login method cannot be run from here',
  // Server mode
  CAPACITY_REACHED: 'capacity reached',
  SPAWN_REFUSED: 'this server runs exactly one session (--spawn session)',
  NOT_A_REPOSITORY: 'worktree mode needs a git repository',
  WORKTREE_FAILED: 'could not create the session\'s git worktree',
  WORKTREE_DIRTY: 'the worktree has uncommitted changes',
  NAME_TAKEN: 'another session already has that name',
  AGENT_UNKNOWN: 'no such agent preset on this server',
  SESSION_RUNNING: 'end the session before removing it',
  PORT_CHANGED: 'the port this server used before is taken: links from before will not work',
  PUSH_UNREACHABLE: 'cannot reach the push service: phones with the page closed are not notified until this computer is online',
  // Stored sessions
  STATE_UNUSABLE: 'the state folder cannot be used',
  RESUME_UNSUPPORTED: 'this agent cannot list or resume its earlier sessions',
  // Processes
  SPAWN_FAILED: 'could not start the program',
  AGENT_NOT_FOUND: 'the agent is not installed',
  AGENT_FAILED: 'the agent failed or exited',
  AGENT_LOGIN_REQUIRED: 'the agent needs a login',
  AGENT_ROOT_REFUSED: 'the agent refuses to run as root',
  PATH_OUTSIDE_SESSION: 'the path is outside the session folder',
  // Workspace
  FILE_UNREADABLE: 'that file or folder cannot be read (it is gone, not a regular file, or not permitted)',
  GIT_FAILED: 'git failed or took too long on the session\'s folder',
  WORKSPACE_BUSY: 'the host is still answering this session\'s earlier workspace requests; try again in a moment',
} as const;

/** A stable error code from the registry. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Returns true when `code` names a registered error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/**
 * Longest error message sent to another device: the limit of every message field in the wire schemas
 * (ErrorFrame, IntentReply, ChannelEnd). A message may quote untrusted text, so toJSON cuts it here.
 */
export const MAX_ERROR_MESSAGE_CHARS = 500;

/**
 * An Error carrying a registry code; `message` defaults to the registry's text. `detail` is what the
 * other side said about it (an agent's JSON-RPC error data), shown to people next to the message.
 */
export class TetherError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | null;
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; detail?: string | null }) {
    super(message ?? ERROR_CODES[code], options);
    this.name = 'TetherError';
    this.code = code;
    this.detail = options?.detail ?? null;
  }

  /** The JSON shape sent over the wire (the message cut to MAX_ERROR_MESSAGE_CHARS). */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message.slice(0, MAX_ERROR_MESSAGE_CHARS) };
  }
}
