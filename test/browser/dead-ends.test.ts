/**
 * No dead ends on a phone (issue #12, "Dead ends"): a session opened by its own link leads back to the
 * computer's list, the "waiting for approval" chip opens the waiting card, an empty conversation says
 * which agent works in which folder and what to try, error pages offer Try again and Home, and a page
 * whose app never arrives says so instead of staying blank.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, PHONE_CONTEXT, screenshotPath } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { makeRepo } from '../helpers/git-repo.js';
import { UI_TIMEOUT_MS, waitForLive } from '../helpers/terminal-page.js';
import { permissionCard, sendPrompt, waitForConversation } from '../helpers/conversation-page.js';

describe('browser: no dead ends on a phone', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let repo = '';
  let sessionUrl = '';
  let serverUrl = '';
  let phone: BrowserContext;

  before(async () => {
    repo = makeRepo();
    cli = startCli(['remote-control', 'ends', '--json', '--local', '--port', '0', '--agent', SCRIPTED_AGENT], {}, repo);
    const ready = await cli.event('ready', 30_000);
    sessionUrl = String(ready.url);
    serverUrl = String(ready.serverUrl);
    browser = await launchChromium();
    phone = await browser.newContext(PHONE_CONTEXT);
  });

  after(async () => {
    await browser?.close();
    if (cli) {
      cli.kill();
      await cli.exited;
    }
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('an empty conversation shows the agent, the folder and what to try', async () => {
    const page = await phone.newPage();
    await page.goto(sessionUrl);
    await waitForConversation(page);
    const intro = page.getByRole('region', { name: 'New conversation' });
    await intro.waitFor({ timeout: UI_TIMEOUT_MS });
    const text = await intro.innerText();
    assert.ok(text.includes(repo), `the folder is shown: ${text}`);
    assert.match(text, /scripted/i, 'the agent is named');
    assert.match(text, /Try/, 'suggests what to try');
    await page.screenshot({ path: screenshotPath('phone-empty-conversation-390.png') });
    // A suggestion fills the message box; once the conversation has content the intro goes.
    await intro.getByRole('button').first().click();
    assert.notEqual(await page.getByRole('textbox', { name: 'Message' }).inputValue(), '');
    await sendPrompt(page, 'echo hello');
    await intro.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    await page.close();
  });

  it('a session opened by its own link leads back to the computer\'s list', async () => {
    const fresh = await browser!.newContext(PHONE_CONTEXT); // no history, nothing remembered
    const page = await fresh.newPage();
    await page.goto(sessionUrl);
    await waitForConversation(page);
    const back = page.getByRole('link', { name: 'All sessions' });
    await back.waitFor({ timeout: UI_TIMEOUT_MS });
    const box = await back.boundingBox();
    assert.ok(box && box.width >= 44 && box.height >= 44, `a tap target: ${JSON.stringify(box)}`);
    await back.click();
    await waitForLive(page);
    assert.equal(new URL(page.url()).pathname, new URL(serverUrl).pathname, 'the server\'s list');
    await page.getByRole('list', { name: 'Sessions' }).getByRole('listitem').first().waitFor({ timeout: UI_TIMEOUT_MS });
    await fresh.close();
  });

  it('the "waiting for approval" chip opens the waiting card', async () => {
    const worker = await phone.newPage();
    await worker.goto(sessionUrl);
    await waitForConversation(worker);
    await sendPrompt(worker, 'edit src/a.ts');
    await permissionCard(worker, 'Edit src/a.ts').waitFor({ timeout: UI_TIMEOUT_MS });
    const list = await phone.newPage();
    await list.goto(serverUrl);
    await waitForLive(list);
    const chip = list.getByRole('link', { name: '1 waiting for approval' });
    await chip.waitFor({ timeout: UI_TIMEOUT_MS });
    const box = await chip.boundingBox();
    assert.ok(box && box.height >= 44, `a tap target: ${JSON.stringify(box)}`);
    await chip.tap();
    const card = permissionCard(list, 'Edit src/a.ts');
    await card.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await card.isVisible(), true);
    const cardBox = await card.boundingBox();
    assert.ok(cardBox && cardBox.y < 844 && cardBox.y + cardBox.height > 0, `the waiting card is in view: ${JSON.stringify(cardBox)}`);
    await worker.close();
    await list.close();
  });

  it('an error page offers Try again and a link home', async () => {
    const page = await phone.newPage();
    await page.goto(sessionUrl.replace(/#.*$/, '#not-a-key'));
    const alert = page.getByRole('alert');
    await alert.getByText('KEY_REJECTED').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await alert.getByRole('button', { name: 'Try again' }).isVisible(), true);
    const home = alert.getByRole('link', { name: 'Home' });
    assert.equal(await home.isVisible(), true);
    await home.click();
    // This phone opened the list before: home is that list.
    await waitForLive(page);
    assert.equal(new URL(page.url()).pathname, new URL(serverUrl).pathname);
    await page.close();
  });

  it('a page whose app never arrives says so after a few seconds instead of staying blank', async () => {
    // A browser without this app's service worker (one would answer from its cache).
    const fresh = await browser!.newContext(PHONE_CONTEXT);
    const page = await fresh.newPage();
    // The app's entry script is lost on the way (twice in CI a page stayed blank like this).
    await page.route(/\/assets\/app-[^/]*\.js$/, (route) => route.abort('connectionreset'));
    await page.goto(sessionUrl);
    const notice = page.getByText('The page did not start');
    assert.equal(await notice.isVisible(), false, 'not shown while the page may still be loading');
    await notice.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.match(await page.locator('#app').innerText(), /Reload the page/);
    // Once the app runs it replaces the notice.
    await page.unroute(/\/assets\/app-[^/]*\.js$/);
    await page.reload();
    await waitForLive(page);
    assert.equal(await notice.count(), 0);
    await fresh.close();
  });
});
