/**
 * Drives a conversation page in Playwright the way a person would: by the controls' accessible names
 * (textbox "Message", buttons "Send" and "Stop", permission options by name) and the visible text.
 * Every wait has a timeout.
 */
import type { Locator, Page } from 'playwright-core';
import { UI_TIMEOUT_MS, waitForLive } from './terminal-page.js';

/** The agent status labels the page shows. */
export type AgentStatusLabel = 'Starting…' | 'Idle' | 'Working…' | 'Waiting for approval' | 'Ended';

/** The agent's status chip. */
export function agentStatus(page: Page): Locator {
  return page.getByRole('status', { name: 'Agent status' });
}

/** Waits until the agent status reads `label`. */
export async function waitForAgentStatus(page: Page, label: AgentStatusLabel, timeout = UI_TIMEOUT_MS): Promise<void> {
  try {
    await agentStatus(page).filter({ hasText: new RegExp(`^${label}$`) }).waitFor({ timeout });
  } catch (err) {
    const shown = await agentStatus(page).allInnerTexts();
    throw new Error(`agent status not "${label}" after ${timeout} ms; it shows ${JSON.stringify(shown)}`, { cause: err });
  }
}

/** Waits until the page is live and the agent is ready (idle). */
export async function waitForConversation(page: Page, timeout = UI_TIMEOUT_MS): Promise<void> {
  await waitForLive(page, timeout);
  await waitForAgentStatus(page, 'Idle', timeout);
}

/** Types `text` into the prompt box and presses Send. */
export async function sendPrompt(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** The agent's messages, oldest first. */
export function agentMessages(page: Page): Locator {
  return page.locator('.entry.agent');
}

/** Waits until some agent message's text matches `pattern`. */
export async function waitForAgentText(page: Page, pattern: RegExp, timeout = UI_TIMEOUT_MS): Promise<Locator> {
  const message = agentMessages(page).filter({ hasText: pattern }).last();
  await message.waitFor({ timeout });
  return message;
}

/** The permission card titled `title`. */
export function permissionCard(page: Page, title: string | RegExp): Locator {
  return page.getByRole('region', { name: typeof title === 'string' ? `Permission request: ${title}` : title });
}
