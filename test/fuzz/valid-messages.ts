/**
 * Arbitraries of well-formed protocol messages (protocol/messages.ts and protocol/signaling.ts), the seeds
 * the mutating fuzzers start from: every frame payload, every intent type, every signaling envelope.
 */
import fc from 'fast-check';
import { toBase64Url } from '../../protocol/encoding.js';
import { MAX_CHANNELS } from '../../protocol/frames.js';
import { MAX_COLS, MAX_ROWS, MIN_COLS, MIN_ROWS, PROMPT_IMAGE_TYPES } from '../../protocol/messages.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { ERROR_CODES, type ErrorCode } from '../../protocol/errors.js';

/** A 128-bit base64url id. */
export const anId = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(toBase64Url);
/** A 256-bit base64url key. */
export const aKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64Url);
/** A base64url HMAC-SHA256 (32 bytes). */
export const aMac = aKey;
/** A base64url compact P-256 signature (64 bytes). */
export const aSignature = fc.uint8Array({ minLength: 64, maxLength: 64 }).map(toBase64Url);
/** A base64url uncompressed P-256 public key shape (65 bytes; not necessarily on the curve). */
export const aPublicKey = fc.uint8Array({ minLength: 65, maxLength: 65 }).map((b) => toBase64Url(Uint8Array.of(4, ...b.subarray(1))));
/** A role. */
export const aRole = fc.constantFrom('owner', 'control', 'view');
/** A registry error code. */
export const anErrorCode = fc.constantFrom(...(Object.keys(ERROR_CODES) as ErrorCode[]));
/** A name people may be shown: 1–64 printable characters, not only spaces. */
export const aName = fc
  .string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '-', '.', 'é', 'ß', 'ж', '字', '😀', '_'), minLength: 1, maxLength: 64 })
  .filter((s) => s.trim() !== '' && s.trim() === s);
const cols = fc.integer({ min: MIN_COLS, max: MAX_COLS });
const rows = fc.integer({ min: MIN_ROWS, max: MAX_ROWS });
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
const handle = fc.string({ minLength: 1, maxLength: 30 });
const base64 = fc.uint8Array({ minLength: 1, maxLength: 48 }).map((b) => Buffer.from(b).toString('base64'));

/** A device's hello, with or without a public key. */
export const aClientHello = fc.record(
  {
    type: fc.constant('hello'),
    v: fc.constant(PROTOCOL_VERSION),
    side: fc.constant('client'),
    deviceName: aName,
    deviceKind: fc.constantFrom('browser', 'terminal'),
    publicKey: aPublicKey,
  },
  { requiredKeys: ['type', 'v', 'side', 'deviceName', 'deviceKind'] },
);

/** The host's hello. */
export const aHostHello = fc.record({
  type: fc.constant('hello'),
  v: fc.constant(PROTOCOL_VERSION),
  side: fc.constant('host'),
  peerId: anId,
  deviceId: anId,
  role: aRole,
  hostKey: aPublicKey,
  hostName: fc.string({ maxLength: 40 }),
  paired: fc.boolean(),
});

/** An open frame's body. */
export const anOpen = fc.record({ ch: fc.integer({ min: 0, max: MAX_CHANNELS - 1 }), sessionId: anId });
/** An opened frame's body. */
export const anOpened = fc.record({ sessionId: anId, role: aRole });
/** An end frame's body. */
export const anEnd = fc.record({ code: anErrorCode, message: fc.string({ maxLength: 80 }) });
export const anApplied = fc.record({ bytes: fc.nat() });
/** A notice. */
export const aNotice = fc.oneof(fc.record({ type: fc.constant('role'), role: aRole }), fc.record({ type: fc.constant('pending'), message: fc.string({ maxLength: 80 }) }));
/** A device as presence frames show it. */
const aDeviceInfo = fc.record(
  { peerId: anId, deviceId: anId, name: fc.string({ minLength: 1, maxLength: 64 }), kind: fc.constantFrom('browser' as const, 'terminal' as const), role: aRole, joinedAt: fc.nat(), path: fc.constantFrom('direct' as const, 'stun' as const, 'relay' as const) },
  { requiredKeys: ['peerId', 'deviceId', 'name', 'kind', 'role', 'joinedAt'] },
);
/** A presence frame's body (the list's carries rows, and an owner's the trusted devices). */
export const aPresence = fc.record(
  {
    devices: fc.array(aDeviceInfo, { maxLength: 4 }),
    trusted: fc.array(fc.record({ deviceId: anId, name: fc.string({ maxLength: 64 }), kind: fc.constantFrom('browser' as const, 'terminal' as const), role: aRole, createdAt: fc.nat(), lastSeen: fc.nat(), online: fc.boolean(), pending: fc.boolean() }), { maxLength: 4 }),
    rows: fc.array(fc.record({ sessionId: anId, devices: fc.array(fc.string({ maxLength: 64 }), { maxLength: 3 }) }), { maxLength: 3 }),
  },
  { requiredKeys: ['devices'] },
);
/** An ERROR frame's body. */
export const anErrorFrame = anEnd;
/** A path inside a session's folder, as a device sends it. */
const aWorkspacePath = fc.string({ maxLength: 60 }).filter((p) => !p.includes('\0'));
/** What a workspace intent's reply carries. */
const aWorkspaceResult = fc.oneof(
  fc.record({ kind: fc.constant('status'), folder: fc.string({ maxLength: 20 }), git: fc.constant(null), reason: fc.constant('not a git repository') }),
  fc.record({
    kind: fc.constant('diff'),
    path: aWorkspacePath,
    isNew: fc.boolean(),
    binary: fc.boolean(),
    lines: fc.array(fc.oneof(fc.record({ op: fc.constantFrom('same', 'del', 'add'), text: fc.string({ maxLength: 40 }) }), fc.record({ op: fc.constant('fold'), count: fc.nat(100) })), { maxLength: 5 }),
    truncated: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('file'), path: aWorkspacePath, size: fc.nat(1000), binary: fc.boolean(), text: fc.string({ maxLength: 80 }), truncated: fc.boolean() }),
);
/** A reply to an intent. */
export const aReply = fc.oneof(
  fc.record({ id: anId, ok: fc.constant(true), duplicate: fc.boolean(), result: aWorkspaceResult }, { requiredKeys: ['id', 'ok'] }),
  fc.record({ id: anId, ok: fc.constant(false), error: fc.record({ code: anErrorCode, message: fc.string({ maxLength: 80 }) }) }),
);

/** One intent of every type a device may send (terminal, conversation and session list). */
export const intentsByType = {
  input: fc.record({ id: anId, type: fc.constant('input'), data: text, cols, rows }, { requiredKeys: ['id', 'type', 'data'] }),
  resize: fc.record({ id: anId, type: fc.constant('resize'), cols, rows }),
  prompt: fc.record(
    { id: anId, type: fc.constant('prompt'), text, images: fc.array(fc.record({ mimeType: fc.constantFrom(...PROMPT_IMAGE_TYPES), data: base64 }), { maxLength: 2 }) },
    { requiredKeys: ['id', 'type', 'text'] },
  ),
  'queue-edit': fc.record({ id: anId, type: fc.constant('queue-edit'), queueId: handle, text }),
  'queue-remove': fc.record({ id: anId, type: fc.constant('queue-remove'), queueId: handle }),
  permission: fc.record({ id: anId, type: fc.constant('permission'), requestId: handle, optionId: handle }),
  stop: fc.record({ id: anId, type: fc.constant('stop') }),
  'run-queue': fc.record({ id: anId, type: fc.constant('run-queue') }),
  'set-mode': fc.record({ id: anId, type: fc.constant('set-mode'), modeId: handle }),
  'set-config': fc.record({ id: anId, type: fc.constant('set-config'), configId: handle, value: fc.oneof(handle, fc.boolean()) }),
  answer: fc.record(
    {
      id: anId,
      type: fc.constant('answer'),
      requestId: handle,
      action: fc.constantFrom('accept', 'decline', 'cancel'),
      content: fc.dictionary(handle, fc.oneof(text, fc.integer(), fc.boolean(), fc.array(handle, { maxLength: 3 })), { maxKeys: 4 }),
    },
    { requiredKeys: ['id', 'type', 'requestId', 'action'] },
  ),
  login: fc.record({ id: anId, type: fc.constant('login'), methodId: handle }),
  'start-session': fc.record(
    { id: anId, type: fc.constant('start-session'), agent: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), name: aName.filter((n) => !/[/\\]/.test(n)), spawn: fc.constantFrom('same-dir', 'worktree'), resume: handle },
    { requiredKeys: ['id', 'type'] },
  ),
  'list-agent-sessions': fc.record({ id: anId, type: fc.constant('list-agent-sessions'), agent: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/) }),
  'end-session': fc.record({ id: anId, type: fc.constant('end-session'), sessionId: anId, removeWorktree: fc.boolean(), force: fc.boolean() }, { requiredKeys: ['id', 'type', 'sessionId'] }),
  'rename-session': fc.record({ id: anId, type: fc.constant('rename-session'), sessionId: anId, name: aName.filter((n) => !/[/\\]/.test(n)) }),
  'remove-session': fc.record({ id: anId, type: fc.constant('remove-session'), sessionId: anId }),
  'workspace-status': fc.record({ id: anId, type: fc.constant('workspace-status') }),
  'workspace-diff': fc.record({ id: anId, type: fc.constant('workspace-diff'), path: aWorkspacePath.filter((p) => p !== '') }),
  'workspace-list': fc.record({ id: anId, type: fc.constant('workspace-list'), path: aWorkspacePath }),
  'workspace-read': fc.record({ id: anId, type: fc.constant('workspace-read'), path: aWorkspacePath.filter((p) => p !== '') }),
} as const;

/** Any well-formed intent. */
export const anIntent: fc.Arbitrary<Record<string, unknown>> = fc.oneof(...Object.values(intentsByType)) as fc.Arbitrary<Record<string, unknown>>;

const sdp = fc.string({ minLength: 1, maxLength: 200 });

/** Every signaling payload a host and a device exchange through the server. */
export const aSignalPayload = fc.oneof(
  fc.constant({ kind: 'knock' }),
  fc.record({ kind: fc.constant('challenge'), nonce: anId, hostKeyId: anId }),
  fc.record({
    kind: fc.constant('offer'),
    sdp,
    nonce: anId,
    auth: fc.oneof(fc.record({ method: fc.constant('token'), tokenId: anId, mac: aMac }), fc.record({ method: fc.constant('device'), credentialId: anId, sig: aSignature })),
  }),
  fc.record({ kind: fc.constant('answer'), sdp, mac: aMac, sig: aSignature }, { requiredKeys: ['kind', 'sdp'] }),
  fc.record({ kind: fc.constant('reject'), code: anErrorCode, message: fc.string({ maxLength: 80 }), nonce: anId, mac: aMac, sig: aSignature }, { requiredKeys: ['kind', 'code', 'message'] }),
);

/** Every socket.io event body, keyed by the schema that validates it. */
export const envelopesBySchema = {
  HostRegisterSchema: fc.record({ v: fc.constant(PROTOCOL_VERSION), sessionId: anId, owner: aKey }),
  HostUnregisterSchema: fc.record({ v: fc.constant(PROTOCOL_VERSION), sessionId: anId }),
  ClientJoinSchema: fc.record({ v: fc.constant(PROTOCOL_VERSION), sessionId: anId, peerId: anId }),
  PeerEnvelopeSchema: fc.record({ sessionId: anId, peerId: anId, payload: aSignalPayload }),
  HostEnvelopeSchema: fc.record({ sessionId: anId, peerId: anId, payload: aSignalPayload }),
  PeerLeftSchema: fc.record({ sessionId: anId, peerId: anId }),
  HostLeftSchema: fc.record({ sessionId: anId }),
  SignalErrorSchema: fc.record({ event: fc.string({ maxLength: 30 }), code: anErrorCode, message: fc.string({ maxLength: 80 }), sessionId: anId }, { requiredKeys: ['event', 'code', 'message'] }),
  SignalAckSchema: fc.oneof(fc.constant({ ok: true }), fc.record({ ok: fc.constant(false), error: fc.record({ code: anErrorCode, message: fc.string({ maxLength: 80 }) }) })),
  SignalPayloadSchema: aSignalPayload,
  KnockSchema: fc.constant({ kind: 'knock' }),
} as const;
