/**
 * What every rendered conversation entry is (a DOM element that keeps itself up to date by observing
 * its own entry, and lets go of its observers when destroyed) and what entries may ask of the page.
 */
import type * as Y from 'yjs';
import type { IntentBody, IntentReply } from '../../protocol/messages.js';
import { entryType, readEntry, type ConversationDocView, type ConversationEntry } from '../../protocol/conversation-doc.js';

/** One entry's DOM, updated in place as its Y.Map or Y.Text changes. */
export interface EntryView {
  readonly element: HTMLElement;
  /** Marks the message the agent is writing right now (a caret at its end). */
  setStreaming?(streaming: boolean): void;
  /** A tool entry arrived: a permission card waiting for its tool call can show it now. */
  toolAdded?(toolCallId: string): void;
  /** Stops observing the document. */
  destroy(): void;
}

/** What entry views need from the page. */
export interface EntryContext {
  /** The whole document (a tool card follows the output of the command it ran). */
  readonly view: ConversationDocView;
  /** This browser's device id (to mark "you"). */
  readonly ownDeviceId: string;
  /** The session's folder, for showing paths relative to it. */
  cwd(): string;
  /** The tool call entry with this id, if the document has it. */
  tool(toolCallId: string): Y.Map<unknown> | undefined;
  /** Sends an intent; a refusal has already been shown to the user when the promise resolves. */
  send(intent: IntentBody): Promise<IntentReply>;
}

/** An entry read as `type` (validated, with safe defaults), or null when it is another kind. */
export function readAs<K extends ConversationEntry['type']>(entry: Y.Map<unknown>, type: K): Extract<ConversationEntry, { type: K }> | null {
  // The type alone first: reading a whole entry of another kind (a long message) would be wasted work.
  if (entryType(entry) !== type) return null;
  const read = readEntry(entry);
  return read.type === type ? (read as Extract<ConversationEntry, { type: K }>) : null;
}
