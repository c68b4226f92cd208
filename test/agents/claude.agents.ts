/**
 * tether with the real claude-agent-acp (npm, cached), no credentials, no prompt ever sent: as root it
 * first proves the refusal is explained (measured: as root, claude-agent-acp offers permission bypass
 * whenever IS_SANDBOX is set, but its Claude Code CLI accepts that only with IS_SANDBOX=1 — so
 * IS_SANDBOX=yes fails, unset or 1 starts), then starts it with IS_SANDBOX=1 and checks a phone page:
 * its 14 slash commands, its settings (model, mode) and its login method; and that nothing of it keeps
 * running after tether stops.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { UI_TIMEOUT_MS } from '../helpers/terminal-page.js';
import { waitForConversation } from '../helpers/conversation-page.js';
import { waitFor } from '../helpers/wait-for.js';
import { agentEnv, agentProcesses, workFolder } from './agent-env.js';
import { joinClient } from '../helpers/terminal-host.js';
import { readConversationMeta, readStatus } from '../../protocol/conversation-doc.js';

/** claude-agent-acp 0.23.1 starts its Claude Code CLI per session: give it time. */
const START_MS = 90_000;
const running: CliHost[] = [];

describe('claude-agent-acp, for real (no credentials, no prompt)', () => {
  let browser: Browser | undefined;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    for (const c of running) c.kill();
  });

  it('as root with IS_SANDBOX=yes: tether says why it cannot start and what to do; nothing is left running', { skip: process.getuid?.() !== 0 ? 'not root here' : false }, async () => {
    const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', 'claude'], agentEnv({ IS_SANDBOX: 'yes' }), workFolder(), true);
    running.push(cli);
    assert.equal(await cli.exited, 1, cli.stderr());
    const error = cli.events.find((e) => e.event === 'error');
    assert.ok(error, cli.stderr());
    assert.equal(error.code, 'AGENT_ROOT_REFUSED');
    assert.match(String(error.message), /cannot start as root with IS_SANDBOX set to anything but 1/);
    assert.match(String(error.message), /set IS_SANDBOX=1 .*or unset IS_SANDBOX, or run tether as a normal user/);
    assert.match(String(error.detail), /Query closed before response received/);
    assert.match(cli.stderr(), /run tether as a normal user \(AGENT_ROOT_REFUSED\)/);
    await waitFor(() => agentProcesses().length === 0, 5000, `no claude process left: ${agentProcesses().join('; ')}`);
  });

  it('as root with IS_SANDBOX unset it starts (without offering permission bypass)', { skip: process.getuid?.() !== 0 ? 'not root here' : false }, async () => {
    const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', 'claude'], agentEnv(), workFolder(), true);
    running.push(cli);
    const ready = await cli.event('ready', START_MS);
    assert.equal(ready.kind, 'conversation');
    const device = await joinClient(String(ready.url), 'check');
    await waitFor(() => readStatus(device.client.conversation) === 'idle', UI_TIMEOUT_MS, 'the agent is ready');
    const modes = readConversationMeta(device.client.conversation).modes.map((m) => m.id);
    process.stdout.write(`# claude modes as root without IS_SANDBOX: ${modes.join(' ')}\n`);
    assert.ok(!modes.includes('bypassPermissions'), modes.join(' '));
    device.close();
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);
    await waitFor(() => agentProcesses().length === 0, 5000, `no claude process left: ${agentProcesses().join('; ')}`);
  });

  it('with IS_SANDBOX=1 it starts: a phone page lists its 14 commands, its model and mode settings, and its login method', async () => {
    const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', 'claude'], agentEnv({ IS_SANDBOX: '1' }), workFolder(), true);
    running.push(cli);
    const ready = await cli.event('ready', START_MS);
    assert.equal(ready.kind, 'conversation');
    const phone: Page = await (await browser!.newContext(PHONE_CONTEXT)).newPage();
    await phone.goto(String(ready.url));
    await waitForConversation(phone, START_MS);

    const box = phone.getByRole('textbox', { name: 'Message' });
    await box.fill('/');
    const menu = phone.getByRole('listbox', { name: 'Agent commands' });
    await menu.waitFor({ timeout: UI_TIMEOUT_MS });
    const commands = await menu.getByRole('option').locator('.command-name').allInnerTexts();
    process.stdout.write(`# claude commands: ${commands.join(' ')}\n`);
    assert.equal(commands.length, 14, commands.join(' '));
    for (const name of ['/compact', '/init', '/review', '/security-review']) assert.ok(commands.some((c) => c.startsWith(name)), name);
    await box.fill('');

    const model = phone.getByRole('combobox', { name: 'Model', exact: true });
    const models = await model.locator('option').allInnerTexts();
    process.stdout.write(`# claude models: ${models.join(' | ')}\n`);
    assert.ok(models.length >= 2, models.join(' | '));
    assert.ok(await phone.getByRole('combobox', { name: 'Mode', exact: true }).isVisible(), 'the mode setting');

    await phone.getByRole('button', { name: 'Login methods' }).click();
    const card = phone.getByRole('region', { name: 'Login methods' });
    await card.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.deepEqual(await card.locator('.login-method-name').allInnerTexts(), ['Log in with Claude']);
    assert.ok(await card.getByRole('button', { name: 'Run the login program: Log in with Claude' }).isVisible(), 'tether can run its login program');

    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);
    await waitFor(() => agentProcesses().length === 0, 5000, `no claude process left: ${agentProcesses().join('; ')}`);
  });
});
