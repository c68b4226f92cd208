/**
 * A page keeps its replica: with the host killed, a page opened again (from cold, the signal server
 * still serving the app) shows the conversation as last synced and says it is offline; a prompt typed
 * then waits in a visible outbox, in two tabs at once; when the host is started again in its folder the
 * prompt is sent, the interrupted session is resumed from the page, and the prompt lands exactly once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { freshStateDir } from '../helpers/state-dir.js';
import { UI_TIMEOUT_MS, waitForLive } from '../helpers/terminal-page.js';
import { sendPrompt, waitForAgentText, waitForConversation } from '../helpers/conversation-page.js';
import { waitUntilStoredDoc } from '../helpers/stored-doc.js';
import { conversationDocView } from '../../protocol/conversation-doc.js';

const processes: CliHost[] = [];
let browser: Browser;
let context: BrowserContext;

before(async () => {
  browser = await launchChromium();
  context = await browser.newContext(DESKTOP_CONTEXT);
});

after(async () => {
  await browser?.close();
  for (const p of processes) p.kill();
});

test('offline, a page shows the last synced conversation and queues a prompt that lands exactly once', async () => {
  const signal = startCli(['signal', '--json', '--local', '--port', '0', '--log-level', 'warn']);
  processes.push(signal);
  const port = Number((await signal.event('ready')).port);
  const stateDir = freshStateDir();
  const folder = mkdtempSync(join(tmpdir(), 'tether-offline-'));
  const args = ['remote-control', '--json', '--signal', `http://127.0.0.1:${port}`, '--agent', SCRIPTED_AGENT, '--link-ttl', 'never'];
  const first = startCli(args, { TETHER_STATE_DIR: stateDir }, folder);
  processes.push(first);
  const ready = await first.event('ready', 30_000);
  const url = String(ready.url);

  const page = await context.newPage();
  await page.goto(url);
  await waitForConversation(page, 30_000);
  await sendPrompt(page, 'echo one');
  await waitForAgentText(page, /You said: one/);
  // The replica is stored from the host's updates as they came: nothing watches the document's updates,
  // which would make Yjs encode every applied update again (a long history's whole first sync).
  const updateWatchers = await page.evaluate(() => {
    const doc = (window as unknown as { __tether: { client: { doc: { _observers: Map<string, Set<unknown>> } } } }).__tether.client.doc;
    return doc._observers.get('update')?.size ?? 0;
  });
  assert.equal(updateWatchers, 0, 'something watches the replica\'s updates');

  // Killed only once the answer is stored: a host loses what it had not written yet (up to FLUSH_MS), and a
  // page that saw more then drops its replica for the host's, the answer with it.
  await waitUntilStoredDoc(stateDir, String(ready.sessionId), (doc) => doc !== null && JSON.stringify(conversationDocView(doc).entries.toJSON()).includes('You said: one'), 'the answer is stored');
  first.child.kill('SIGKILL');
  await first.exited;
  const status = page.getByRole('status').filter({ hasText: /Offline — last synced/ });
  await status.first().waitFor({ timeout: UI_TIMEOUT_MS });

  // Opened again while the host is down: the replica from IndexedDB, read only, marked offline.
  await page.reload();
  await waitForAgentText(page, /You said: one/);
  await status.first().waitFor({ timeout: UI_TIMEOUT_MS });
  const second = await context.newPage();
  await second.goto(url);
  await waitForAgentText(second, /You said: one/);

  await sendPrompt(page, 'echo two');
  const outbox = (p: typeof page) => p.getByRole('region', { name: 'Waiting to send' });
  await outbox(page).getByText('echo two').waitFor({ timeout: UI_TIMEOUT_MS });
  // The other tab sees the same outbox (IndexedDB), and will send the same prompt (same id).
  await outbox(second).getByText('echo two').waitFor({ timeout: UI_TIMEOUT_MS });

  const again = startCli(args, { TETHER_STATE_DIR: stateDir }, folder);
  processes.push(again);
  await again.event('ready', 30_000);
  await waitForLive(page, 30_000);
  await waitForLive(second, 30_000);
  await page.getByRole('button', { name: 'Resume' }).click({ timeout: UI_TIMEOUT_MS });
  await waitForAgentText(page, /You said: two/, 30_000);
  await waitForAgentText(second, /You said: two/, 30_000);
  await outbox(page).waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  await outbox(second).waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  // Exactly once, on both pages: one user message and one answer. The agent took its session back
  // (session/load): the history it replayed is not shown twice.
  await page.getByText('The host restarted; the agent took its session back.').waitFor({ timeout: UI_TIMEOUT_MS });
  for (const p of [page, second]) {
    assert.equal(await p.locator('.entry.user .user-text').filter({ hasText: /^echo two$/ }).count(), 1);
    assert.equal(await p.locator('.entry.agent').filter({ hasText: /You said: two/ }).count(), 1);
    assert.equal(await p.locator('.entry.user .user-text').filter({ hasText: /^echo one$/ }).count(), 1, 'the replayed history is not added again');
    assert.equal(await p.locator('.entry.agent').filter({ hasText: /You said: one/ }).count(), 1);
  }
});
