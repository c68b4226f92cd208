/**
 * What the interactive chat and `tether attach`'s chat share: printing above the prompt line, and
 * turning a typed line into an intent (a number answers the pending permission request; anything else
 * is a prompt).
 */
import type { Interface } from 'node:readline';
import { pendingPermissions, type ConversationDocView, type PermissionOption } from '../../protocol/conversation-doc.js';
import type { IntentBody } from '../../protocol/messages.js';

/** Prints whole lines above the prompt, then redraws the prompt with what the user has typed so far. */
export function printAbovePrompt(rl: Interface, out: NodeJS.WritableStream, lines: string[]): void {
  if (lines.length === 0) return;
  out.write(`\r\x1b[K${lines.join('\n')}\n`);
  rl.prompt(true);
}

/** The intent for a typed (non-command) line. */
export function intentForLine(view: ConversationDocView, line: string): IntentBody {
  const pending = pendingPermissions(view)[0];
  const options = (pending?.get('options') as PermissionOption[] | undefined) ?? [];
  const choice = /^\d+$/.test(line) ? options[Number(line) - 1] : undefined;
  if (pending && choice) return { type: 'permission', requestId: String(pending.get('requestId')), optionId: choice.optionId };
  return { type: 'prompt', text: line };
}
