/**
 * A long conversation for the "new device opens it" benchmarks: 10,000 messages (alternating user
 * prompts and ~500-byte markdown answers, passages of real prose, where the browser test of the same
 * shape repeats one sentence)
 * written through the host's own ConversationWriter, so the document has exactly the shape a real
 * session of that length would have.
 */
import type { SessionUpdate } from '@agentclientprotocol/sdk';
import type { ConversationSession } from '../host/conversation-session.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../host/package-paths.js';

/** Messages in the history (half prompts, half answers). */
export const HISTORY_MESSAGES = 10_000;

/** Real prose to cut the answers from: this project's README (markdown, code, tables). */
const PROSE = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
const ANSWER_PROSE_CHARS = 450;

/**
 * ~500 bytes of markdown per answer, like a real agent's: each a different passage of real prose (an
 * answer repeating one sentence would deflate tenfold, where real text deflates about threefold).
 */
function answer(i: number): string {
  const at = (i * 7919) % (PROSE.length - ANSWER_PROSE_CHARS);
  return `Answer **${i}**: ${PROSE.slice(at, at + ANSWER_PROSE_CHARS)}\n\n- item \`${i}\``;
}

/** Writes the history into an idle session; returns the characters of text written. */
export function writeHistory(session: ConversationSession): number {
  const writer = session.writer;
  let chars = 0;
  for (let i = 0; i < HISTORY_MESSAGES / 2; i++) {
    const question = `question ${i}`;
    const text = answer(i);
    chars += question.length + text.length;
    writer.addUserPrompt({ id: `q${i}`, text: question, images: 0, by: 'history', byDeviceId: null });
    writer.applyUpdate({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } } as SessionUpdate);
  }
  return chars;
}
