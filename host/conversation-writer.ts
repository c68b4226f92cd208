/**
 * The only writer of a conversation document (protocol/conversation-doc.ts). Turns ACP session updates
 * into entries: streamed message and thought chunks are appended in place to one Y.Text per message,
 * tool calls are updated in place by id, plans replace the turn's plan entry; records what the agent
 * offers (commands, settings, usage, logins), questions, login cards, and (through its
 * TerminalOutputWriter) the output of commands the agent runs through tether; prompt images are kept
 * within a budget.
 */
import * as Y from 'yjs';
import type { SessionUpdate } from '@agentclientprotocol/sdk';
import {
  conversationDocView,
  entryTextType,
  entryType,
  readConversationState,
  readEntry,
  readQueued,
  type QueuedPrompt,
  type ConversationDocView,
  type ConversationStatus,
  type LoginNeed,
  type PermissionAnswer,
  type PermissionOption,
  type AgentMode,
} from '../protocol/conversation-doc.js';
import type { AgentSessionCaps, AuthMethodInfo, ConfigOptionInfo } from '../protocol/agent-offer.js';
import type { QuestionAnswer, QuestionField } from '../protocol/agent-question.js';
import type { PromptImage } from '../protocol/messages.js';
import type { DeviceInfo } from '../protocol/device-roster.js';
import { newId } from '../protocol/ids.js';
import { blockText, clean, toCommands, toConfigOptions, toolContent, toUsage } from './acp-offer.js';
import { TerminalOutputWriter } from './terminal-output-writer.js';

export type { QueuedPrompt } from '../protocol/conversation-doc.js';

/** A prompt as it is queued or started (its images are optional). */
export type PromptInput = Omit<QueuedPrompt, 'imageData'> & { imageData?: PromptImage[] };

/** Base64 characters of prompt images the conversation keeps; past it, the oldest prompts' images are dropped. */
export const MAX_KEPT_IMAGE_CHARS = 16 * 1024 * 1024;

/** What the agent offers, as the writer records it. */
export interface OfferedInfo {
  promptImages: boolean;
  modes: AgentMode[];
  currentModeId: string | null;
  agentName: string | null;
  authMethods: AuthMethodInfo[];
  configOptions: ConfigOptionInfo[];
  sessionCaps: AgentSessionCaps;
  agentSessionId: string;
}

/** Fixed facts about the conversation, written once. */
export interface ConversationStartMeta {
  name: string;
  agent: string;
  command: string;
  cwd: string;
}

/** Writes one conversation document. */
export class ConversationWriter {
  readonly view: ConversationDocView;
  /** Where the commands the agent runs through tether write their output. */
  readonly terminals: TerminalOutputWriter;
  /** The entry streamed chunks append to, per stream kind; reset at each turn and by other entries. */
  private streaming: { kind: 'agent' | 'thought' | 'user'; entry: Y.Map<unknown> } | null = null;
  private readonly tools = new Map<string, Y.Map<unknown>>();
  private readonly permissions = new Map<string, Y.Map<unknown>>();
  private plan: Y.Map<unknown> | null = null;
  private readonly questions = new Map<string, Y.Map<unknown>>();
  /** While an earlier session is loaded, the agent replays the user's prompts too: show them. */
  private replaying = false;

  /** `restored`: `doc` is a stored session's document, adopted as it is. */
  constructor(
    readonly doc: Y.Doc,
    meta: ConversationStartMeta,
    restored = false,
  ) {
    this.view = conversationDocView(doc);
    this.terminals = new TerminalOutputWriter(doc, this.view);
    if (restored) return;
    doc.transact(() => {
      this.view.meta.set('kind', 'conversation');
      this.view.meta.set('name', meta.name);
      this.view.meta.set('agent', meta.agent);
      this.view.meta.set('command', meta.command);
      this.view.meta.set('cwd', meta.cwd);
      this.view.meta.set('startedAt', Date.now());
      this.view.state.set('status', 'starting');
    });
  }

  /** Records what the agent offers. */
  setAgentInfo(info: OfferedInfo): void {
    this.doc.transact(() => {
      this.view.meta.set('promptImages', info.promptImages);
      this.view.meta.set('modes', info.modes);
      this.view.meta.set('currentModeId', info.currentModeId);
      if (info.agentName) this.view.meta.set('agentName', info.agentName);
      this.view.meta.set('authMethods', info.authMethods);
      this.view.meta.set('configOptions', info.configOptions);
      this.view.meta.set('sessionCaps', info.sessionCaps);
      this.view.meta.set('agentSessionId', info.agentSessionId);
    });
  }

  /** The agent's login methods, known as soon as it initialized (before any session opened). */
  setAuthMethods(methods: AuthMethodInfo[], agentName: string | null): void {
    this.doc.transact(() => {
      this.view.meta.set('authMethods', methods);
      if (agentName) this.view.meta.set('agentName', agentName);
    });
  }

  /** This conversation continues the agent's earlier session `agentSessionId`. */
  setResumedFrom(agentSessionId: string): void {
    this.view.meta.set('resumedFrom', agentSessionId);
  }

  /** While true, prompts the agent replays (session/load) become user entries. */
  setReplaying(replaying: boolean): void {
    this.replaying = replaying;
    this.streaming = null;
  }

  setConfigOptions(options: ConfigOptionInfo[]): void {
    this.view.meta.set('configOptions', options);
  }

  /** Shows (or, with null, clears) the login card. */
  setLogin(login: LoginNeed | null): void {
    this.view.state.set('login', login);
  }

  /** Updates the login card's terminal. */
  setLoginTerminal(terminal: LoginNeed['terminal']): void {
    const login = readConversationState(this.view).login;
    if (login) this.view.state.set('login', { ...login, terminal });
  }

  /** Renames the session (e.g. `/remote-control <name>`). */
  setName(name: string): void {
    this.view.meta.set('name', name);
  }

  setStatus(status: ConversationStatus): void {
    if (this.view.state.get('status') !== status) this.view.state.set('status', status);
  }

  /** Pauses the queue (after a Stop) or lets it run again. */
  setQueuePaused(paused: boolean): void {
    if ((this.view.state.get('queuePaused') === true) !== paused) this.view.state.set('queuePaused', paused);
  }

  /** Adds a prompt as it starts (a new turn begins); its images are kept within MAX_KEPT_IMAGE_CHARS. */
  addUserPrompt(prompt: PromptInput): void {
    this.streaming = null;
    this.plan = null;
    this.doc.transact(() => {
      this.push('user', { text: prompt.text, images: prompt.images, imageData: prompt.imageData ?? [], by: prompt.by, byDeviceId: prompt.byDeviceId });
      if ((prompt.imageData?.length ?? 0) > 0) this.keepImagesWithinBudget();
    });
  }

  /** Applies one ACP session/update. */
  applyUpdate(update: SessionUpdate): void {
    switch (update.sessionUpdate) {
      case 'agent_message_chunk':
      case 'agent_thought_chunk':
        this.appendChunk(update.sessionUpdate === 'agent_message_chunk' ? 'agent' : 'thought', blockText(update.content));
        return;
      case 'user_message_chunk':
        // Our own prompts, echoed: already shown. Replayed ones (an earlier session loading) are not.
        if (this.replaying) this.appendChunk('user', blockText(update.content));
        return;
      case 'available_commands_update':
        this.view.meta.set('commands', toCommands(update.availableCommands));
        return;
      case 'config_option_update':
        this.setConfigOptions(toConfigOptions(update.configOptions));
        return;
      case 'usage_update':
        this.view.meta.set('usage', toUsage(update));
        return;
      case 'tool_call': {
        this.streaming = null;
        const entry = this.push('tool', {
          toolCallId: update.toolCallId,
          title: update.title,
          kind: update.kind ?? 'other',
          status: update.status ?? 'pending',
          locations: (update.locations ?? []).map((l) => ({ path: l.path, line: l.line ?? null })),
          content: toolContent(update.content),
        });
        this.tools.set(update.toolCallId, entry);
        return;
      }
      case 'tool_call_update': {
        const entry = this.tools.get(update.toolCallId);
        if (!entry) {
          this.applyUpdate({ ...update, sessionUpdate: 'tool_call', title: update.title ?? 'Tool call', kind: update.kind ?? undefined, status: update.status ?? undefined, content: update.content ?? undefined, locations: update.locations ?? undefined });
          return;
        }
        this.doc.transact(() => {
          if (update.title != null) entry.set('title', update.title);
          if (update.kind != null) entry.set('kind', update.kind);
          if (update.status != null) entry.set('status', update.status);
          if (update.locations != null) entry.set('locations', update.locations.map((l) => ({ path: l.path, line: l.line ?? null })));
          if (update.content != null) entry.set('content', toolContent(update.content));
        });
        return;
      }
      case 'plan': {
        const items = update.entries.map((e) => ({ content: e.content, priority: e.priority, status: e.status }));
        if (this.plan) this.plan.set('items', items);
        else {
          this.streaming = null;
          this.plan = this.push('plan', { items });
        }
        return;
      }
      case 'current_mode_update':
        this.view.meta.set('currentModeId', update.currentModeId);
        return;
      case 'session_info_update':
        if (update.title) this.view.meta.set('title', update.title);
        return;
      case 'notice':
        this.addNotice(update.severity === 'error' ? 'error' : 'info', update.description ? `${update.title}: ${update.description}` : update.title);
        return;
      default:
        // Compaction and future kinds: nothing to show yet.
        return;
    }
  }

  /** Adds a pending permission request; returns its request id. */
  addPermission(toolCallId: string | null, title: string, options: PermissionOption[]): string {
    this.streaming = null;
    const requestId = newId();
    const entry = this.push('permission', { requestId, toolCallId, title, options, status: 'pending', answer: null });
    this.permissions.set(requestId, entry);
    return requestId;
  }

  /** The title of a tool call already shown, if any. */
  toolTitle(toolCallId: string): string | undefined {
    const title = this.tools.get(toolCallId)?.get('title');
    return typeof title === 'string' ? title : undefined;
  }

  /** The permission entry for a request id. */
  permission(requestId: string): Y.Map<unknown> | undefined {
    return this.permissions.get(requestId);
  }

  /** Records the answer (or cancellation) of a permission request. */
  resolvePermission(requestId: string, status: 'answered' | 'cancelled', answer: PermissionAnswer): void {
    const entry = this.permissions.get(requestId);
    if (!entry) return;
    this.doc.transact(() => {
      entry.set('status', status);
      entry.set('answer', answer);
    });
  }

  /** Adds a pending question (form or URL); returns its request id. */
  addQuestion(question: { mode: 'form' | 'url'; message: string; fields: QuestionField[]; url: string | null }): string {
    this.streaming = null;
    const requestId = newId();
    const entry = this.push('question', { requestId, ...question, status: 'pending', answer: null });
    this.questions.set(requestId, entry);
    return requestId;
  }

  /** The question entry for a request id. */
  question(requestId: string): Y.Map<unknown> | undefined {
    return this.questions.get(requestId);
  }

  /** Records how a question was answered (or that it was cancelled). */
  resolveQuestion(requestId: string, status: 'answered' | 'cancelled', answer: QuestionAnswer): void {
    const entry = this.questions.get(requestId);
    if (!entry) return;
    this.doc.transact(() => {
      entry.set('status', status);
      entry.set('answer', answer);
    });
  }

  /** Adds an informational or error line to the conversation. */
  addNotice(level: 'info' | 'error', text: string): void {
    this.streaming = null;
    this.push('notice', { level, text });
  }

  enqueue(prompt: PromptInput): void {
    const item = new Y.Map<unknown>();
    for (const [k, v] of Object.entries({ ...prompt, imageData: prompt.imageData ?? [], at: Date.now() })) item.set(k, v);
    this.view.queue.push([item]);
  }

  /** Base64 characters of the images waiting in the queue. */
  queuedImageChars(): number {
    let n = 0;
    for (const item of this.view.queue) for (const image of readQueued(item).imageData) n += image.data.length;
    return n;
  }

  /** Index of a queued prompt, or -1. */
  queueIndex(queueId: string): number {
    return this.view.queue.toArray().findIndex((q) => q.get('id') === queueId);
  }

  editQueued(index: number, text: string): void {
    this.view.queue.get(index).set('text', text);
  }

  removeQueued(index: number): void {
    this.view.queue.delete(index, 1);
  }

  /** Takes the oldest queued prompt off the queue. */
  shiftQueue(): QueuedPrompt | null {
    if (this.view.queue.length === 0) return null;
    const prompt = readQueued(this.view.queue.get(0));
    this.view.queue.delete(0, 1);
    return prompt;
  }

  /**
   * The host restarted while the agent ran: requests it was waiting on can no longer be answered, and
   * nothing runs until a device resumes the session (prompts queue meanwhile).
   */
  setInterrupted(): void {
    this.doc.transact(() => {
      for (const entry of this.view.entries) {
        if (entry.get('type') !== 'permission' || entry.get('status') !== 'pending') continue;
        entry.set('status', 'cancelled');
        entry.set('answer', { optionId: null, name: 'Cancelled', by: 'host restart', byDeviceId: null, at: Date.now() } satisfies PermissionAnswer);
      }
      this.view.state.set('status', 'interrupted');
    });
  }

  /** The agent ended: the conversation stays readable. `detail` is what the agent said about why. */
  setEnded(reason: string, exitCode: number | null, stderrTail: string, detail: string | null = null): void {
    this.doc.transact(() => {
      this.view.state.set('status', 'ended');
      this.view.state.set('endedReason', reason);
      this.view.state.set('endedDetail', detail);
      this.view.state.set('exitCode', exitCode);
      this.view.state.set('stderrTail', stderrTail);
    });
  }

  /** Drops the images of the oldest prompts until the kept ones fit MAX_KEPT_IMAGE_CHARS. */
  private keepImagesWithinBudget(): void {
    const sized: Array<[Y.Map<unknown>, number]> = [];
    let total = 0;
    for (const e of this.view.entries) {
      if (entryType(e) !== 'user') continue;
      const read = readEntry(e);
      const n = read.type === 'user' ? read.imageData.reduce((sum, i) => sum + i.data.length, 0) : 0;
      if (n > 0) sized.push([e, n]);
      total += n;
    }
    for (const [e, n] of sized) {
      if (total <= MAX_KEPT_IMAGE_CHARS) break;
      total -= n;
      e.set('imageData', []);
    }
  }

  private appendChunk(kind: 'agent' | 'thought' | 'user', text: string): void {
    if (text === '') return;
    if (this.streaming?.kind !== kind) {
      const fields: Record<string, unknown> = kind === 'user' ? { text: new Y.Text(), images: 0, imageData: [], by: 'earlier session', byDeviceId: null } : { text: new Y.Text() };
      const entry = this.push(kind, fields);
      this.streaming = { kind, entry };
    }
    const ytext = entryTextType(this.streaming.entry);
    ytext?.insert(ytext.length, text);
  }

  private push(type: string, fields: Record<string, unknown>): Y.Map<unknown> {
    const entry = new Y.Map<unknown>();
    this.doc.transact(() => {
      entry.set('id', newId());
      entry.set('type', type);
      entry.set('at', Date.now());
      for (const [k, v] of Object.entries(fields)) entry.set(k, v);
      this.view.entries.push([entry]);
    });
    return entry;
  }
}
