/**
 * A long conversation for the "new device opens it" benchmarks: 10,000 messages (alternating user
 * prompts and ~500-byte markdown answers, as test/browser/conversation-history.test.ts builds them)
 * written through the host's own ConversationWriter, so the document has exactly the shape a real
 * session of that length would have.
 */
import type { SessionUpdate } from '@agentclientprotocol/sdk';
import type { ConversationSession } from '../host/conversation-session.js';

/** Messages in the history (half prompts, half answers). */
export const HISTORY_MESSAGES = 10_000;

/** ~500 bytes of markdown per answer, like a real agent's. */
function answer(i: number): string {
  return `Answer **${i}**: ${'the quick brown fox jumps over the lazy dog. '.repeat(9)}\n\n- item \`${i}\``;
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
