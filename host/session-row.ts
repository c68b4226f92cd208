/**
 * A session as its row in the session list shows it, read from the session's own document: its state,
 * its context use and cost; and how its program ended, in the words the list uses.
 */
import type { ListedSession, ListedState } from '../protocol/session-list-doc.js';
import { readConversationMeta, readStatus } from '../protocol/conversation-doc.js';
import { readTerminal } from '../protocol/terminal-doc.js';
import { exitReason, shellStatus, signalName } from '../protocol/process-exit.js';
import type { HostedSession } from './hosted-session.js';

/** The live fields of a session's row (state, usage). */
export function rowFields(session: HostedSession): Pick<ListedSession, 'state' | 'usage'> {
  const state: ListedState =
    session.kind === 'terminal' ? (readTerminal(session.writer.view).state === 'exited' ? 'ended' : 'running') : readStatus(session.writer.view);
  return {
    state,
    usage: session.kind === 'conversation' ? readConversationMeta(session.writer.view).usage : null,
  };
}

/** How a program ended, for its row and the `session-ended` event: "killed by SIGKILL" is never "code 0". */
export function endedBy(exitCode: number | null, signal: number | string | null): { exitCode: number | null; reason: string; signal: string | null; status: number } {
  const name = signalName(signal);
  return {
    exitCode: name ? null : exitCode,
    reason: exitReason(exitCode, signal),
    signal: name,
    status: typeof signal === 'number' ? shellStatus(exitCode, signal) : name ? 1 : (exitCode ?? 1),
  };
}
