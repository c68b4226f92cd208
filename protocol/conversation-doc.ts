/**
 * The schema of a conversation session's Yjs document (an ACP agent at work). The host is its only
 * writer (host/conversation-writer.ts). Built for long sessions: each entry is one Y.Map; streamed text
 * lives in a Y.Text appended in place, so a 10,000-token answer is one entry whose updates carry only
 * the new characters, and a new device receives each message once.
 */
import * as Y from 'yjs';
import type { DeviceInfo } from './terminal-doc.js';

/** What the agent is doing. */
export type ConversationStatus = 'starting' | 'idle' | 'working' | 'awaiting-permission' | 'ended';

/** Entry types in `entries`. */
export type EntryType = 'user' | 'agent' | 'thought' | 'plan' | 'tool' | 'permission' | 'notice';

/** A tool call's status, as ACP reports it. */
export type ToolStatus = 'pending' | 'in_progress' | 'completed' | 'failed';

/** Content shown inside a tool card. */
export type ToolContent =
  | { type: 'text'; text: string }
  | { type: 'diff'; path: string; oldText: string | null; newText: string }
  | { type: 'terminal'; terminalId: string };

/** One option of a permission request (the agent's own words). */
export interface PermissionOption {
  optionId: string;
  name: string;
  kind: string;
}

/** Who answered a permission request, and how. */
export interface PermissionAnswer {
  optionId: string | null;
  name: string;
  by: string;
  byDeviceId: string | null;
  at: number;
}

/** A plan entry. */
export interface PlanItem {
  content: string;
  priority: string;
  status: string;
}

/** A mode the agent offers. */
export interface AgentMode {
  id: string;
  name: string;
  description?: string;
}

/** Typed views of a conversation document's shared types. */
export interface ConversationDocView {
  /** kind='conversation', name, agent, command, cwd, startedAt, title, promptImages, modes, currentModeId */
  meta: Y.Map<unknown>;
  /** status, endedReason, exitCode, stderrTail, turn */
  state: Y.Map<unknown>;
  /** The conversation, oldest first: one Y.Map per entry (see EntryType). */
  entries: Y.Array<Y.Map<unknown>>;
  /** Prompts waiting for the agent to finish its turn, in order: Y.Map {id, text, images, by, byDeviceId, at}. */
  queue: Y.Array<Y.Map<unknown>>;
  /** peerId → device, for every connected device (the host's own terminal included). */
  devices: Y.Map<DeviceInfo>;
}

/** Binds the typed views to a document. */
export function conversationDocView(doc: Y.Doc): ConversationDocView {
  return {
    meta: doc.getMap('meta'),
    state: doc.getMap('state'),
    entries: doc.getArray<Y.Map<unknown>>('entries'),
    queue: doc.getArray<Y.Map<unknown>>('queue'),
    devices: doc.getMap<DeviceInfo>('devices'),
  };
}

/** The kind of session a document holds ('terminal' or 'conversation'), or null before it synced. */
export function sessionKind(doc: Y.Doc): 'terminal' | 'conversation' | null {
  const kind = doc.getMap('meta').get('kind');
  return kind === 'terminal' || kind === 'conversation' ? kind : null;
}

/** Reads the conversation status with a default for an unsynced document. */
export function readStatus(view: ConversationDocView): ConversationStatus {
  const s = view.state.get('status');
  return s === 'idle' || s === 'working' || s === 'awaiting-permission' || s === 'ended' ? s : 'starting';
}

/** The text of an entry (Y.Text for streamed entries, a string for prompts and notices). */
export function entryText(entry: Y.Map<unknown>): string {
  const text = entry.get('text');
  if (text instanceof Y.Text) return text.toString();
  return typeof text === 'string' ? text : '';
}

/** The pending permission requests, oldest first. */
export function pendingPermissions(view: ConversationDocView): Array<Y.Map<unknown>> {
  return view.entries.toArray().filter((e) => e.get('type') === 'permission' && e.get('status') === 'pending');
}
