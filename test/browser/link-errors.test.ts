/**
 * The browser app with a bad link: no key, a malformed key or a key the host does not know (never issued,
 * or expired and pruned) is explained plainly with its error code,
 * and a bad page never disturbs the session for the devices that hold the right link.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { typeInTerminal, UI_TIMEOUT_MS, waitForLine, waitForLive } from '../helpers/terminal-page.js';

/** A well-formed key that is not the session's. */
const WRONG_KEY = 'A'.repeat(43);

describe('browser: links without the right key', () => {
  let cli: CliHost | undefined;
  let url: string;
  let browser: Browser | undefined;
  let good: Page;

  before(async () => {
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
    url = String((await cli.event('ready')).url);
    browser = await launchChromium();
    good = await (await browser.newContext(DESKTOP_CONTEXT)).newPage();
    await good.goto(url);
    await waitForLive(good);
  });

  after(async () => {
    await browser?.close();
    cli?.kill();
  });

  const joinedCount = (): number => cli!.events.filter((e) => e.event === 'device-joined').length;

  it('a link without a key says so (KEY_MISSING) and never connects', async () => {
    const page = await (await browser!.newContext(PHONE_CONTEXT)).newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(url.replace(/#.*$/, ''));
    const alert = page.getByRole('alert');
    await alert.getByText('This link has no key').waitFor({ timeout: UI_TIMEOUT_MS });
    await alert.getByText('KEY_MISSING').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.deepEqual(sockets, [], 'no connection attempt');
    await page.close();
  });

  it('a malformed key is refused before connecting (KEY_REJECTED)', async () => {
    const page = await (await browser!.newContext(PHONE_CONTEXT)).newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(url.replace(/#.*$/, '#not-a-key'));
    await page.getByRole('alert').getByText('KEY_REJECTED').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.deepEqual(sockets, []);
    await page.close();
  });

  it('a key the host does not know reads as an expired link (LINK_EXPIRED), saying how to get a new one; the session carries on', async () => {
    const joinedBefore = joinedCount();
    const page = await (await browser!.newContext(PHONE_CONTEXT)).newPage();
    await page.goto(url.replace(/#.*$/, `#${WRONG_KEY}`));
    const alert = page.getByRole('alert');
    await alert.getByRole('heading', { name: 'This link has expired — ask for a new one' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await alert.getByText(/press n on tether's status screen, type \/rc new in its chat/).waitFor({ timeout: UI_TIMEOUT_MS });
    await alert.getByText('LINK_EXPIRED').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await page.getByLabel('Terminal input').count(), 0, 'a page that never joined shows no session');

    // The device with the right link is unaffected: still live, still typing, still alone.
    await waitForLive(good);
    await typeInTerminal(good, 'echo $((6*7))\n');
    await waitForLine(good, /^42$/);
    assert.equal(joinedCount(), joinedBefore, 'the rejected page never joined');
    assert.equal(await good.getByText('1 device', { exact: true }).count(), 1);
    await page.close();
  });
});
