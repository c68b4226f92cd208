/**
 * The session list (a server's link) against the real CLI in server mode, in a real git repository,
 * with the scripted ACP agent: a phone starts a session from the list and it shows up live on a
 * desktop page too; the phone opens it, talks to it and comes back (the browser's back, or the
 * session's own link to the list); a session waiting for approval
 * stands out; rename, end (its worktree with uncommitted changes removed only once confirmed), an
 * ended session still readable, remove, and the capacity refusal.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { makeRepo } from '../helpers/git-repo.js';
import { UI_TIMEOUT_MS, waitForLive } from '../helpers/terminal-page.js';
import { permissionCard, sendPrompt, waitForAgentStatus, waitForAgentText, waitForConversation } from '../helpers/conversation-page.js';
import { waitFor } from '../helpers/wait-for.js';

/** Screenshots go here when TETHER_SCREENSHOTS names a folder. */
const SHOTS = process.env.TETHER_SCREENSHOTS;

/** The device names the pages' user agents give (see client/web/device-name.ts). */
const PHONE_NAME = 'Chrome on Android';

/** The card of the session named `name` (its link is named by the session's name). */
function card(page: Page, name: string): Locator {
  return page.getByRole('list', { name: 'Sessions' }).getByRole('listitem').filter({ has: page.getByRole('link', { name, exact: true }) });
}

/** Waits until the card of `name` shows the state label `state`. */
async function waitForState(page: Page, name: string, state: string): Promise<void> {
  const pill = card(page, name).locator('.state-pill');
  try {
    await pill.filter({ hasText: new RegExp(`^${state}$`) }).waitFor({ timeout: UI_TIMEOUT_MS });
  } catch (err) {
    throw new Error(`"${name}" is not "${state}"; it shows ${JSON.stringify(await pill.allInnerTexts())}`, { cause: err });
  }
}

/** The session names in the order the list shows them. */
async function shownNames(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Sessions' }).locator('.card-link').allInnerTexts();
}

/** Opens the New session sheet, fills it and presses Start. */
async function startFromList(page: Page, fields: { name: string; agent?: string; where?: 'Same folder' | 'Own worktree' }): Promise<Locator> {
  await page.getByRole('button', { name: 'New session' }).click();
  const form = page.getByRole('form', { name: 'New session' });
  await form.waitFor({ timeout: UI_TIMEOUT_MS });
  if (fields.agent) await form.getByRole('combobox', { name: 'Agent' }).selectOption(fields.agent);
  await form.getByRole('textbox', { name: 'Name' }).fill(fields.name);
  if (fields.where) await form.getByRole('radio', { name: fields.where }).check();
  await form.getByRole('button', { name: 'Start' }).click();
  return form;
}

/** A started session opens at once: back to the list through its top bar. */
async function backToList(page: Page): Promise<void> {
  await waitForConversation(page);
  await page.getByRole('link', { name: 'All sessions' }).click();
  await waitForLive(page);
}

describe('browser: the session list of a server', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let repo = '';
  let serverUrl: string;
  let phone: Page;
  let desktop: Page;
  const pageErrors: string[] = [];

  const shot = async (name: string, pages: Record<string, Page>): Promise<void> => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    for (const [size, page] of Object.entries(pages)) await page.screenshot({ path: join(SHOTS, `${name}-${size}.png`) });
  };

  const newPage = async (context: typeof PHONE_CONTEXT): Promise<Page> => {
    const page = await (await browser!.newContext(context)).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return page;
  };

  before(async () => {
    repo = makeRepo();
    // The CLI works in the folder it starts in: start it inside the repository.
    cli = startCli(['remote-control', 'lab', '--json', '--local', '--port', '0', '--capacity', '3', '--agent', SCRIPTED_AGENT], {}, repo);
    const ready = await cli.event('ready', 30_000);
    serverUrl = String(ready.serverUrl);
    browser = await launchChromium();
    phone = await newPage(PHONE_CONTEXT);
    desktop = await newPage(DESKTOP_CONTEXT);
  });

  after(async () => {
    await browser?.close();
    // Let the server stop its sessions (whole process groups) before the folder goes.
    await cli?.stop();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('the server link opens the list: the startup session, capacity and spawn mode, on a phone and a desktop', async () => {
    await Promise.all([phone.goto(serverUrl), desktop.goto(serverUrl)]);
    for (const page of [phone, desktop]) {
      await waitForLive(page);
      await waitForState(page, 'lab', 'Idle');
      await page.locator('.chip-capacity', { hasText: /^Capacity 1\/3$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.locator('.chip-spawn', { hasText: /^Same folder$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
      assert.equal(await page.locator('.session-name').innerText(), 'lab');
      assert.match(await card(page, 'lab').innerText(), /acp/);
    }
    // The session link is on this origin; the list's own link token opens every session of this host.
    const href = await card(phone, 'lab').getByRole('link').getAttribute('href');
    assert.match(String(href), new RegExp(`^${new URL(serverUrl).origin}/s/[^/#]+#.+$`));
    assert.equal(href!.split('#')[1], serverUrl.split('#')[1]);
    // Phone first: New session is docked at the bottom, within thumb reach, and nothing scrolls sideways.
    const box = await phone.getByRole('button', { name: 'New session' }).boundingBox();
    assert.ok(box && box.y > 844 * 0.8 && box.height >= 44, `New session at the bottom: ${JSON.stringify(box)}`);
    // A string expression: tsx would otherwise inject helpers the page does not have.
    // The sheet on a desktop: centred; Escape closes it.
    await desktop.getByRole('button', { name: 'New session' }).click();
    await desktop.getByRole('form', { name: 'New session' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await shot('new-session-sheet', { desktop });
    await desktop.keyboard.press('Escape');
    await desktop.getByRole('form', { name: 'New session' }).waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    const widths = (await phone.evaluate('({ viewport: window.innerWidth, scroll: document.documentElement.scrollWidth })')) as { viewport: number; scroll: number };
    assert.ok(widths.scroll <= widths.viewport, `no horizontal scroll: ${JSON.stringify(widths)}`);
  });

  it('New session on the phone (agent, name, own worktree) opens on the phone and shows up live on both lists', async () => {
    await phone.getByRole('button', { name: 'New session' }).click();
    const form = phone.getByRole('form', { name: 'New session' });
    await form.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await form.getByRole('combobox', { name: 'Agent' }).inputValue(), 'acp', 'the server\'s default agent is chosen');
    assert.equal(await form.getByRole('radio', { name: 'Same folder' }).isChecked(), true, 'the default follows the spawn mode');
    await form.getByRole('combobox', { name: 'Agent' }).selectOption('acp');
    await form.getByRole('textbox', { name: 'Name' }).fill('phone-task');
    await form.getByRole('radio', { name: 'Own worktree' }).check();
    await form.getByText('New branch tether/phone-task').waitFor({ timeout: UI_TIMEOUT_MS });
    await shot('new-session-sheet', { phone });
    await form.getByRole('button', { name: 'Start' }).click();

    // The phone goes straight into the session it started (one tap, not three); its top bar leads back.
    await phone.waitForURL((u) => u.pathname !== new URL(serverUrl).pathname, { timeout: UI_TIMEOUT_MS });
    await backToList(phone);
    for (const page of [phone, desktop]) {
      await card(page, 'phone-task').waitFor({ timeout: UI_TIMEOUT_MS });
      await card(page, 'phone-task').getByText('tether/phone-task').waitFor({ timeout: UI_TIMEOUT_MS });
      await waitForState(page, 'phone-task', 'Idle');
      await page.locator('.chip-capacity', { hasText: /^Capacity 2\/3$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    assert.deepEqual(await shownNames(desktop), ['lab', 'phone-task']);
    assert.ok(existsSync(join(repo, '.tether', 'worktrees', 'phone-task')), 'its worktree exists');
    const started = cli!.events.filter((e) => e.event === 'session-started').map((e) => e.name);
    assert.deepEqual(started, ['lab', 'phone-task']);
  });

  it('tapping a session opens it in the same tab; back on the list it is idle, and the desktop saw the phone in it', async () => {
    await card(phone, 'phone-task').getByRole('link').click();
    await phone.waitForURL(/\/s\/[^/#]+#/, { timeout: UI_TIMEOUT_MS });
    await waitForConversation(phone);
    await sendPrompt(phone, 'echo hi');
    await waitForAgentText(phone, /^You said: hi$/);
    await waitForAgentStatus(phone, 'Idle');
    await card(desktop, 'phone-task').getByText(`1 device · ${PHONE_NAME}`).waitFor({ timeout: UI_TIMEOUT_MS });

    await phone.goBack();
    await waitForLive(phone);
    await waitForState(phone, 'phone-task', 'Idle');
    await card(phone, 'phone-task').locator('.card-when', { hasText: 'just now' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await card(desktop, 'phone-task').getByText('No devices').waitFor({ timeout: UI_TIMEOUT_MS });

    // Without the browser's back (a phone in full-screen mode): the session's top bar links back to the list.
    await card(phone, 'lab').getByRole('link').click();
    await waitForConversation(phone);
    await shot('session-from-list', { phone });
    await phone.getByRole('link', { name: 'All sessions' }).click();
    await waitForLive(phone);
    await waitForState(phone, 'lab', 'Idle');
    assert.equal(new URL(phone.url()).pathname, new URL(serverUrl).pathname);
  });

  it('ending a session in its own worktree: confirm, the worktree with uncommitted changes is removed only when confirmed again; it stays readable', async () => {
    await startFromList(desktop, { name: 'scratch', where: 'Own worktree' });
    await backToList(desktop);
    await card(phone, 'scratch').waitFor({ timeout: UI_TIMEOUT_MS });
    await waitForState(desktop, 'scratch', 'Idle');
    const worktree = join(repo, '.tether', 'worktrees', 'scratch');
    writeFileSync(join(worktree, 'notes.txt'), 'work in progress\n');

    await phone.getByRole('button', { name: 'End scratch' }).click();
    const dialog = phone.getByRole('dialog', { name: 'End scratch?' });
    await dialog.waitFor({ timeout: UI_TIMEOUT_MS });
    await dialog.getByRole('checkbox', { name: /Also remove its worktree \(tether\/scratch\)/ }).check();
    await shot('end-confirm', { phone });
    await dialog.getByRole('button', { name: 'End session' }).click();
    const again = phone.getByRole('dialog', { name: 'Uncommitted changes' });
    await again.getByText('has uncommitted changes. Remove it anyway?').waitFor({ timeout: UI_TIMEOUT_MS });
    await shot('end-dirty', { phone });
    assert.ok(existsSync(join(worktree, 'notes.txt')), 'nothing removed before the second answer');
    await waitForState(desktop, 'scratch', 'Idle');
    await again.getByRole('button', { name: 'Remove anyway' }).click();
    await again.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });

    for (const page of [phone, desktop]) {
      await waitForState(page, 'scratch', 'Ended');
      // Why it ended: the host records who ended it (this device, by name).
      await card(page, 'scratch').locator('.card-reason', { hasText: /^Ended by .+\.$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
      await card(page, 'scratch').getByText('tether/scratch (worktree removed)').waitFor({ timeout: UI_TIMEOUT_MS });
      await card(page, 'scratch').getByRole('button', { name: 'Remove scratch' }).waitFor({ timeout: UI_TIMEOUT_MS });
      assert.equal(await card(page, 'scratch').getByRole('button', { name: 'End scratch' }).count(), 0);
    }
    assert.equal(existsSync(worktree), false, 'worktree removed');
    assert.deepEqual(await shownNames(phone), ['lab', 'phone-task', 'scratch'], 'ended sessions come last');

    // Still readable: it opens, and says it ended.
    const reader = await newPage(DESKTOP_CONTEXT);
    await reader.goto(String(await card(desktop, 'scratch').getByRole('link').getAttribute('href')));
    await waitForAgentStatus(reader, 'Ended');
    // Not opened from a list in this tab: the way back is still the computer's list (the host names it).
    const back = await reader.getByRole('link', { name: 'All sessions' }).getAttribute('href');
    assert.equal(new URL(back ?? '', reader.url()).pathname, new URL(serverUrl).pathname);
    await reader.close();
  });

  it('a session waiting for approval stands out on the other page, first in the list', async () => {
    const worker = await newPage(DESKTOP_CONTEXT);
    await worker.goto(String(await card(desktop, 'phone-task').getByRole('link').getAttribute('href')));
    await waitForConversation(worker);
    await sendPrompt(worker, 'permission');
    await permissionCard(worker, /Permission request/).first().waitFor({ timeout: UI_TIMEOUT_MS });

    for (const page of [phone, desktop]) {
      await waitForState(page, 'phone-task', 'Waiting for approval');
      await page.locator('.chip-approval', { hasText: /^1 waiting for approval$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
      assert.deepEqual(await shownNames(page), ['phone-task', 'lab', 'scratch'], 'waiting for approval comes first');
      assert.equal(await card(page, 'phone-task').getAttribute('data-state'), 'awaiting-permission');
      await waitFor(async () => (await page.title()).startsWith('(1) '), UI_TIMEOUT_MS, 'the tab title counts approvals');
    }
    await shot('list', { phone, desktop });

    await permissionCard(worker, /Permission request/).first().getByRole('button', { name: 'Allow once' }).click();
    for (const page of [phone, desktop]) {
      await waitForState(page, 'phone-task', 'Idle');
      await page.locator('.chip-approval').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    }
    assert.deepEqual(await shownNames(phone), ['lab', 'phone-task', 'scratch']);
    await worker.close();
  });

  it('rename inline: a taken name is refused with the reason, a free one shows everywhere', async () => {
    await phone.getByRole('button', { name: 'Rename phone-task' }).click();
    const editor = phone.getByRole('form', { name: 'Rename phone-task' });
    const input = editor.getByRole('textbox', { name: 'New name for phone-task' });
    assert.equal(await input.inputValue(), 'phone-task');
    await input.fill('lab');
    await input.press('Enter');
    await editor.getByRole('alert').getByText('Another session already has that name.').waitFor({ timeout: UI_TIMEOUT_MS });
    await shot('rename', { phone });
    await input.fill('phone-renamed');
    await editor.getByRole('button', { name: 'Save' }).click();
    for (const page of [phone, desktop]) await waitForState(page, 'phone-renamed', 'Idle');
    assert.equal(await phone.getByRole('textbox', { name: /New name for/ }).count(), 0, 'the editor closed');
    assert.equal(await phone.getByRole('button', { name: 'Rename phone-renamed' }).isVisible(), true);
  });

  it('remove an ended session: it leaves every list', async () => {
    await desktop.getByRole('button', { name: 'Remove scratch' }).click();
    for (const page of [phone, desktop]) await card(page, 'scratch').waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    await waitFor(() => cli!.events.some((e) => e.event === 'session-removed'), UI_TIMEOUT_MS, 'session-removed event');
  });

  it('at capacity, starting another is refused on the sheet with "capacity reached (n/N)", and nothing is added', async () => {
    await startFromList(phone, { name: 'third' });
    await backToList(phone);
    await waitForState(desktop, 'third', 'Idle');
    await phone.locator('.chip-capacity', { hasText: /^Capacity 3\/3$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    const form = await startFromList(phone, { name: 'fourth' });
    await form.getByRole('alert').getByText('Capacity reached (3/3)').waitFor({ timeout: UI_TIMEOUT_MS });
    await shot('capacity', { phone });
    assert.equal(await form.isVisible(), true, 'the sheet stays open with the reason');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await form.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    assert.deepEqual(await shownNames(desktop), ['lab', 'phone-renamed', 'third']);
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });
});
