/**
 * The only writer of a conversation document (protocol/conversation-doc.ts). Turns ACP session updates
 * into entries: streamed message and thought chunks are appended in place to one Y.Text per message,
 * tool calls are updated in place by id, plans replace the turn's plan entry.
 */
import * as Y from 'yjs';
import type { SessionUpdate, ToolCallContent, ContentBlock } from '@agentclientprotocol/sdk';
import {
  conversationDocView,
  entryTextType,
  readQueued,
  type QueuedPrompt,
  type ConversationDocView,
  type ConversationStatus,
  type PermissionAnswer,
  type PermissionOption,
  type ToolContent,
  type AgentMode,
} from '../protocol/conversation-doc.js';
import type { DeviceInfo } from '../protocol/device-roster.js';
import { newId } from '../protocol/ids.js';

export type { QueuedPrompt } from '../protocol/conversation-doc.js';

/** Fixed facts about the conversation, written once. */
export interface ConversationStartMeta {
  name: string;
  agent: string;
  command: string;
  cwd: string;
}

function blockText(block: ContentBlock): string {
  if (block.type === 'text') return block.text;
  if (block.type === 'image') return '[image]';
  if (block.type === 'resource_link') return `[${block.name}](${block.uri})`;
  return `[${block.type}]`;
}

function toolContent(content: ToolCallContent[] | null | undefined): ToolContent[] {
  return (content ?? []).map((c): ToolContent => {
    if (c.type === 'diff') return { type: 'diff', path: c.path, oldText: c.oldText ?? null, newText: c.newText };
    if (c.type === 'terminal') return { type: 'terminal', terminalId: c.terminalId };
    return { type: 'text', text: blockText(c.content) };
  });
}

/** Writes one conversation document. */
export class ConversationWriter {
  readonly view: ConversationDocView;
  /** The entry streamed chunks append to, per stream kind; reset at each turn and by other entries. */
  private streaming: { kind: 'agent' | 'thought'; entry: Y.Map<unknown> } | null = null;
  private readonly tools = new Map<string, Y.Map<unknown>>();
  private readonly permissions = new Map<string, Y.Map<unknown>>();
  private plan: Y.Map<unknown> | null = null;

  constructor(
    readonly doc: Y.Doc,
    meta: ConversationStartMeta,
  ) {
    this.view = conversationDocView(doc);
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
  setAgentInfo(info: { promptImages: boolean; modes: AgentMode[]; currentModeId: string | null; agentName: string | null }): void {
    this.doc.transact(() => {
      this.view.meta.set('promptImages', info.promptImages);
      this.view.meta.set('modes', info.modes);
      this.view.meta.set('currentModeId', info.currentModeId);
      if (info.agentName) this.view.meta.set('agentName', info.agentName);
    });
  }

  /** Renames the session (e.g. `/remote-control <name>`). */
  setName(name: string): void {
    this.view.meta.set('name', name);
  }

  setStatus(status: ConversationStatus): void {
    if (this.view.state.get('status') !== status) this.view.state.set('status', status);
  }

  /** Adds a prompt as it starts (a new turn begins). */
  addUserPrompt(prompt: QueuedPrompt): void {
    this.streaming = null;
    this.plan = null;
    this.push('user', { text: prompt.text, images: prompt.images, by: prompt.by, byDeviceId: prompt.byDeviceId });
  }

  /** Applies one ACP session/update. */
  applyUpdate(update: SessionUpdate): void {
    switch (update.sessionUpdate) {
      case 'agent_message_chunk':
      case 'agent_thought_chunk':
        this.appendChunk(update.sessionUpdate === 'agent_message_chunk' ? 'agent' : 'thought', blockText(update.content));
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
        // user_message_chunk (our own prompts echoed), commands, usage, config: nothing to show yet.
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

  /** Adds an informational or error line to the conversation. */
  addNotice(level: 'info' | 'error', text: string): void {
    this.streaming = null;
    this.push('notice', { level, text });
  }

  enqueue(prompt: QueuedPrompt): void {
    const item = new Y.Map<unknown>();
    for (const [k, v] of Object.entries({ ...prompt, at: Date.now() })) item.set(k, v);
    this.view.queue.push([item]);
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

  /** The agent ended: the conversation stays readable. */
  setEnded(reason: string, exitCode: number | null, stderrTail: string): void {
    this.doc.transact(() => {
      this.view.state.set('status', 'ended');
      this.view.state.set('endedReason', reason);
      this.view.state.set('exitCode', exitCode);
      this.view.state.set('stderrTail', stderrTail);
    });
  }

  addDevice(slot: string, device: DeviceInfo): void {
    this.view.devices.set(slot, device);
  }

  removeDevice(slot: string): void {
    if (this.view.devices.has(slot)) this.view.devices.delete(slot);
  }

  private appendChunk(kind: 'agent' | 'thought', text: string): void {
    if (text === '') return;
    if (this.streaming?.kind !== kind) {
      const entry = this.push(kind, { text: new Y.Text() });
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
