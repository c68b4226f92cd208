/**
 * JSON messages carried in data-channel frames: hello, intents, replies and errors.
 * One definition each (zod), with the TypeScript types derived from it.
 */
import * as z from './zod.js';
import { ID_PATTERN } from './ids.js';
import { TetherError, type ErrorCode } from './errors.js';
import { errorCodeSchema } from './error-code-schema.js';
import { fromUtf8, utf8 } from './encoding.js';
import { PUBLIC_KEY_PATTERN } from './auth.js';
import { MAX_CHANNELS } from './frames.js';
import { RoleSchema } from './roles.js';
import { AnswerValueSchema, MAX_QUESTION_FIELDS, QuestionActionSchema } from './agent-question.js';
import { NotifyIntentSchema, PUSH_KEY_PATTERN } from './push.js';
import { WorkspaceDiffIntentSchema, WorkspaceListIntentSchema, WorkspaceReadIntentSchema, WorkspaceResultSchema, WorkspaceStatusIntentSchema } from './workspace.js';
import { lazySchema } from './lazy-schema.js';

/** Largest text a single `input` intent may carry (a generous paste). */
export const MAX_INPUT_CHARS = 64 * 1024;
/** Terminal size bounds accepted from devices. */
export const MIN_COLS = 2;
export const MAX_COLS = 500;
export const MIN_ROWS = 1;
export const MAX_ROWS = 300;

const id = lazySchema(() => z.string().check(z.regex(ID_PATTERN)));

/**
 * Characters no name shown to people may hold: C0, DEL and C1 controls (\p{Cc}), format characters
 * (\p{Cf}: bidi overrides and isolates, LRM/RLM/ALM, zero-width space and joiners, word joiner, BOM)
 * and the line and paragraph separators — they could drive a terminal, reorder or hide what others read.
 */
export const NAME_FORBIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
/** Longest session or device name. */
export const MAX_NAME_CHARS = 64;

/** A name shown to people (session names, device names): trimmed, 1–64 characters, none of NAME_FORBIDDEN. */
export const DisplayNameSchema = lazySchema(() => z
  .string()
  .check(
    z.trim(),
    z.minLength(1),
    z.maxLength(MAX_NAME_CHARS),
    z.refine((name) => !NAME_FORBIDDEN.test(name), 'no control, bidi or zero-width characters'),
  ));
const cols = lazySchema(() => z.int().check(z.gte(MIN_COLS), z.lte(MAX_COLS)));
const rows = lazySchema(() => z.int().check(z.gte(MIN_ROWS), z.lte(MAX_ROWS)));

/**
 * The first frame from a device: protocol version, how to show it to others (the host's record of a paired
 * credential wins over this), and — when it connected with a pairing token — the public key to pin.
 */
export const ClientHelloSchema = lazySchema(() => z.strictObject({
  type: z.literal('hello'),
  v: z.int().check(z.positive()),
  side: z.literal('client'),
  deviceName: DisplayNameSchema,
  deviceKind: z.enum(['browser', 'terminal']),
  /** Uncompressed P-256 public key (base64url) to pair with; only when connecting with a token. */
  publicKey: z.optional(z.string().check(z.regex(PUBLIC_KEY_PATTERN))),
  /** The device takes deflated frames: the host deflates its large frames to it (protocol/frame-compression.ts). */
  deflate: z.optional(z.boolean()),
}));
export type ClientHello = z.infer<typeof ClientHelloSchema>;

/** The hello's shape with any string as the name, so a bad name can be told from a bad frame. */
const ClientHelloShapeSchema = lazySchema(() => z.extend(ClientHelloSchema, { deviceName: z.string() }));

/**
 * Decodes a client's hello: a malformed frame is FRAME_MALFORMED; a well-formed hello whose device name
 * breaks DisplayNameSchema is NAME_INVALID (the device can fix that; nothing else is wrong with it).
 */
export function decodeClientHello(payload: Uint8Array): ClientHello {
  const shape = decodeJson(ClientHelloShapeSchema, payload);
  const name = DisplayNameSchema.safeParse(shape.deviceName);
  if (!name.success) throw new TetherError('NAME_INVALID', `device name: ${name.error.issues[0]?.message ?? 'invalid'}`);
  return { ...shape, deviceName: name.data };
}

/**
 * Only a hello's protocol version, whatever else it holds: each side reads it first, so an older or newer
 * peer gets CLIENT_TOO_OLD or HOST_TOO_OLD even if the rest of its hello has a different shape.
 */
export const HelloVersionSchema = lazySchema(() => z.looseObject({ v: z.int().check(z.positive()) }));

/** The host's answer to the device's hello: who the host says the device is, and what it may do. */
export const HostHelloSchema = lazySchema(() => z.strictObject({
  type: z.literal('hello'),
  v: z.int().check(z.positive()),
  side: z.literal('host'),
  peerId: id,
  /** The host-assigned id of this device (its credential's id once paired). */
  deviceId: id,
  role: RoleSchema,
  /** The host's public key, which a paired device pins (base64url, uncompressed P-256). */
  hostKey: z.string().check(z.regex(PUBLIC_KEY_PATTERN)),
  /** The host machine's name, for the device's own records. */
  hostName: z.string().check(z.maxLength(128)),
  /** True when this connection paired the device (a credential now exists for its public key). */
  paired: z.boolean(),
  /** The session list this host serves (server mode), so a session opened by its own link can lead back to it. */
  listId: z.optional(id),
  /** The host's VAPID public key, when it sends Web Push notifications (base64url, 65 bytes). */
  pushKey: z.optional(z.string().check(z.regex(PUSH_KEY_PATTERN))),
}));
export type HostHello = z.infer<typeof HostHelloSchema>;

/** Device → host: subscribe channel `ch` to a session of this host (the session list is one too). */
export const OpenSessionSchema = lazySchema(() => z.strictObject({ ch: z.int().check(z.gte(0), z.lte(MAX_CHANNELS - 1)), sessionId: id }));
export type OpenSession = z.infer<typeof OpenSessionSchema>;

/** Largest state vector an `opened` may carry (base64url; a few bytes per host run that wrote the document). */
export const MAX_STATE_VECTOR_CHARS = 64 * 1024;

/**
 * Host → device, on the channel: the subscription is live; send sync step 1. `stateVector` is the host's
 * state vector of the document (base64url): a device whose replica is ahead of it (it saw updates a host
 * that crashed never stored) drops its replica and syncs from nothing — the host's document is the truth.
 */
export const ChannelOpenedSchema = lazySchema(() => z.strictObject({
  sessionId: id,
  role: RoleSchema,
  stateVector: z.optional(z.string().check(z.maxLength(MAX_STATE_VECTOR_CHARS), z.regex(/^[A-Za-z0-9_-]*$/))),
}));
export type ChannelOpened = z.infer<typeof ChannelOpenedSchema>;

/**
 * Host → device, on the channel: this session is over for this device, for good (SESSION_ENDED is not
 * sent: an ended session stays readable). Device → host: unsubscribe.
 */
export const ChannelEndSchema = lazySchema(() => z.strictObject({
  code: errorCodeSchema('unknown error code'),
  message: z.string().check(z.maxLength(500)),
}));
export type ChannelEnd = z.infer<typeof ChannelEndSchema>;

/**
 * Device → host, on the channel: the bytes of sync frames (their bodies) it has applied since it opened
 * the channel, in total. A device busy drawing falls behind here before the network backs up; the host
 * then sends it one diff instead of every update (host/core/device-backlog.ts).
 */
export const AppliedSchema = lazySchema(() => z.strictObject({ bytes: z.int().check(z.nonnegative(), z.lte(Number.MAX_SAFE_INTEGER)) }));
export type Applied = z.infer<typeof AppliedSchema>;

/** Host → device: news about this device's connection. */
export const NoticeSchema = lazySchema(() => z.discriminatedUnion('type', [
  /** An owner changed this device's role. */
  z.strictObject({ type: z.literal('role'), role: RoleSchema }),
  /** The host asks a person to allow this device; nothing is served until then. */
  z.strictObject({ type: z.literal('pending'), message: z.string().check(z.maxLength(500)) }),
]));
export type Notice = z.infer<typeof NoticeSchema>;

/** Keystrokes or pasted text for the terminal, with the sender's fitted size (the typer sets the size). */
export const InputIntentSchema = lazySchema(() => z.strictObject({
  id,
  type: z.literal('input'),
  data: z.string().check(z.minLength(1), z.maxLength(MAX_INPUT_CHARS)),
  cols: z.optional(cols),
  rows: z.optional(rows),
}));
export type InputIntent = z.infer<typeof InputIntentSchema>;

/**
 * The sender's viewport changed, or its user asked to fit: it takes over the terminal size. With
 * `ifIdle` (a page just opened) only when nobody has typed for TYPING_IDLE_MS; otherwise nothing changes.
 */
export const ResizeIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('resize'), cols, rows, ifIdle: z.optional(z.boolean()) }));

/** How long after the last keystroke (any device, or the host's own terminal) someone counts as typing. */
export const TYPING_IDLE_MS = 5000;

/** Largest prompt text. */
export const MAX_PROMPT_CHARS = 100_000;
/** Image types a prompt may carry, and limits (the agent must also accept images). */
export const PROMPT_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export const MAX_PROMPT_IMAGES = 4;
export const MAX_IMAGE_BASE64_CHARS = 2 * 1024 * 1024;
const handle = lazySchema(() => z.string().check(z.minLength(1), z.maxLength(200)));

/** An image pasted into a prompt, base64 encoded. */
export const PromptImageSchema = lazySchema(() => z.strictObject({
  mimeType: z.enum(PROMPT_IMAGE_TYPES),
  data: z.string().check(z.minLength(1), z.maxLength(MAX_IMAGE_BASE64_CHARS), z.regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')),
}));
export type PromptImage = z.infer<typeof PromptImageSchema>;

/** Send a prompt to the agent; it queues while the agent works. */
export const PromptIntentSchema = lazySchema(() => z.strictObject({
  id,
  type: z.literal('prompt'),
  text: z.string().check(z.maxLength(MAX_PROMPT_CHARS)),
  images: z.optional(z.array(PromptImageSchema).check(z.maxLength(MAX_PROMPT_IMAGES))),
}).check(z.refine((p) => p.text.trim() !== '' || (p.images?.length ?? 0) > 0, 'a prompt needs text or an image')));

/** Edit a queued prompt's text. */
export const QueueEditIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('queue-edit'), queueId: handle, text: z.string().check(z.minLength(1), z.maxLength(MAX_PROMPT_CHARS)) }));

/** Remove a queued prompt. */
export const QueueRemoveIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('queue-remove'), queueId: handle }));

/** Answer a permission request with one of the agent's options. */
export const PermissionIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('permission'), requestId: handle, optionId: handle }));

/** Start an interrupted session again (its host restarted): the program or agent runs again. */
export const ResumeIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('resume') }));

/** Stop the running turn (ACP cancel), pending permission requests included; queued prompts then wait. */
export const StopIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('stop') }));

/** Run the prompts a Stop left waiting in the queue. */
export const RunQueueIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('run-queue') }));

/** Switch the agent's mode (when it offers modes). */
export const SetModeIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('set-mode'), modeId: handle }));

/** Change one of the agent's session settings (model, reasoning effort…): a value id, or on/off. */
export const SetConfigIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('set-config'), configId: handle, value: z.union([handle, z.boolean()]) }));

/** Answer a question the agent asked: accept with the form's content, decline, or cancel. */
export const AnswerIntentSchema = lazySchema(() => z.strictObject({
  id,
  type: z.literal('answer'),
  requestId: handle,
  action: QuestionActionSchema,
  content: z.optional(
    z
      .record(z.string().check(z.minLength(1), z.maxLength(200)), AnswerValueSchema)
      .check(z.refine((c) => Object.keys(c).length <= MAX_QUESTION_FIELDS, `at most ${MAX_QUESTION_FIELDS} fields`)),
  ),
}));

/** Start one of the agent's login methods (a terminal method runs its login program in a terminal session). */
export const LoginIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('login'), methodId: handle }));

/** Session names also name folders and branches (worktree mode): no slashes. */
const sessionName = lazySchema(() => DisplayNameSchema.check(z.refine((name) => !/[/\\]/.test(name), 'no slashes')));
const sessionRef = lazySchema(() => z.string().check(z.regex(ID_PATTERN)));

/** Start a new session from the list (agent: a preset label or 'shell'; spawn: where it works). */
export const StartSessionIntentSchema = lazySchema(() => z.strictObject({
  id,
  type: z.literal('start-session'),
  agent: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
  name: z.optional(sessionName),
  spawn: z.optional(z.enum(['same-dir', 'worktree'])),
  /** Resume this earlier session of the agent (an id from its session list) instead of starting afresh. */
  resume: z.optional(handle),
}));

/** Ask the host which earlier sessions an agent has for the server's folder (the answer lands in the list document). */
export const ListAgentSessionsIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('list-agent-sessions'), agent: z.string().check(z.minLength(1), z.maxLength(32)) }));

/** End a session: stop its agent; optionally remove its worktree (refused when dirty unless force). */
export const EndSessionIntentSchema = lazySchema(() => z.strictObject({
  id,
  type: z.literal('end-session'),
  sessionId: sessionRef,
  removeWorktree: z.optional(z.boolean()),
  force: z.optional(z.boolean()),
}));

/** Rename a session. */
export const RenameSessionIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('rename-session'), sessionId: sessionRef, name: sessionName }));

/** Remove an ended session from the list (its link stops working). */
export const RemoveSessionIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('remove-session'), sessionId: sessionRef }));

/** Resume an interrupted session from the list. */
export const ResumeSessionIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('resume-session'), sessionId: sessionRef }));

/** Owner devices: change a paired device's role (at once on its live connections). */
export const SetDeviceRoleIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('set-device-role'), deviceId: sessionRef, role: RoleSchema }));

/** Owner devices: revoke a device (its channels close at once; its credential and link stop working). */
export const RevokeDeviceIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('revoke-device'), deviceId: sessionRef }));

/** Owner devices: answer a device waiting to join (allow with its link's role, allow view-only, deny). */
export const AnswerDeviceIntentSchema = lazySchema(() => z.strictObject({ id, type: z.literal('answer-device'), deviceId: sessionRef, answer: z.enum(['allow', 'view', 'deny']) }));

/** Intents the session list accepts. */
export const ListIntentSchema = lazySchema(() => z.discriminatedUnion('type', [
  StartSessionIntentSchema,
  EndSessionIntentSchema,
  RenameSessionIntentSchema,
  RemoveSessionIntentSchema,
  ListAgentSessionsIntentSchema,
  SetDeviceRoleIntentSchema,
  RevokeDeviceIntentSchema,
  AnswerDeviceIntentSchema,
  ResumeSessionIntentSchema,
]));
export type ListIntent = z.infer<typeof ListIntentSchema>;
/** The list's intent types, spelled out so that reading them builds no schema (a test holds them to the union). */
export const LIST_INTENT_TYPES: ReadonlySet<string> = new Set([
  'start-session',
  'end-session',
  'rename-session',
  'remove-session',
  'list-agent-sessions',
  'set-device-role',
  'revoke-device',
  'answer-device',
  'resume-session',
]);

/** Intents a terminal session accepts. */
export const TerminalIntentSchema = lazySchema(() => z.discriminatedUnion('type', [InputIntentSchema, ResizeIntentSchema, ResumeIntentSchema]));
export type TerminalIntent = z.infer<typeof TerminalIntentSchema>;

/** Intents a conversation session accepts. */
export const ConversationIntentSchema = lazySchema(() => z.union([
  PromptIntentSchema,
  QueueEditIntentSchema,
  QueueRemoveIntentSchema,
  PermissionIntentSchema,
  StopIntentSchema,
  RunQueueIntentSchema,
  SetModeIntentSchema,
  ResumeIntentSchema,
  SetConfigIntentSchema,
  AnswerIntentSchema,
  LoginIntentSchema,
]));
export type ConversationIntent = z.infer<typeof ConversationIntentSchema>;

/** Every intent a client may send. The host validates, applies once per id, and replies. */
export const IntentSchema = lazySchema(() => z.union([
  InputIntentSchema,
  ResizeIntentSchema,
  PromptIntentSchema,
  QueueEditIntentSchema,
  QueueRemoveIntentSchema,
  PermissionIntentSchema,
  StopIntentSchema,
  RunQueueIntentSchema,
  SetModeIntentSchema,
  ResumeIntentSchema,
  SetConfigIntentSchema,
  AnswerIntentSchema,
  LoginIntentSchema,
  StartSessionIntentSchema,
  EndSessionIntentSchema,
  RenameSessionIntentSchema,
  RemoveSessionIntentSchema,
  ListAgentSessionsIntentSchema,
  SetDeviceRoleIntentSchema,
  RevokeDeviceIntentSchema,
  AnswerDeviceIntentSchema,
  ResumeSessionIntentSchema,
  NotifyIntentSchema,
  WorkspaceStatusIntentSchema,
  WorkspaceDiffIntentSchema,
  WorkspaceListIntentSchema,
  WorkspaceReadIntentSchema,
]));
export type Intent = z.infer<typeof IntentSchema>;
/** An intent before the client assigns its id. */
export type IntentBody = Intent extends infer I ? (I extends Intent ? Omit<I, 'id'> : never) : never;

/**
 * The host's answer to an intent. `duplicate` means the id was already applied (a retry); `result` is
 * what a question asked for (the workspace intents).
 */
export const IntentReplySchema = lazySchema(() => z.union([
  z.strictObject({ id, ok: z.literal(true), duplicate: z.optional(z.boolean()), result: z.optional(WorkspaceResultSchema) }),
  z.strictObject({
    id,
    ok: z.literal(false),
    error: z.strictObject({ code: z.string(), message: z.string().check(z.maxLength(500)) }),
  }),
]));
export type IntentReply = z.infer<typeof IntentReplySchema>;

/** Sent just before a side closes the channel for a protocol reason. */
export const ErrorFrameSchema = lazySchema(() => z.strictObject({
  code: errorCodeSchema(),
  message: z.string().check(z.maxLength(500)),
}));
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;

/** Encodes a JSON message payload. */
export function encodeJson(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value));
}

/** Most characters of a validation issue quoted in decodeJson's error. */
const MAX_ISSUE_CHARS = 200;

/** Decodes and validates a JSON payload; throws TetherError(code) when it does not match. */
export function decodeJson<T>(schema: z.ZodMiniType<T>, payload: Uint8Array, code: ErrorCode = 'FRAME_MALFORMED'): T {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(payload));
  } catch (err) {
    throw new TetherError(code, 'payload is not UTF-8 JSON', { cause: err });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const issue = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'schema mismatch';
    // The issue may quote the sender's keys: keep what reaches logs and other devices short.
    throw new TetherError(code, `invalid message: ${issue.length > MAX_ISSUE_CHARS ? `${issue.slice(0, MAX_ISSUE_CHARS)}…` : issue}`);
  }
  return parsed.data;
}
