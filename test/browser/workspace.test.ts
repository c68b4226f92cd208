/**
 * The workspace view in a real Chromium (issue #12): on a phone, a session's Workspace sheet shows the
 * branch and a file the test changed in a real git repository; a tap shows its diff in the approval
 * diff view; changes made afterwards appear live (in the open diff and in the list); the Files tab opens
 * a file. Also at desktop size; a view-only device is told plainly why it sees nothing. Screenshots go to
 * TETHER_SCREENSHOTS when set (screenshotPath).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium, PHONE_CONTEXT, screenshotPath } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { makeRepo } from '../helpers/git-repo.js';
import { UI_TIMEOUT_MS } from '../helpers/terminal-page.js';
import { waitForConversation } from '../helpers/conversation-page.js';
import { removeStateDirs, startTrustHost } from '../helpers/trust-host.js';


/** Opens the Workspace sheet of the session shown on `page`. */
async function openWorkspace(page: Page): Promise<ReturnType<Page['getByRole']>> {
  // The button comes with the session's view, after its first sync: if it never comes, say what the page shows.
  await page
    .getByRole('button', { name: 'Workspace' })
    .click({ timeout: 30_000 })
    .catch(async (err: unknown) => {
      const state = await page
        .evaluate(
          "JSON.stringify({ url: location.pathname, state: window.__tether && window.__tether.client.state, error: window.__tether && window.__tether.client.error && window.__tether.client.error.code, text: document.body.innerText.slice(0, 300) })",
        )
        .catch((e: unknown) => `(page not readable: ${(e as Error).message.split('\n')[0]})`);
      throw new Error(`no Workspace button: ${(err as Error).message.split('\n')[0]}; the page: ${String(state)}`);
    });
  const sheet = page.getByRole('dialog', { name: 'Workspace' });
  await sheet.waitFor({ timeout: UI_TIMEOUT_MS });
  return sheet;
}

describe('browser: the workspace of a session', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let repo = '';
  let url = '';

  before(async () => {
    repo = makeRepo('tether-ws-browser-');
    writeFileSync(join(repo, 'README.md'), '# test repo\nA line the agent added.\n');
    mkdirSync(join(repo, 'src'));
    writeFileSync(join(repo, 'src', 'app.ts'), 'export const answer = 42;\n');
    cli = startCli(['remote-control', 'ws', '--json', '--local', '--port', '0', '--agent', SCRIPTED_AGENT], {}, repo);
    url = String((await cli.event('ready', 30_000)).url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await cli?.stop();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('on a phone: changed files, a diff, live changes, and the file browser', async () => {
    const page = await (await browser!.newContext(PHONE_CONTEXT)).newPage();
    await page.goto(url);
    await waitForConversation(page);
    const sheet = await openWorkspace(page);
    await sheet.getByRole('status').filter({ hasText: 'main' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const readme = sheet.getByRole('button', { name: /README\.md ?, modified, not staged/ });
    await readme.waitFor({ timeout: UI_TIMEOUT_MS });
    await sheet.getByRole('button', { name: /src\/app\.ts ?, untracked/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.screenshot({ path: screenshotPath('workspace-changes-390.png') });

    await readme.click();
    const diff = sheet.getByRole('figure', { name: 'Changes to README.md' });
    await diff.locator('ins', { hasText: 'A line the agent added.' }).waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await diff.locator('.diff-same', { hasText: '# test repo' }).count(), 1);
    await page.screenshot({ path: screenshotPath('workspace-diff-390.png') });

    // The agent keeps working: the open diff follows.
    appendFileSync(join(repo, 'README.md'), 'Written while the diff was open.\n');
    await diff.locator('ins', { hasText: 'Written while the diff was open.' }).waitFor({ timeout: UI_TIMEOUT_MS });

    // ...and so does the list.
    await sheet.getByRole('button', { name: 'All changes' }).click();
    writeFileSync(join(repo, 'later.txt'), 'made later\n');
    await sheet.getByRole('button', { name: /later\.txt ?, untracked/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    await sheet.getByRole('status').filter({ hasText: '3 changed files' }).waitFor({ timeout: UI_TIMEOUT_MS });

    // The file browser: into a folder, open a file.
    await sheet.getByRole('tab', { name: 'Files' }).click();
    await sheet.getByRole('button', { name: /^src\/ ?, folder$/ }).click();
    await sheet.getByRole('button', { name: /app\.ts ?, file/ }).click();
    const text = sheet.getByLabel('Text of app.ts');
    await text.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await text.textContent(), 'export const answer = 42;\n');
    await page.screenshot({ path: screenshotPath('workspace-file-390.png') });

    // Every control of the sheet is at least 44 px tall.
    const small = await sheet.locator('button').evaluateAll((buttons) =>
      buttons.filter((b) => (b as HTMLElement).offsetParent !== null && b.getBoundingClientRect().height < 44).map((b) => b.textContent),
    );
    assert.deepEqual(small, []);
    await page.close();
  });

  it('at desktop size', async () => {
    const page = await (await browser!.newContext(DESKTOP_CONTEXT)).newPage();
    await page.goto(url);
    await waitForConversation(page);
    const sheet = await openWorkspace(page);
    await sheet.getByRole('button', { name: /README\.md ?, modified/ }).click();
    await sheet.getByRole('figure', { name: 'Changes to README.md' }).locator('ins').first().waitFor({ timeout: UI_TIMEOUT_MS });
    await page.screenshot({ path: screenshotPath('workspace-diff-1280.png') });
    await page.close();
  });

  it('a view-only device is told why it cannot see the files', async () => {
    const host = await startTrustHost([], ['--agent', SCRIPTED_AGENT], undefined, repo);
    try {
      const page = await (await browser!.newContext(PHONE_CONTEXT)).newPage();
      await page.goto(host.server.newLink('view'));
      const session = page.getByRole('link', { name: 'trust', exact: true });
      await session.waitFor({ timeout: UI_TIMEOUT_MS });
      await session.click();
      const sheet = await openWorkspace(page);
      await sheet.getByText(/Only the owner's devices can see this session's files/).first().waitFor({ timeout: UI_TIMEOUT_MS });
      assert.equal(await sheet.getByRole('button', { name: /README\.md/ }).count(), 0);
      await page.screenshot({ path: screenshotPath('workspace-view-only-390.png') });
      await page.close();
    } finally {
      await host.close();
      removeStateDirs();
    }
  });
});
