/**
 * Which change of a conversation's status is worth a notification: it starts waiting for an answer, or
 * a turn ends (busy → idle). Every change is seen (the document's own events, not the session list's
 * throttled rows, which can miss a turn shorter than a refresh). An end is told by the server when it
 * marks the session ended, with its reason. The host pushes these; a page that is open but hidden
 * alerts with them itself (client/web/hidden-alerts.ts).
 */
import type * as Y from 'yjs';
import { ConversationStatusSchema, type ConversationDocView, type ConversationStatus } from './conversation-doc.js';
import type { NotifyKind } from './push.js';

/** Statuses of a turn under way. */
const BUSY: ReadonlySet<ConversationStatus> = new Set(['working', 'awaiting-permission', 'awaiting-answer']);

/** The notification a change from `before` to `after` calls for, or null. */
export function transitionNotice(before: ConversationStatus | null, after: ConversationStatus): StatusNotice | null {
  if (before === after) return null;
  if (after === 'awaiting-permission') return { kind: 'attention', body: 'Waiting for your approval.' };
  if (after === 'awaiting-answer') return { kind: 'attention', body: 'Has a question for you.' };
  if (before !== null && BUSY.has(before) && after === 'idle') return { kind: 'turn-ended', body: 'Finished its turn.' };
  return null;
}

/** A notification a conversation calls for: what kind, and one line. */
export interface StatusNotice {
  kind: NotifyKind;
  body: string;
}

/** Calls `notice` with each change of the conversation's status (from its document) worth telling. */
export function onStatusNotice(view: ConversationDocView, notice: (n: StatusNotice) => void): void {
  view.state.observe((event: Y.YMapEvent<unknown>) => {
    const change = event.changes.keys.get('status');
    if (!change) return;
    const before = ConversationStatusSchema.safeParse(change.oldValue);
    const after = ConversationStatusSchema.safeParse(view.state.get('status'));
    const n = after.success ? transitionNotice(before.success ? before.data : null, after.data) : null;
    if (n) notice(n);
  });
}

/** What an end says: "Ended: <reason>". */
export function endedNotice(reason: string): StatusNotice {
  return { kind: 'ended', body: reason ? `Ended: ${reason}` : 'Ended.' };
}
