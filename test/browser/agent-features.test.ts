/**
 * What agents offer, on a phone-size page and a desktop page against the real CLI and the scripted
 * agent: the slash command list in the prompt box, settings pickers that follow each other live,
 * context and cost, a question answered on the phone, a prompt image every device sees, a command's
 * output in its tool card; and on the session list: an agent that is not installed, resuming an
 * earlier session with its history, and the login card of an agent that needs a login. A device the
 * owner made view-only sees the question, the settings and the usage but gets no control to act on them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { SCRIPTED_AGENT, SCRIPTED_AGENT_ARGV } from '../helpers/scripted-agent-command.js';
import { UI_TIMEOUT_MS, waitForLive } from '../helpers/terminal-page.js';
import { sendPrompt, waitForAgentText, waitForConversation } from '../helpers/conversation-page.js';
import { waitFor } from '../helpers/wait-for.js';
import { packageRoot } from '../../host/package-paths.js';

/** Screenshots go here when TETHER_SCREENSHOTS names a folder. */
const SHOTS = process.env.TETHER_SCREENSHOTS;

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('browser: commands, settings, questions, usage, logins and resume', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let phone: Page;
  let desktop: Page;
  let serverUrl: string;
  let sessionUrl: string;
  let stateDir: string;
  const pageErrors: string[] = [];
  const shot = async (page: Page, name: string): Promise<void> => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };

  before(async () => {
    const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-agent-features-')));
    const config = join(folder, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        presets: {
          locked: { command: [...SCRIPTED_AGENT_ARGV, '--auth'], login: 'type ok in the login terminal' },
          missing: { command: ['no-such-agent-for-tether-tests'], install: 'install it with: npm install -g no-such-agent' },
        },
      }),
    );
    stateDir = join(folder, 'state');
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--config', config, '--agent', SCRIPTED_AGENT], { SCRIPTED_AGENT_HOME: join(folder, 'agent-home'), TETHER_STATE_DIR: stateDir }, folder);
    const ready = await cli.event('ready');
    serverUrl = String(ready.serverUrl);
    sessionUrl = String(ready.url);
    browser = await launchChromium();
    phone = await (await browser.newContext(PHONE_CONTEXT)).newPage();
    desktop = await (await browser.newContext(DESKTOP_CONTEXT)).newPage();
    for (const page of [phone, desktop]) page.on('pageerror', (err) => pageErrors.push(err.message));
    await Promise.all([phone, desktop].map((page) => page.goto(String(ready.url))));
    await Promise.all([phone, desktop].map((page) => waitForConversation(page)));
  });

  after(async () => {
    await browser?.close();
    cli?.kill();
    if (cli) await cli.exited;
  });

  it('typing / lists the agent\'s commands with descriptions and hints; choosing one inserts it', async () => {
    const box = phone.getByRole('textbox', { name: 'Message' });
    await box.fill('/');
    const menu = phone.getByRole('listbox', { name: 'Agent commands' });
    await menu.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.deepEqual(await menu.getByRole('option').locator('.command-name').allInnerTexts(), ['/echo text to repeat', '/plan', '/ask', '/config']);
    assert.match(await menu.getByRole('option').first().innerText(), /Repeat the text back/);
    await box.pressSequentially('e');
    assert.equal(await menu.getByRole('option').count(), 1, 'filtered by what follows the slash');
    await shot(phone, 'slash-menu-phone');
    await menu.getByRole('option').first().click();
    assert.equal(await box.inputValue(), '/echo ');
    assert.equal(await menu.isVisible(), false);
    await box.pressSequentially('from the menu');
    await phone.getByRole('button', { name: 'Send' }).click();
    await waitForAgentText(desktop, /You said: from the menu/);
  });

  it('the model picker on one device changes the other live; context and cost show', async () => {
    const model = desktop.getByRole('combobox', { name: 'Model' });
    await model.selectOption('scripted-smart');
    await waitFor(async () => (await phone.getByRole('combobox', { name: 'Model' }).inputValue()) === 'scripted-smart', UI_TIMEOUT_MS, 'phone shows the new model');
    assert.deepEqual(await phone.getByRole('combobox', { name: 'Model' }).locator('optgroup').evaluateAll((gs) => gs.map((g) => (g as HTMLOptGroupElement).label)), ['Quick', 'Careful']);
    await phone.getByRole('switch', { name: 'Verbose' }).check();
    await waitFor(async () => desktop.getByRole('switch', { name: 'Verbose' }).isChecked(), UI_TIMEOUT_MS, 'desktop shows Verbose on');
    await sendPrompt(phone, 'usage 53000 200000 0.42 USD');
    await desktop.locator('.usage-chip', { hasText: '53k of 200k tokens (27%) · $0.42' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await shot(phone, 'settings-phone');
    const chip = await phone.locator('.usage-chip').boundingBox();
    assert.ok(chip && chip.x + chip.width <= 390, `the chip fits the phone: ${JSON.stringify(chip)}`);
  });

  it('a question is answered on the phone; the desktop shows who answered', async () => {
    await sendPrompt(desktop, 'ask');
    const card = phone.getByRole('region', { name: 'Question: What should the scripted agent use?' });
    await card.waitFor({ timeout: UI_TIMEOUT_MS });
    await card.getByRole('button', { name: 'Send answer' }).click();
    await card.getByRole('alert').filter({ hasText: 'Name: required' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await shot(phone, 'question-phone');
    await card.getByLabel('Name').fill('Ada');
    await card.getByLabel('Color').selectOption('blue');
    await card.getByLabel('Agree').check();
    await card.getByRole('button', { name: 'Send answer' }).click();
    await waitForAgentText(desktop, /answer: accept \{"name":"Ada","color":"blue","count":2,"agree":true\}/);
    await desktop.getByRole('region', { name: /^Question:/ }).filter({ hasText: 'Answered — by Chrome on Android' }).waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it('a pasted image shows on the other device; a command\'s output shows in its tool card', async () => {
    await phone.locator('input[type=file]').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    await phone.locator('.attachment-thumb').waitFor({ timeout: UI_TIMEOUT_MS });
    await sendPrompt(phone, 'image');
    await waitForAgentText(desktop, /images: 1 image\/png/);
    const img = desktop.getByRole('img', { name: 'Image 1 of the prompt' }).last();
    await img.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.match(String(await img.getAttribute('src')), /^data:image\/png;base64,iVBOR/);

    await sendPrompt(desktop, 'term echo live-output-line; exit 0');
    await waitForAgentText(phone, /term: exit 0/);
    const tool = phone.locator('.entry.tool').last();
    if (!(await tool.evaluate((d) => (d as HTMLDetailsElement).open))) await tool.locator('summary').click();
    await tool.locator('.tool-terminal-output', { hasText: 'live-output-line' }).waitFor({ timeout: UI_TIMEOUT_MS });
    assert.match(await tool.locator('.tool-terminal-head').innerText(), /exited with code 0/);
  });

  it('the New-session sheet marks an agent that is not installed and cannot start it', async () => {
    await phone.goto(serverUrl);
    await waitForLive(phone);
    await phone.getByRole('button', { name: 'New session' }).click();
    const form = phone.getByRole('form', { name: 'New session' });
    const agent = form.getByRole('combobox', { name: 'Agent' });
    assert.ok((await agent.locator('option').allInnerTexts()).includes('missing — not installed'));
    await agent.selectOption('missing');
    await form.getByText('Not installed on the host — install it with: npm install -g no-such-agent').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await form.getByRole('button', { name: 'Start' }).isDisabled(), true);
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it('resume: the sheet lists the agent\'s earlier sessions; the resumed one shows its history', async () => {
    await phone.getByRole('button', { name: 'New session' }).click();
    const form = phone.getByRole('form', { name: 'New session' });
    await form.getByRole('combobox', { name: 'Agent' }).selectOption('acp');
    await form.getByRole('button', { name: 'Resume an earlier session…' }).click();
    const start = form.getByRole('group', { name: 'Start from' });
    await waitFor(async () => (await start.getByRole('radio').count()) >= 2, UI_TIMEOUT_MS, 'earlier sessions listed');
    assert.equal(await start.getByRole('radio', { name: /New conversation/ }).isChecked(), true, 'a new conversation unless one is chosen');
    await start.getByRole('radio').nth(1).check();
    await shot(phone, 'resume-sheet-phone');
    assert.equal(await form.getByRole('radio', { name: 'Own worktree' }).isDisabled(), true, 'a resumed session works where it was');
    await form.getByRole('button', { name: 'Start' }).click();
    await form.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    // A session started from the list opens at once.
    await waitForConversation(phone);
    await phone.locator('.entry.user', { hasText: 'earlier session' }).filter({ hasText: '/echo from the menu' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await waitForAgentText(phone, /You said: from the menu/);
  });

  it('an agent that needs a login: the card names its methods and starts the login program', async () => {
    await phone.goto(serverUrl);
    await waitForLive(phone);
    await phone.getByRole('button', { name: 'New session' }).click();
    const form = phone.getByRole('form', { name: 'New session' });
    await form.getByRole('combobox', { name: 'Agent' }).selectOption('locked');
    await form.getByRole('textbox', { name: 'Name' }).fill('locked-one');
    await form.getByRole('button', { name: 'Start' }).click();
    await form.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    const card = phone.getByRole('region', { name: 'Login needed' });
    await card.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.match(await card.innerText(), /Scripted Agent needs a login/);
    assert.deepEqual(await card.locator('.login-method-name').allInnerTexts(), ['Use SCRIPTED_API_KEY', 'Log in to Scripted', 'Log in with a browser']);
    assert.match(await card.innerText(), /On the host: type ok in the login terminal/);
    await shot(phone, 'login-card-phone');
    await card.getByRole('button', { name: 'Run the login program: Log in to Scripted' }).click();
    const link = card.getByRole('link', { name: 'Open the login terminal' });
    await link.waitFor({ timeout: UI_TIMEOUT_MS });
    await link.click();
    await waitForLive(phone);
    await phone.locator('.xterm-rows', { hasText: 'Type the code' }).waitFor({ timeout: UI_TIMEOUT_MS });
    assert.deepEqual(pageErrors, []);
  });

  it('a view-only device sees the question, the settings and the usage, with no control to act on them', async () => {
    const joined = cli!.events.filter((e) => e.event === 'device-joined' && e.kind === 'browser' && !/Android/.test(String(e.name)));
    const deviceId = String(joined.at(-1)!.deviceId);
    execFileSync(process.execPath, [join(packageRoot(), 'bin', 'tether.js'), 'devices', 'role', deviceId, 'view'], { env: { ...process.env, TETHER_STATE_DIR: stateDir }, timeout: 20_000 });
    await desktop.waitForFunction('document.documentElement.dataset.role === "view"', undefined, { timeout: UI_TIMEOUT_MS });
    await phone.goto(sessionUrl);
    await waitForConversation(phone);
    await sendPrompt(phone, 'ask');
    const card = desktop.getByRole('region', { name: 'Question: What should the scripted agent use?' }).last();
    await card.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await card.getByRole('button', { name: 'Send answer' }).isVisible(), false, 'no Send answer');
    assert.equal(await card.getByRole('button', { name: 'Decline' }).isVisible(), false, 'no Decline');
    assert.equal(await desktop.getByRole('combobox', { name: 'Model' }).isVisible(), false, 'no model picker');
    assert.equal(await desktop.getByRole('switch', { name: 'Verbose' }).isVisible(), false, 'no switch');
    assert.equal(await desktop.locator('.usage-chip').isVisible(), true, 'the usage still shows');
    await shot(desktop, 'view-only-question-desktop');
    const mine = phone.getByRole('region', { name: 'Question: What should the scripted agent use?' }).last();
    await mine.getByRole('button', { name: 'Decline' }).click();
    await waitForAgentText(phone, /answer: decline/);
    assert.deepEqual(pageErrors, []);
  });
});
