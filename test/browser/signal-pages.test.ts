/**
 * The signal server's page rules in real Chromium: the app works under the strict CSP from its own
 * origin (no policy violation), a page from another origin cannot open a socket, a closed page leaves
 * the host's device list promptly, and terminal links open only http(s), confirmed, without an opener.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { UI_TIMEOUT_MS, waitForLine, waitForLive } from '../helpers/terminal-page.js';
import { waitFor } from '../helpers/wait-for.js';

/** Prints an http link and a javascript: link as OSC 8 hyperlinks, then keeps the session open. */
function linkScript(landing: string): string {
  const osc8 = (uri: string, text: string): string => `\\033]8;;${uri}\\033\\\\${text}\\033]8;;\\033\\\\\\n`;
  return `printf '${osc8('javascript:document.title=1', 'EVIL-LINK')}${osc8(landing, 'SAFE-LINK')}'; exec cat`;
}

describe('browser: signal server pages', () => {
  let cli: CliHost | undefined;
  let other: Server | undefined;
  let otherOrigin: string;
  let url: string;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];

  before(async () => {
    // Another origin: serves a blank page, and the landing page terminal links point at.
    other = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title><p>landed</p>'));
    await new Promise<void>((resolve) => other!.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh', '-c', linkScript(`${otherOrigin}/landing`)]);
    url = String((await cli.event('ready')).url);
    browser = await launchChromium();
    context = await browser.newContext(DESKTOP_CONTEXT);
    page = await context.newPage();
    await page.addInitScript('window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI + (e.blockedURI === "eval" ? " at " + e.sourceFile + ":" + e.lineNumber + ":" + e.columnNumber : "")));');
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
  });

  after(async () => {
    await browser?.close();
    cli?.kill();
    await new Promise((resolve) => (other ? other.close(resolve) : resolve(undefined)));
  });

  it('the app goes live from its own origin without any CSP violation', async () => {
    const response = await page.goto(url);
    assert.match(String(response?.headers()['content-security-policy']), /connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+;/);
    await waitForLive(page);
    await waitForLine(page, /SAFE-LINK/);
    assert.deepEqual(await page.evaluate('window.__csp'), []);
  });

  it('a page from another origin cannot open a socket to the signal server', async () => {
    const elsewhere = await context.newPage();
    await elsewhere.goto(`${otherOrigin}/`);
    const socketUrl = `${new URL(url).origin.replace('http:', 'ws:')}/socket.io/?EIO=4&transport=websocket`;
    const result = await elsewhere.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket(${JSON.stringify(socketUrl)});
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    })`);
    assert.equal(result, 'refused');
    await elsewhere.close();
  });

  it('terminal links open only http(s), after a confirmation, in a tab without an opener', async () => {
    const box = async (text: string): Promise<{ x: number; y: number }> => {
      const b = (await page.locator('.xterm-rows > div', { hasText: text }).first().boundingBox())!;
      return { x: b.x + 12, y: b.y + b.height / 2 };
    };
    const click = async (text: string): Promise<void> => {
      const { x, y } = await box(text);
      await page.mouse.move(x, y);
      await page.mouse.move(x + 2, y);
      await page.mouse.down();
      await page.mouse.up();
    };
    // The javascript: link first: if it did anything, the first dialog or tab would be its own.
    await click('EVIL-LINK');
    const popup = context.waitForEvent('page', { timeout: UI_TIMEOUT_MS });
    await waitFor(async () => {
      await click('SAFE-LINK');
      return dialogs.length > 0;
    }, UI_TIMEOUT_MS, 'a confirmation for the http link');
    assert.equal(dialogs.length, 1, dialogs.join(' | '));
    assert.match(dialogs[0]!, new RegExp(`${otherOrigin}/landing`));
    const tab = await popup;
    await tab.waitForLoadState();
    assert.equal(tab.url(), `${otherOrigin}/landing`);
    assert.equal(await tab.evaluate('window.opener === null'), true);
    assert.equal(await tab.evaluate('document.referrer'), '');
    assert.notEqual(await page.title(), '1', 'the javascript: link never ran');
    await tab.close();
  });

  it('a closed page leaves the host promptly', async () => {
    await waitFor(() => cli!.events.some((e) => e.event === 'device-joined'), UI_TIMEOUT_MS, 'the page joined');
    const started = Date.now();
    await page.close();
    await waitFor(() => cli!.events.some((e) => e.event === 'device-left'), 10_000, 'device-left after the page closed');
    // Reported, not asserted: speed targets belong in the bench (issue #8's target is 2 s).
    console.log(`# device-left ${Date.now() - started} ms after the page closed`);
  });
});
