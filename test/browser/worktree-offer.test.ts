/**
 * "Own worktree" is only offered where it can work (issue #12, "Offers that fail"): a server in a folder
 * that is not a git repository shows the choice disabled with a one-line reason, and a session started
 * from the sheet works in the folder.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, PHONE_CONTEXT, screenshotPath } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { UI_TIMEOUT_MS, waitForLive } from '../helpers/terminal-page.js';

describe('browser: Own worktree outside a git repository', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let folder = '';

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'tether-plain-'));
    cli = startCli(['remote-control', 'plain', '--json', '--local', '--port', '0', '--agent', SCRIPTED_AGENT], { GIT_CEILING_DIRECTORIES: tmpdir() }, folder);
    await cli.event('ready', 30_000);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (cli) {
      cli.kill();
      await cli.exited;
    }
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('is disabled with a one-line reason', async () => {
    const page = await (await browser!.newContext(PHONE_CONTEXT)).newPage();
    await page.goto(String(cli!.events.find((e) => e.event === 'ready')!.serverUrl));
    await waitForLive(page);
    await page.getByRole('button', { name: 'New session' }).click();
    const form = page.getByRole('form', { name: 'New session' });
    await form.waitFor({ timeout: UI_TIMEOUT_MS });
    const worktree = form.getByRole('radio', { name: /Own worktree/ });
    await form.getByText('Not a git repository').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await worktree.isDisabled(), true);
    assert.equal(await form.getByRole('radio', { name: /Same folder/ }).isChecked(), true);
    await page.screenshot({ path: screenshotPath('phone-worktree-disabled-390.png') });
  });
});
