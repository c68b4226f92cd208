/**
 * tether with the real codex-acp (npm, cached), no credentials, no prompt ever sent: without a key it
 * fails to start with a `--json` error and, from a phone, an ended card that both name its login
 * methods (ChatGPT, CODEX_API_KEY, OPENAI_API_KEY); with OPENAI_API_KEY set (a dummy) tether logs in
 * with it (`authenticate openai-api-key`), codex reaches session/new, and a phone page lists its slash
 * commands and its model and reasoning effort settings. Nothing of it keeps running afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { UI_TIMEOUT_MS, waitForLive } from '../helpers/terminal-page.js';
import { waitForConversation } from '../helpers/conversation-page.js';
import { waitFor } from '../helpers/wait-for.js';
import { agentEnv, agentProcesses, workFolder } from './agent-env.js';

const START_MS = 60_000;
const METHODS = ['Login with ChatGPT', 'Use CODEX_API_KEY', 'Use OPENAI_API_KEY'];
const running: CliHost[] = [];

describe('codex-acp, for real (no credentials, no prompt)', () => {
  let browser: Browser | undefined;
  let phone: Page;

  before(async () => {
    browser = await launchChromium();
    phone = await (await browser.newContext(PHONE_CONTEXT)).newPage();
  });
  after(async () => {
    await browser?.close();
    for (const c of running) c.kill();
  });

  it('without a key: a --json error that names its login methods; nothing is left running', async () => {
    const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', 'codex'], agentEnv(), workFolder(), true);
    running.push(cli);
    assert.equal(await cli.exited, 1, cli.stderr());
    const error = cli.events.find((e) => e.event === 'error') as { code?: string; message?: string; login?: { methods: Array<{ name: string; envVar: string | null }>; hint: string } } | undefined;
    assert.equal(error?.code, 'AGENT_LOGIN_REQUIRED', cli.stderr());
    assert.equal(error?.message, 'Codex needs a login (session/new: Authentication required)');
    assert.deepEqual(error?.login?.methods.map((m) => [m.name, m.envVar]), [[METHODS[0], null], [METHODS[1], 'CODEX_API_KEY'], [METHODS[2], 'OPENAI_API_KEY']]);
    assert.match(String(error?.login?.hint), /set OPENAI_API_KEY or CODEX_API_KEY/);
    assert.match(cli.stderr(), /Use OPENAI_API_KEY \(set OPENAI_API_KEY\)/);
    await waitFor(() => agentProcesses().length === 0, 5000, `no codex process left: ${agentProcesses().join('; ')}`);
  });

  it('started from a phone without a key: the card names its login methods and what to set; nothing is left running', async () => {
    const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--no-create-session-in-dir'], agentEnv(), workFolder(), true);
    running.push(cli);
    const ready = await cli.event('ready');
    await phone.goto(String(ready.serverUrl));
    await waitForLive(phone);
    await phone.getByRole('button', { name: 'New session' }).click();
    const form = phone.getByRole('form', { name: 'New session' });
    await form.getByRole('combobox', { name: 'Agent' }).selectOption('codex');
    await form.getByRole('button', { name: 'Start' }).click();
    await form.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    await phone.locator('.session-card[data-state="ended"]').waitFor({ timeout: START_MS });
    await phone.locator('.session-card').getByRole('link').click();
    const card = phone.getByRole('region', { name: 'Login needed' });
    await card.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.match(await card.innerText(), /Codex needs a login/);
    assert.deepEqual(await card.locator('.login-method-name').allInnerTexts(), METHODS);
    assert.match(await card.innerText(), /Set OPENAI_API_KEY on the host, then start a new session/);
    await waitFor(() => agentProcesses().length === 0, 5000, `no codex process left: ${agentProcesses().join('; ')}`);
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);
  });

  it('with OPENAI_API_KEY set (a dummy): it reaches session/new; a phone page lists its commands, models and reasoning effort', async () => {
    const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', 'codex', '--log-level', 'info'], agentEnv({ OPENAI_API_KEY: 'sk-tether-test-dummy' }), workFolder(), true);
    running.push(cli);
    const ready = await cli.event('ready', START_MS);
    assert.equal(ready.kind, 'conversation');
    assert.match(cli.stderr(), /authenticated with the preset variable/);
    await phone.goto(String(ready.url));
    await waitForConversation(phone, START_MS);
    const box = phone.getByRole('textbox', { name: 'Message' });
    await box.fill('/');
    const menu = phone.getByRole('listbox', { name: 'Agent commands' });
    await menu.waitFor({ timeout: UI_TIMEOUT_MS });
    const commands = await menu.getByRole('option').locator('.command-name').allInnerTexts();
    process.stdout.write(`# codex commands: ${commands.join(' ')}\n`);
    assert.equal(commands.length, 6, commands.join(' '));
    for (const name of ['/review', '/init', '/compact']) assert.ok(commands.some((c) => c.startsWith(name)), name);
    await box.fill('');
    const models = await phone.getByRole('combobox', { name: 'Model', exact: true }).locator('option').allInnerTexts();
    const efforts = await phone.getByRole('combobox', { name: 'Reasoning Effort' }).locator('option').allInnerTexts();
    process.stdout.write(`# codex models: ${models.join(' | ')}; reasoning effort: ${efforts.join(' | ')}\n`);
    assert.ok(models.length >= 2 && efforts.length >= 2);
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);
    // What codex wrote on stderr meanwhile (it tries to reach its API after session/new; there is no network here).
    const ended = cli.events.find((e) => e.event === 'session-ended');
    process.stdout.write(`# codex stderr: ${JSON.stringify(String(ended?.stderrTail ?? '').split('\n').slice(-4))}\n`);
    await waitFor(() => agentProcesses().length === 0, 5000, `no codex process left: ${agentProcesses().join('; ')}`);
  });
});
