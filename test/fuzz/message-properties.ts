/**
 * Fuzz properties of the JSON frame payloads (protocol/messages.ts): decodeJson with every schema,
 * decodeClientHello, and intents of every type as each kind of session parses and answers them.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pino } from 'pino';
import * as messages from '../../protocol/messages.js';
import * as workspace from '../../protocol/workspace.js';
import { PresenceSchema } from '../../protocol/presence.js';
import { ID_PATTERN, newId } from '../../protocol/ids.js';
import { utf8 } from '../../protocol/encoding.js';
import { isErrorCode, TetherError, type ErrorCode } from '../../protocol/errors.js';
import type { Actor } from '../../host/core/session-core.js';
import { TerminalSession } from '../../host/terminal-session.js';
import { ConversationSession } from '../../host/conversation-session.js';
import { SessionList } from '../../host/session-list.js';
import { fuzzProperty, type FuzzProperty } from './fuzz-property.js';
import { validValuesAccepted, type SchemaTable } from './schema-table.js';
import { valueOrCoded } from './coded-outcome.js';
import { hostileJson, hostileString, mutateBytes, mutateJson } from './mutations.js';
import * as valid from './valid-messages.js';
import { plainKeystroke } from '../../protocol/keystroke-intent.js';

const {
  decodeJson,
  decodeClientHello,
  encodeJson,
  DisplayNameSchema,
  IntentReplySchema,
  MAX_INPUT_CHARS,
  MAX_PROMPT_CHARS,
  MAX_NAME_CHARS,
  MAX_PROMPT_IMAGES,
  MAX_IMAGE_BASE64_CHARS,
  NAME_FORBIDDEN,
  MIN_COLS,
  MAX_COLS,
  MIN_ROWS,
  MAX_ROWS,
} = messages;

/** Every schema a frame payload is decoded with, and a well-formed value of it. */
const SCHEMAS: SchemaTable = {
  ClientHelloSchema: { schema: messages.ClientHelloSchema, valid: valid.aClientHello },
  HostHelloSchema: { schema: messages.HostHelloSchema, valid: valid.aHostHello },
  OpenSessionSchema: { schema: messages.OpenSessionSchema, valid: valid.anOpen },
  ChannelOpenedSchema: { schema: messages.ChannelOpenedSchema, valid: valid.anOpened },
  ChannelEndSchema: { schema: messages.ChannelEndSchema, valid: valid.anEnd },
  AppliedSchema: { schema: messages.AppliedSchema, valid: valid.anApplied },
  NoticeSchema: { schema: messages.NoticeSchema, valid: valid.aNotice },
  PresenceSchema: { schema: PresenceSchema, valid: valid.aPresence },
  InputIntentSchema: { schema: messages.InputIntentSchema, valid: valid.intentsByType.input },
  ResizeIntentSchema: { schema: messages.ResizeIntentSchema, valid: valid.intentsByType.resize },
  PromptIntentSchema: { schema: messages.PromptIntentSchema, valid: valid.intentsByType.prompt },
  QueueEditIntentSchema: { schema: messages.QueueEditIntentSchema, valid: valid.intentsByType['queue-edit'] },
  QueueRemoveIntentSchema: { schema: messages.QueueRemoveIntentSchema, valid: valid.intentsByType['queue-remove'] },
  PermissionIntentSchema: { schema: messages.PermissionIntentSchema, valid: valid.intentsByType.permission },
  StopIntentSchema: { schema: messages.StopIntentSchema, valid: valid.intentsByType.stop },
  SetModeIntentSchema: { schema: messages.SetModeIntentSchema, valid: valid.intentsByType['set-mode'] },
  SetConfigIntentSchema: { schema: messages.SetConfigIntentSchema, valid: valid.intentsByType['set-config'] },
  AnswerIntentSchema: { schema: messages.AnswerIntentSchema, valid: valid.intentsByType.answer },
  LoginIntentSchema: { schema: messages.LoginIntentSchema, valid: valid.intentsByType.login },
  ListAgentSessionsIntentSchema: { schema: messages.ListAgentSessionsIntentSchema, valid: valid.intentsByType['list-agent-sessions'] },
  StartSessionIntentSchema: { schema: messages.StartSessionIntentSchema, valid: valid.intentsByType['start-session'] },
  EndSessionIntentSchema: { schema: messages.EndSessionIntentSchema, valid: valid.intentsByType['end-session'] },
  RenameSessionIntentSchema: { schema: messages.RenameSessionIntentSchema, valid: valid.intentsByType['rename-session'] },
  RemoveSessionIntentSchema: { schema: messages.RemoveSessionIntentSchema, valid: valid.intentsByType['remove-session'] },
  WorkspaceStatusIntentSchema: { schema: workspace.WorkspaceStatusIntentSchema, valid: valid.intentsByType['workspace-status'] },
  WorkspaceDiffIntentSchema: { schema: workspace.WorkspaceDiffIntentSchema, valid: valid.intentsByType['workspace-diff'] },
  WorkspaceListIntentSchema: { schema: workspace.WorkspaceListIntentSchema, valid: valid.intentsByType['workspace-list'] },
  WorkspaceReadIntentSchema: { schema: workspace.WorkspaceReadIntentSchema, valid: valid.intentsByType['workspace-read'] },
  TerminalIntentSchema: { schema: messages.TerminalIntentSchema, valid: fc.oneof(valid.intentsByType.input, valid.intentsByType.resize) },
  ListIntentSchema: { schema: messages.ListIntentSchema, valid: fc.oneof(valid.intentsByType['start-session'], valid.intentsByType['end-session'], valid.intentsByType['rename-session'], valid.intentsByType['remove-session'], valid.intentsByType['list-agent-sessions']) },
  ConversationIntentSchema: {
    schema: messages.ConversationIntentSchema,
    valid: fc.oneof(valid.intentsByType.prompt, valid.intentsByType['queue-edit'], valid.intentsByType.stop, valid.intentsByType.permission, valid.intentsByType['set-config'], valid.intentsByType.answer, valid.intentsByType.login),
  },
  IntentSchema: { schema: messages.IntentSchema, valid: valid.anIntent },
  IntentReplySchema: { schema: messages.IntentReplySchema, valid: valid.aReply },
  ErrorFrameSchema: { schema: messages.ErrorFrameSchema, valid: valid.anErrorFrame },
  PromptImageSchema: { schema: messages.PromptImageSchema, valid: fc.record({ mimeType: fc.constantFrom(...messages.PROMPT_IMAGE_TYPES), data: fc.constant('iVBORw0KGgo=') }) },
  DisplayNameSchema: { schema: DisplayNameSchema, valid: valid.aName },
};

/** JSON text of a value (undefined, from a mutation that deleted the root, becomes no bytes at all). */
function jsonBytes(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value) ?? '');
}

/** Payloads for one schema: its valid values, mutated, as JSON text or as damaged bytes; or junk. */
function payloadsFor(validValue: fc.Arbitrary<unknown>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 1, arbitrary: validValue.map(jsonBytes) },
    { weight: 4, arbitrary: mutateJson(validValue).map(jsonBytes) },
    { weight: 2, arbitrary: mutateBytes(validValue.map(jsonBytes)) },
    { weight: 1, arbitrary: hostileJson().map(jsonBytes) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  );
}

/** Asserts the bounds an accepted intent must keep, independently of how the schema is written. */
export function assertIntentBounds(intent: Record<string, unknown>): void {
  assert.match(String(intent.id), ID_PATTERN);
  const name = (n: unknown, slashes: boolean): void => {
    assert.equal(typeof n, 'string');
    const s = n as string;
    assert.ok(s.length >= 1 && s.length <= MAX_NAME_CHARS && s.trim() === s && !NAME_FORBIDDEN.test(s), `bad name accepted: ${JSON.stringify(s)}`);
    if (!slashes) assert.ok(!/[/\\]/.test(s));
  };
  const inRange = (v: unknown, min: number, max: number): void => assert.ok(Number.isInteger(v) && (v as number) >= min && (v as number) <= max, `${String(v)} outside ${min}..${max}`);
  switch (intent.type) {
    case 'input':
      assert.ok(typeof intent.data === 'string' && intent.data.length >= 1 && intent.data.length <= MAX_INPUT_CHARS);
      if (intent.cols !== undefined) inRange(intent.cols, MIN_COLS, MAX_COLS);
      if (intent.rows !== undefined) inRange(intent.rows, MIN_ROWS, MAX_ROWS);
      break;
    case 'resize':
      inRange(intent.cols, MIN_COLS, MAX_COLS);
      inRange(intent.rows, MIN_ROWS, MAX_ROWS);
      break;
    case 'prompt': {
      assert.ok(typeof intent.text === 'string' && intent.text.length <= MAX_PROMPT_CHARS);
      const images = (intent.images ?? []) as Array<{ data: string }>;
      assert.ok(images.length <= MAX_PROMPT_IMAGES && images.every((i) => i.data.length <= MAX_IMAGE_BASE64_CHARS));
      assert.ok(intent.text.trim() !== '' || images.length > 0);
      break;
    }
    case 'start-session':
      if (intent.name !== undefined) name(intent.name, false);
      break;
    case 'rename-session':
      name(intent.name, false);
      break;
    default:
      for (const v of Object.values(intent)) if (typeof v === 'string') assert.ok(v.length <= MAX_PROMPT_CHARS);
  }
}

const silent = pino({ level: 'silent' });
const command = { file: '/bin/true', args: [], display: 'true' };
/** The three kinds of session, never started: parsing and answering intents needs no program. */
const terminal = new TerminalSession({ name: 'fuzz', command, cwd: process.cwd(), env: {}, cols: 80, rows: 24, log: silent });
const conversation = new ConversationSession({ name: 'fuzz', agentLabel: 'fuzz', command, cwd: process.cwd(), env: {}, log: silent });
const list = new SessionList(
  { name: 'fuzz', hostname: 'fuzz', folder: process.cwd(), capacity: 4, spawnMode: 'same-dir', agents: [], defaultAgent: 'shell' },
  // The server's handler carries intents out; here every valid one is refused as a running server might.
  async () => new TetherError('CAPACITY_REACHED'),
  silent,
);
const BEHAVIOURS = { terminal, conversation, list } as const;

/** A raw intent as the session channel hands it on: an object with a well-formed id, anything else inside. */
/** `value` as the host receives an intent: through JSON, an object, with a well-formed id (else `id`). */
function asReceived(value: unknown, id: string): Record<string, unknown> {
  // Round trip through JSON as the wire does (a mutation may have put values JSON cannot hold).
  const parsed = JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
  const obj = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  if (typeof obj.id !== 'string' || !ID_PATTERN.test(obj.id)) Object.defineProperty(obj, 'id', { value: id, enumerable: true, writable: true, configurable: true });
  return obj;
}

const rawIntent = fc
  .tuple(fc.oneof({ weight: 1, arbitrary: valid.anIntent }, { weight: 4, arbitrary: mutateJson(valid.anIntent) }), valid.anId)
  .map(([value, id]) => asReceived(value, id));

/** A size near and at the bounds of both dimensions, or not a whole number. */
const sizeNearBounds = fc.oneof(
  fc.constantFrom(MIN_ROWS - 1, MIN_ROWS, MIN_COLS - 1, MIN_COLS, MAX_ROWS, MAX_ROWS + 1, MAX_COLS, MAX_COLS + 1, 80.5, -0, 1e21),
  fc.integer({ min: -2, max: MAX_COLS + 2 }),
);

/** Keystrokes as received, well-formed or nearly (mutated sizes, texts, extra or missing keys, types). */
const receivedKeystroke = fc
  .tuple(
    fc.oneof(
      valid.intentsByType.input,
      mutateJson(valid.intentsByType.input, 2),
      fc.tuple(valid.intentsByType.input, sizeNearBounds, sizeNearBounds).map(([intent, cols, rows]) => ({ ...intent, cols, rows })),
      valid.anIntent,
    ),
    valid.anId,
  )
  .map(([value, id]) => asReceived(value, id));

/** Frame payload and intent properties. */
export const messageProperties: FuzzProperty[] = [
  validValuesAccepted('messages/valid-values-accepted', SCHEMAS),
  fuzzProperty({
    name: 'messages/decode-json-every-schema',
    arbitrary: fc.tuple(
      fc.oneof(...Object.entries(SCHEMAS).map(([schema, s]) => payloadsFor(s.valid).map((payload) => ({ schema, payload })))),
      fc.constantFrom<ErrorCode>('FRAME_MALFORMED', 'INTENT_INVALID', 'BAD_ENVELOPE'),
    ),
    check: ([{ schema, payload }, code]) => {
      const s = SCHEMAS[schema]!.schema;
      const out = valueOrCoded(() => decodeJson(s, payload, code), [code]);
      if (!out.ok) {
        assert.ok(out.error.message.length <= 2_000, 'an error message stays short');
        return;
      }
      assert.ok(s.safeParse(out.value).success, 'a decoded value validates again');
      const again = decodeJson(s, encodeJson(out.value), code);
      assert.equal(JSON.stringify(again), JSON.stringify(out.value), 'a decoded value round trips');
      if (/Intent/.test(schema) && schema !== 'IntentReplySchema') assertIntentBounds(out.value as Record<string, unknown>);
    },
    runs: { short: 800, long: 25_000 },
  }),
  fuzzProperty({
    name: 'messages/client-hello',
    arbitrary: fc.oneof(
      payloadsFor(valid.aClientHello),
      fc.tuple(valid.aClientHello, hostileString()).map(([hello, deviceName]) => jsonBytes({ ...hello, deviceName })),
    ),
    check: (payload) => {
      const out = valueOrCoded(() => decodeClientHello(payload), ['FRAME_MALFORMED', 'NAME_INVALID']);
      if (out.ok) {
        const n = out.value.deviceName;
        assert.ok(n.length >= 1 && n.length <= MAX_NAME_CHARS && n.trim() === n && !NAME_FORBIDDEN.test(n), `bad device name accepted: ${JSON.stringify(n)}`);
        return;
      }
      // NAME_INVALID exactly when the hello is well-formed but for its name.
      if (out.error.code !== 'NAME_INVALID') return;
      const hello = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
      assert.ok(messages.ClientHelloSchema.safeParse({ ...hello, deviceName: 'ok' }).success, 'NAME_INVALID only for an otherwise good hello');
    },
    runs: { short: 400, long: 10_000 },
  }),
  fuzzProperty({
    name: 'messages/intents-parsed-by-each-session-kind',
    arbitrary: rawIntent,
    check: (raw) => {
      for (const [kind, behaviour] of Object.entries(BEHAVIOURS)) {
        const parsed = behaviour.parseIntent(raw);
        if (parsed instanceof TetherError) {
          assert.ok(parsed.code === 'INTENT_INVALID' || parsed.code === 'WRONG_SESSION_KIND', `${kind}: ${parsed.code}`);
          continue;
        }
        assertIntentBounds(parsed as Record<string, unknown>);
        assert.ok(messages.IntentSchema.safeParse(parsed).success, `${kind} accepted what IntentSchema refuses`);
      }
    },
    runs: { short: 500, long: 15_000 },
  }),
  fuzzProperty({
    // The host's quick check for keystrokes (protocol/keystroke-intent.ts) stands in for the schema.
    name: 'messages/keystroke-check-agrees-with-schema',
    arbitrary: receivedKeystroke,
    check: (raw) => {
      const quick = plainKeystroke(raw);
      const parsed = messages.InputIntentSchema.safeParse(raw);
      assert.equal(quick !== null, parsed.success, quick ? 'the quick check took what the schema refuses' : 'the quick check missed a valid keystroke');
      if (quick && parsed.success) assert.deepEqual(quick, parsed.data);
    },
    runs: { short: 600, long: 30_000 },
  }),
  fuzzProperty({
    name: 'messages/intent-replies-from-the-core',
    async: true,
    arbitrary: fc.tuple(rawIntent, valid.aRole, fc.constantFrom('terminal', 'conversation', 'list') as fc.Arbitrary<keyof typeof BEHAVIOURS>),
    check: async ([raw, role, kind]) => {
      const actor: Actor = { peerId: 'fuzz', deviceId: 'fuzz', name: 'fuzz', kind: 'terminal', role: role as Actor['role'] };
      // The conversation's agent never started: only what it refuses before reaching the agent is asked.
      if (kind === 'conversation' && messages.ConversationIntentSchema.safeParse(raw).success) return;
      // A fresh id each time: the core answers a known id with its recorded reply, whatever else changed.
      const id = newId();
      const reply = await BEHAVIOURS[kind].core.handleIntent(actor, id, { ...raw, id });
      // The host's reply must be one every device can decode, whatever the intent held.
      const decoded = valueOrCoded(() => decodeJson(IntentReplySchema, encodeJson(reply)));
      assert.ok(decoded.ok, `the host's reply does not decode on a device: ${decoded.ok ? '' : decoded.error.message}`);
      assert.equal(reply.id, id);
      if (!reply.ok) assert.ok(isErrorCode(reply.error.code), reply.error.code);
    },
    runs: { short: 300, long: 10_000 },
  }),
];
