/**
 * The schema of a conversation session's Yjs document (an ACP agent at work) and its typed readers. The
 * host is its only writer (host/conversation-writer.ts); every reader — pages, `tether attach`, the host's
 * own chat — goes through the readers here, which validate what they read and fall back to safe defaults,
 * so a malformed document never crashes a view. Built for long sessions: each entry is one Y.Map;
 * streamed text lives in a Y.Text appended in place, so a 10,000-token answer is one entry whose
 * updates carry only the new characters, and a new device receives each message once.
 */
import * as Y from 'yjs';
import * as z from './zod.js';
import type { DeviceInfo } from './device-roster.js';
import { PromptImageSchema, type PromptImage } from './messages.js';
import {
  AgentCommandInfoSchema,
  AgentSessionCapsSchema,
  AuthMethodInfoSchema,
  ConfigOptionInfoSchema,
  NO_SESSION_CAPS,
  UsageInfoSchema,
  type AgentCommandInfo,
  type AgentSessionCaps,
  type AuthMethodInfo,
  type ConfigOptionInfo,
  type UsageInfo,
} from './agent-offer.js';
import { QuestionAnswerSchema, QuestionFieldSchema, type QuestionAnswer, type QuestionField } from './agent-question.js';
import { lazySchema } from './lazy-schema.js';

/** What the agent is doing. */
/** 'interrupted': the host restarted while the agent ran; prompts queue until a device resumes it. */
export const ConversationStatusSchema = lazySchema(() => z.enum(['starting', 'idle', 'working', 'awaiting-permission', 'awaiting-answer', 'ended', 'interrupted']));
export type ConversationStatus = z.infer<typeof ConversationStatusSchema>;

/** Entry types in `entries`. */
export type EntryType = 'user' | 'agent' | 'thought' | 'plan' | 'tool' | 'permission' | 'question' | 'notice';

/** True while a turn runs (the agent works, or waits for an approval or an answer). */
export function isTurnStatus(status: ConversationStatus): boolean {
  return status === 'working' || status === 'awaiting-permission' || status === 'awaiting-answer';
}

/** A tool call's status, as ACP reports it. */
export const ToolStatusSchema = lazySchema(() => z.enum(['pending', 'in_progress', 'completed', 'failed']));
export type ToolStatus = z.infer<typeof ToolStatusSchema>;

/** Content shown inside a tool card. */
export const ToolContentSchema = lazySchema(() => z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('diff'), path: z.string(), oldText: z.nullable(z.string()), newText: z.string() }),
  z.object({ type: z.literal('terminal'), terminalId: z.string() }),
]));
export type ToolContent = z.infer<typeof ToolContentSchema>;

/** One option of a permission request (the agent's own words). */
export const PermissionOptionSchema = lazySchema(() => z.object({ optionId: z.string(), name: z.string(), kind: z.string() }));
export type PermissionOption = z.infer<typeof PermissionOptionSchema>;

/** Who answered a permission request, and how. */
export const PermissionAnswerSchema = lazySchema(() => z.object({
  optionId: z.nullable(z.string()),
  name: z.string(),
  by: z.string(),
  byDeviceId: z.nullable(z.string()),
  at: z.number(),
}));
export type PermissionAnswer = z.infer<typeof PermissionAnswerSchema>;

/** A plan entry. */
export const PlanItemSchema = lazySchema(() => z.object({ content: z.string(), priority: z.string(), status: z.string() }));
export type PlanItem = z.infer<typeof PlanItemSchema>;

/** A mode the agent offers. */
export const AgentModeSchema = lazySchema(() => z.object({ id: z.string(), name: z.string(), description: z.optional(z.string()) }));
export type AgentMode = z.infer<typeof AgentModeSchema>;

/** A file location a tool call touches. */
export const ToolLocationSchema = lazySchema(() => z.object({ path: z.string(), line: z.nullable(z.number()) }));
export type ToolLocation = z.infer<typeof ToolLocationSchema>;

/**
 * A login the agent needs: which agent, why, its methods, the exact thing to do on the host (the
 * preset's hint), and the login terminal a device started, if any.
 */
export const LoginNeedSchema = lazySchema(() => z.object({
  agent: z.string(),
  reason: z.string(),
  methods: z.array(AuthMethodInfoSchema).check(z.maxLength(50)),
  hint: z.nullable(z.string()),
  terminal: z.nullable(
    z.object({
      methodId: z.string(),
      /** The terminal session running the login program (server mode), when it started. */
      sessionId: z.nullable(z.string()),
      state: z.enum(['running', 'succeeded', 'failed']),
      by: z.string(),
    }),
  ),
}));
export type LoginNeed = z.infer<typeof LoginNeedSchema>;

/** Typed views of a conversation document's shared types. */
export interface ConversationDocView {
  /**
   * kind='conversation', name, agent, command, cwd, startedAt, title, promptImages, modes, currentModeId,
   * authMethods, commands, configOptions, usage, sessionCaps, agentSessionId, resumedFrom
   */
  meta: Y.Map<unknown>;
  /** status, endedReason, endedDetail, exitCode, stderrTail, login, queuePaused */
  state: Y.Map<unknown>;
  /** The conversation, oldest first: one Y.Map per entry (see EntryType). */
  entries: Y.Array<Y.Map<unknown>>;
  /** Prompts waiting for the agent to finish its turn, in order: Y.Map {id, text, images, by, byDeviceId, at}. */
  queue: Y.Array<Y.Map<unknown>>;
  /** terminalId → Y.Map {command, output: Y.Text, truncated, exitCode, signal, running}: commands the agent ran through tether. */
  terminals: Y.Map<Y.Map<unknown>>;
}

/** Binds the typed views to a document. */
export function conversationDocView(doc: Y.Doc): ConversationDocView {
  return {
    meta: doc.getMap('meta'),
    state: doc.getMap('state'),
    entries: doc.getArray<Y.Map<unknown>>('entries'),
    queue: doc.getArray<Y.Map<unknown>>('queue'),
    terminals: doc.getMap<Y.Map<unknown>>('terminals'),
  };
}

/** A value of `schema`, or `fallback` when `value` does not match. */
function valid<T>(schema: z.ZodMiniType<T>, value: unknown, fallback: T): T {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : fallback;
}

/** Every item of an array that matches `schema` (a malformed item is skipped, not fatal). */
function validItems<T>(schema: z.ZodMiniType<T>, value: unknown): T[] {
  if (!Array.isArray(value)) return [];
  const out: T[] = [];
  for (const item of value) {
    const parsed = schema.safeParse(item);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** The conversation's fixed facts and what the agent offers. */
export interface ConversationMeta {
  name: string;
  /** Preset label ('claude', 'acp', …). */
  agent: string;
  /** The agent's own name, when it gave one. */
  agentName: string | null;
  command: string;
  cwd: string;
  startedAt: number;
  title: string | null;
  promptImages: boolean;
  modes: AgentMode[];
  currentModeId: string | null;
  /** How one logs in to the agent. */
  authMethods: AuthMethodInfo[];
  /** Slash commands the agent accepts. */
  commands: AgentCommandInfo[];
  /** Session settings (model, reasoning effort…) with their current values. */
  configOptions: ConfigOptionInfo[];
  /** Context use and cost, once the agent reported them. */
  usage: UsageInfo | null;
  sessionCaps: AgentSessionCaps;
  /** The agent's own id for this session (what resuming it later names). */
  agentSessionId: string | null;
  /** The agent session this conversation resumed, if it did. */
  resumedFrom: string | null;
}

/** Reads the meta map. */
export function readConversationMeta(view: ConversationDocView): ConversationMeta {
  const m = view.meta;
  return {
    name: str(m.get('name')),
    agent: str(m.get('agent')),
    agentName: strOrNull(m.get('agentName')),
    command: str(m.get('command')),
    cwd: str(m.get('cwd')),
    startedAt: num(m.get('startedAt')),
    title: strOrNull(m.get('title')),
    promptImages: m.get('promptImages') === true,
    modes: validItems(AgentModeSchema, m.get('modes')),
    currentModeId: strOrNull(m.get('currentModeId')),
    authMethods: validItems(AuthMethodInfoSchema, m.get('authMethods')),
    commands: validItems(AgentCommandInfoSchema, m.get('commands')),
    configOptions: validItems(ConfigOptionInfoSchema, m.get('configOptions')),
    usage: valid(z.nullable(UsageInfoSchema), m.get('usage'), null),
    sessionCaps: valid(AgentSessionCapsSchema, m.get('sessionCaps'), NO_SESSION_CAPS),
    agentSessionId: strOrNull(m.get('agentSessionId')),
    resumedFrom: strOrNull(m.get('resumedFrom')),
  };
}

/** The agent's state. */
export interface ConversationState {
  status: ConversationStatus;
  /** Why the agent ended, once it did. */
  endedReason: string | null;
  /** What the agent said about the failure (its error's data), when it said something. */
  endedDetail: string | null;
  exitCode: number | null;
  stderrTail: string;
  /** A Stop left prompts in the queue: they wait for a `run-queue` intent. */
  queuePaused: boolean;
  /** A login the agent needs, shown as a card until it is done. */
  login: LoginNeed | null;
}

/** Reads the conversation status with a default for an unsynced document. */
export function readStatus(view: ConversationDocView): ConversationStatus {
  return valid(ConversationStatusSchema, view.state.get('status'), 'starting');
}

/** Reads the state map. */
export function readConversationState(view: ConversationDocView): ConversationState {
  const s = view.state;
  const exitCode = s.get('exitCode');
  return {
    status: readStatus(view),
    endedReason: strOrNull(s.get('endedReason')),
    endedDetail: strOrNull(s.get('endedDetail')),
    exitCode: typeof exitCode === 'number' ? exitCode : null,
    stderrTail: str(s.get('stderrTail')),
    queuePaused: s.get('queuePaused') === true,
    login: valid(z.nullable(LoginNeedSchema), s.get('login'), null),
  };
}

/** Fields every entry has. */
interface EntryBase {
  id: string;
  at: number;
}

/** One entry of the conversation, read and validated. */
export type ConversationEntry =
  | (EntryBase & {
      type: 'user';
      text: string;
      /** How many images the prompt carried. */
      images: number;
      /** The images still kept in the document (the oldest are dropped past a budget). */
      imageData: PromptImage[];
      by: string;
      byDeviceId: string | null;
    })
  | (EntryBase & { type: 'agent' | 'thought'; text: string })
  | (EntryBase & { type: 'plan'; items: PlanItem[] })
  | (EntryBase & { type: 'tool'; toolCallId: string; title: string; kind: string; status: ToolStatus; locations: ToolLocation[]; content: ToolContent[] })
  | (EntryBase & {
      type: 'permission';
      requestId: string;
      toolCallId: string | null;
      title: string;
      options: PermissionOption[];
      status: 'pending' | 'answered' | 'cancelled';
      answer: PermissionAnswer | null;
    })
  | (EntryBase & {
      type: 'question';
      requestId: string;
      mode: 'form' | 'url';
      message: string;
      fields: QuestionField[];
      /** URL mode: where the agent sends the user (http or https only). */
      url: string | null;
      status: 'pending' | 'answered' | 'cancelled';
      answer: QuestionAnswer | null;
    })
  | (EntryBase & { type: 'notice'; level: 'info' | 'error'; text: string })
  | (EntryBase & { type: 'unknown'; rawType: string });

/** The text of an entry (Y.Text for streamed entries, a string for prompts and notices). */
export function entryText(entry: Y.Map<unknown>): string {
  const text = entry.get('text');
  if (text instanceof Y.Text) return text.toString();
  return typeof text === 'string' ? text : '';
}

/** The live Y.Text of a streamed entry (agent message or thought), to follow as it grows; else null. */
export function entryTextType(entry: Y.Map<unknown>): Y.Text | null {
  const text = entry.get('text');
  return text instanceof Y.Text ? text : null;
}

/** The type of an entry, without reading the rest. */
export function entryType(entry: Y.Map<unknown>): EntryType | 'unknown' {
  const t = entry.get('type');
  return t === 'user' || t === 'agent' || t === 'thought' || t === 'plan' || t === 'tool' || t === 'permission' || t === 'question' || t === 'notice' ? t : 'unknown';
}

/** Reads one entry. */
export function readEntry(entry: Y.Map<unknown>): ConversationEntry {
  const base: EntryBase = { id: str(entry.get('id')), at: num(entry.get('at')) };
  const type = entryType(entry);
  switch (type) {
    case 'user':
      return {
        ...base,
        type,
        text: entryText(entry),
        images: num(entry.get('images')),
        imageData: validItems(PromptImageSchema, entry.get('imageData')),
        by: str(entry.get('by')),
        byDeviceId: strOrNull(entry.get('byDeviceId')),
      };
    case 'agent':
    case 'thought':
      return { ...base, type, text: entryText(entry) };
    case 'plan':
      return { ...base, type, items: validItems(PlanItemSchema, entry.get('items')) };
    case 'tool':
      return {
        ...base,
        type,
        toolCallId: str(entry.get('toolCallId')),
        title: str(entry.get('title'), 'Tool'),
        kind: str(entry.get('kind'), 'other'),
        status: valid(ToolStatusSchema, entry.get('status'), 'pending'),
        locations: validItems(ToolLocationSchema, entry.get('locations')),
        content: validItems(ToolContentSchema, entry.get('content')),
      };
    case 'permission': {
      const status = entry.get('status');
      return {
        ...base,
        type,
        requestId: str(entry.get('requestId')),
        toolCallId: strOrNull(entry.get('toolCallId')),
        title: str(entry.get('title')),
        options: validItems(PermissionOptionSchema, entry.get('options')),
        status: status === 'answered' || status === 'cancelled' ? status : 'pending',
        answer: valid(z.nullable(PermissionAnswerSchema), entry.get('answer'), null),
      };
    }
    case 'question': {
      const status = entry.get('status');
      const url = strOrNull(entry.get('url'));
      return {
        ...base,
        type,
        requestId: str(entry.get('requestId')),
        mode: entry.get('mode') === 'url' ? 'url' : 'form',
        message: str(entry.get('message')),
        fields: validItems(QuestionFieldSchema, entry.get('fields')),
        // Only web links: a javascript: or file: URL must never become a link on a page.
        url: url !== null && /^https?:\/\//i.test(url) ? url : null,
        status: status === 'answered' || status === 'cancelled' ? status : 'pending',
        answer: valid(z.nullable(QuestionAnswerSchema), entry.get('answer'), null),
      };
    }
    case 'notice':
      return { ...base, type, level: entry.get('level') === 'error' ? 'error' : 'info', text: entryText(entry) };
    default:
      return { ...base, type: 'unknown', rawType: str(entry.get('type')) };
  }
}

/** A queued prompt as shown to devices. */
export interface QueuedPrompt {
  id: string;
  text: string;
  images: number;
  /** The images themselves (kept in the document so every device sees them and they survive a restart). */
  imageData: PromptImage[];
  by: string;
  byDeviceId: string | null;
}

/** Reads one queued prompt. */
export function readQueued(item: Y.Map<unknown>): QueuedPrompt {
  return {
    id: str(item.get('id')),
    text: str(item.get('text')),
    images: num(item.get('images')),
    imageData: validItems(PromptImageSchema, item.get('imageData')),
    by: str(item.get('by')),
    byDeviceId: strOrNull(item.get('byDeviceId')),
  };
}

/** The pending permission requests, oldest first. */
export function pendingPermissions(view: ConversationDocView): Array<Y.Map<unknown>> {
  return view.entries.toArray().filter((e) => e.get('type') === 'permission' && e.get('status') === 'pending');
}

/** The pending questions, oldest first. */
export function pendingQuestions(view: ConversationDocView): Array<Y.Map<unknown>> {
  return view.entries.toArray().filter((e) => e.get('type') === 'question' && e.get('status') === 'pending');
}
