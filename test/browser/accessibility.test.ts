/**
 * Works for everyone (issue #12): axe-core finds no serious or critical WCAG 2.1 A/AA violation on the
 * session list (with an ended session and one waiting for approval), the conversation page (a prompt,
 * an answer and a waiting permission card), the terminal page and the workspace sheet (a diff, a file),
 * on a phone and on a desktop.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { makeRepo } from '../helpers/git-repo.js';
import { typeInTerminal, UI_TIMEOUT_MS, waitForLine, waitForLive } from '../helpers/terminal-page.js';
import { permissionCard, sendPrompt, waitForAgentStatus, waitForAgentText, waitForConversation } from '../helpers/conversation-page.js';

/** Screenshots of each checked page go here when TETHER_SCREENSHOTS names a folder. */
const SHOTS = process.env.TETHER_SCREENSHOTS;

/** The rule sets checked: WCAG 2.0 and 2.1, levels A and AA. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe on `page` and describes each serious or critical violation: rule, impact, where and why. */
async function blockingViolations(page: Page, what: string): Promise<string[]> {
  // Only violations are read: axe then records one node for each pass and incomplete result, not all.
  const results = await new AxeBuilder({ page }).withTags(TAGS).options({ resultTypes: ['violations'] }).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  return blocking.map((v) =>
    [
      `${what}: ${v.id} (${v.impact}, ${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'}): ${v.help}`,
      ...v.nodes.map((n) => `  ${n.target.join(' ')}\n    ${(n.failureSummary ?? '').replace(/\n/g, '\n    ')}`),
    ].join('\n'),
  );
}

/** Checks `name` on every page of `pages` and fails with all their serious or critical violations. */
async function assertAccessible(pages: Array<[string, Page]>, name: string): Promise<void> {
  const found = (await Promise.all(pages.map(([size, page]) => blockingViolations(page, `${name}, ${size}`)))).flat();
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    for (const [, page] of pages) await page.screenshot({ path: join(SHOTS, `a11y-${name.replace(/\W+/g, '-')}-${page.viewportSize()?.width}.png`) });
  }
  assert.equal(found.length, 0, `serious or critical accessibility violations:\n${found.join('\n')}`);
}

describe('browser: accessibility (axe-core, WCAG 2.1 A/AA) at phone and desktop sizes', () => {
  let server: CliHost | undefined;
  let shell: CliHost | undefined;
  let browser: Browser | undefined;
  let repo = '';
  let serverUrl = '';
  let shellUrl = '';
  let labUrl = '';
  let phone: Page;
  let desktop: Page;
  const both = (): Array<[string, Page]> => [
    ['phone 390×844', phone],
    ['desktop 1280×800', desktop],
  ];

  before(async () => {
    repo = makeRepo();
    server = startCli(['remote-control', 'lab', '--json', '--local', '--port', '0', '--agent', SCRIPTED_AGENT], {}, repo);
    shell = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
    const [ready, shellReady] = await Promise.all([server.event('ready', 30_000), shell.event('ready')]);
    serverUrl = String(ready.serverUrl);
    shellUrl = String(shellReady.url);
    browser = await launchChromium();
    phone = await (await browser.newContext(PHONE_CONTEXT)).newPage();
    desktop = await (await browser.newContext(DESKTOP_CONTEXT)).newPage();
  });

  after(async () => {
    await browser?.close();
    // The server stops its sessions before their folder goes.
    await Promise.all([shell?.stop(), server?.stop()]);
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('the conversation page with a prompt, an answer and a permission card waiting', async () => {
    await Promise.all([phone.goto(serverUrl), desktop.goto(serverUrl)]);
    await waitForLive(desktop);
    // A second session, ended, so the list shows an ended card.
    await desktop.getByRole('button', { name: 'New session' }).click();
    const form = desktop.getByRole('form', { name: 'New session' });
    await form.getByRole('textbox', { name: 'Name' }).fill('done');
    await form.getByRole('button', { name: 'Start' }).click();
    await waitForConversation(desktop);
    await desktop.getByRole('link', { name: 'All sessions' }).click();
    await waitForLive(desktop);
    await desktop.getByRole('button', { name: 'End done' }).click();
    await desktop.getByRole('dialog', { name: 'End done?' }).getByRole('button', { name: 'End session' }).click();

    // The startup session: a prompt, an answer, then a permission request left waiting.
    const lab = String(await desktop.getByRole('link', { name: 'lab', exact: true }).getAttribute('href'));
    labUrl = lab;
    await Promise.all([phone.goto(lab), desktop.goto(lab)]);
    await Promise.all([waitForConversation(phone), waitForConversation(desktop)]);
    await sendPrompt(desktop, 'echo hello there');
    await Promise.all([waitForAgentText(phone, /^You said: hello there$/), waitForAgentText(desktop, /^You said: hello there$/)]);
    await waitForAgentStatus(desktop, 'Idle');
    await sendPrompt(desktop, 'permission');
    for (const [, page] of both()) {
      await permissionCard(page, 'Do something risky').waitFor({ timeout: UI_TIMEOUT_MS });
      await waitForAgentStatus(page, 'Waiting for approval');
    }
    await assertAccessible(both(), 'conversation page');
  });

  it('the session list with an ended session and one waiting for approval', async () => {
    await Promise.all([phone.goto(serverUrl), desktop.goto(serverUrl)]);
    for (const [, page] of both()) {
      await waitForLive(page);
      await page.locator('.state-pill', { hasText: /^Ended$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.locator('.state-pill', { hasText: /^Waiting for approval$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    await assertAccessible(both(), 'session list');
  });

  it('the terminal page with output and its key row', async () => {
    await Promise.all([phone.goto(shellUrl), desktop.goto(shellUrl)]);
    for (const [, page] of both()) await waitForLive(page);
    await typeInTerminal(desktop, 'echo ready\n');
    await Promise.all([waitForLine(phone, /^ready$/), waitForLine(desktop, /^ready$/)]);
    // The terminal page offers the workspace too.
    for (const [, page] of both()) await page.getByRole('button', { name: 'Workspace' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await assertAccessible(both(), 'terminal page');
  });

  it('the workspace sheet: changed files, a diff, the file browser', async () => {
    writeFileSync(join(repo, 'README.md'), '# test repo\nchanged\n');
    await Promise.all([phone.goto(labUrl), desktop.goto(labUrl)]);
    for (const [, page] of both()) {
      await waitForLive(page);
      await page.getByRole('button', { name: 'Workspace' }).click();
      await page.getByRole('dialog', { name: 'Workspace' }).getByRole('button', { name: /README\.md/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    await assertAccessible(both(), 'workspace changes');
    for (const [, page] of both()) {
      await page.getByRole('dialog', { name: 'Workspace' }).getByRole('button', { name: /README\.md/ }).click();
      await page.getByRole('figure', { name: 'Changes to README.md' }).locator('ins').first().waitFor({ timeout: UI_TIMEOUT_MS });
    }
    await assertAccessible(both(), 'workspace diff');
    for (const [, page] of both()) {
      await page.getByRole('tab', { name: 'Files' }).click();
      await page.getByRole('button', { name: /README\.md ?, file/ }).click();
      await page.getByLabel('Text of README.md').waitFor({ timeout: UI_TIMEOUT_MS });
    }
    await assertAccessible(both(), 'workspace file');
  });
});
