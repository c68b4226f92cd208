/** Reading a Node device's replica of a conversation in tests: entries, the last answer, waiting for idle, prompting. */
import assert from 'node:assert/strict';
import type * as Y from 'yjs';
import { entryText, readStatus, type ConversationDocView } from '../../protocol/conversation-doc.js';
import type { TestClient } from './terminal-host.js';
import { waitFor } from './wait-for.js';

/** The device's conversation document. */
export const view = (c: TestClient): ConversationDocView => c.client.conversation;
/** Its entries, oldest first. */
export const entries = (c: TestClient): Array<Y.Map<unknown>> => view(c).entries.toArray();
/** The last entry of `type`. */
export const last = (c: TestClient, type: string): Y.Map<unknown> | undefined => entries(c).filter((e) => e.get('type') === type).at(-1);
/** The text of the last entry of `type` (the agent's last answer by default). */
export const lastText = (c: TestClient, type = 'agent'): string => {
  const e = last(c, type);
  return e ? entryText(e) : '';
};

/** Waits until the agent is idle with nothing queued, as the device sees it. */
export async function idle(c: TestClient): Promise<void> {
  await waitFor(() => readStatus(view(c)) === 'idle' && view(c).queue.length === 0, 15_000, 'agent idle');
}

/** Sends a prompt and asserts the host accepted it. */
export async function prompt(c: TestClient, text: string): Promise<void> {
  const reply = await c.client.sendIntent({ type: 'prompt', text });
  assert.equal(reply.ok, true, JSON.stringify(reply));
}
