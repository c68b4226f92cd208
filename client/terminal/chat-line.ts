/**
 * What the interactive chat and `tether attach`'s chat share: printing above the prompt line, and
 * turning a typed line into an intent (a number answers the pending permission request; anything else
 * is a prompt).
 */
import type { Interface } from 'node:readline';
import { pendingPermissions, readEntry, type ConversationDocView } from '../../protocol/conversation-doc.js';
import type { IntentBody } from '../../protocol/messages.js';

/** Prints whole lines above the prompt, then redraws the prompt with what the user has typed so far. */
export function printAbovePrompt(rl: Interface, out: NodeJS.WritableStream, lines: string[]): void {
  if (lines.length === 0) return;
  out.write(`\r\x1b[K${lines.join('\n')}\n`);
  rl.prompt(true);
}

/** The intent for a typed (non-command) line. */
export function intentForLine(view: ConversationDocView, line: string): IntentBody {
  const raw = pendingPermissions(view)[0];
  const pending = raw ? readEntry(raw) : null;
  const choice = pending?.type === 'permission' && /^\d+$/.test(line) ? pending.options[Number(line) - 1] : undefined;
  if (pending?.type === 'permission' && choice) return { type: 'permission', requestId: pending.requestId, optionId: choice.optionId };
  return { type: 'prompt', text: line };
}
