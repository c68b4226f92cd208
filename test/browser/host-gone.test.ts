/**
 * What a phone shows when the computer goes away (issue #12, "Host gone, page unaware"): the real CLI in
 * server mode is frozen (SIGSTOP: no answer, no close) or killed while a phone has the session list and
 * a conversation open. Within 3 s each page says so in plain words, disables what cannot work and offers
 * Retry; a session started just before the computer froze times out with a message instead of spinning.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { makeRepo } from '../helpers/git-repo.js';
import { UI_TIMEOUT_MS, waitForLive } from '../helpers/terminal-page.js';
import { waitForConversation } from '../helpers/conversation-page.js';

const UNREACHABLE = /Can't reach your computer — is tether still running\?/;

describe('browser: the computer goes away', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let repo = '';
  let list: Page;
  let chat: Page;

  before(async () => {
    repo = makeRepo();
    cli = startCli(['remote-control', 'gone', '--json', '--local', '--port', '0', '--agent', SCRIPTED_AGENT], {}, repo);
    const ready = await cli.event('ready', 30_000);
    browser = await launchChromium();
    const context = await browser.newContext(PHONE_CONTEXT);
    list = await context.newPage();
    await list.goto(String(ready.serverUrl));
    await waitForLive(list);
    chat = await context.newPage();
    await chat.goto(String(ready.url));
    await waitForConversation(chat);
  });

  after(async () => {
    await browser?.close();
    if (cli && cli.child.exitCode === null) {
      cli.child.kill('SIGCONT');
      cli.kill();
      await cli.exited;
    }
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('a start that gets no answer ends with a message, not a spinner', async () => {
    await list.getByRole('button', { name: 'New session' }).click();
    const form = list.getByRole('form', { name: 'New session' });
    await form.getByRole('textbox', { name: 'Name' }).fill('never');
    cli!.child.kill('SIGSTOP');
    // Enter in the focused Name field submits at once: a click first waits for the button to be stable
    // and hit-testable, which on a loaded machine took long enough for the page to notice the frozen
    // host and disable Start before the click landed.
    await list.keyboard.press('Enter');
    await form.getByText(/Your computer did not answer/).waitFor({ timeout: 20_000 });
    await form.getByRole('button', { name: 'Start' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await list.keyboard.press('Escape');
  });

  it('within 3 s of losing the computer, both pages say so, disable what cannot work and offer Retry', async () => {
    cli!.child.kill('SIGCONT');
    await waitForLive(list);
    await waitForLive(chat);
    const lost = Date.now();
    cli!.child.kill('SIGKILL');
    await Promise.all([list, chat].map((page) => page.getByText(UNREACHABLE).first().waitFor({ timeout: 3000 + 500 })));
    const took = Date.now() - lost;
    assert.ok(took <= 3500, `the pages said it after ${took} ms`);
    for (const page of [list, chat]) {
      assert.equal(await page.getByRole('button', { name: 'Retry' }).isVisible(), true, 'Retry is offered');
      assert.doesNotMatch(await page.locator('body').innerText(), /signal server|SIGNAL_UNREACHABLE/, 'no jargon');
    }
    assert.equal(await list.getByRole('button', { name: 'New session' }).isDisabled(), true, 'New session waits for the computer');
    const card = list.getByRole('list', { name: 'Sessions' }).getByRole('listitem').first();
    assert.equal(await card.getByRole('button', { name: /^Rename/ }).isDisabled(), true, 'Rename waits for the computer');
    assert.equal(await card.getByRole('button', { name: /^End/ }).isDisabled(), true, 'End waits for the computer');
    // Retry tries at once (and keeps saying what is wrong while the computer is still gone).
    await list.getByRole('button', { name: 'Retry' }).click();
    await list.getByText(UNREACHABLE).first().waitFor({ timeout: UI_TIMEOUT_MS });
  });
});
