/**
 * The terminal on a phone (issue #12, "Terminal unreadable on a phone"): a phone that opens a shell
 * nobody is typing in fits it to its own screen; one that opens it while a desktop types keeps the
 * desktop's size and offers a one-tap "Fit to this screen"; pinch zoom is allowed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium, PHONE_CONTEXT, screenshotPath } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { renderedTermSize, typeInTerminal, UI_TIMEOUT_MS, waitForLine, waitForLive } from '../helpers/terminal-page.js';
import { waitFor } from '../helpers/wait-for.js';

/** The font size xterm renders with on `page`. */
async function fontSize(page: Page): Promise<number> {
  return page.evaluate('window.__tether.term.options.fontSize') as Promise<number>;
}

/** Records each row count the terminal's DOM takes (window.__rowCounts), from before the app runs. */
const ROW_COUNTS_SCRIPT = `(() => {
  const counts = (window.__rowCounts = []);
  new MutationObserver(() => {
    const rows = document.querySelector('.xterm-rows');
    if (rows && counts[counts.length - 1] !== rows.childElementCount) counts.push(rows.childElementCount);
  }).observe(document, { childList: true, subtree: true });
})()`;

describe('browser: the terminal on a phone', () => {
  let cli: CliHost | undefined;
  let url: string;
  let browser: Browser | undefined;
  let phones: BrowserContext;
  let desktop: Page;

  before(async () => {
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
    url = String((await cli.event('ready')).url);
    browser = await launchChromium();
    phones = await browser.newContext(PHONE_CONTEXT);
    desktop = await (await browser.newContext(DESKTOP_CONTEXT)).newPage();
  });

  after(async () => {
    await browser?.close();
    cli?.kill();
  });

  it('allows pinch zoom (no maximum-scale, no user-scalable=no)', async () => {
    const phone = await phones.newPage();
    await phone.goto(url);
    const viewport = await phone.locator('meta[name="viewport"]').getAttribute('content');
    assert.doesNotMatch(viewport ?? '', /maximum-scale|user-scalable\s*=\s*(no|0)/);
    await phone.close();
  });

  it('a phone opening a shell nobody is typing in fits it to its screen at a readable font', async () => {
    const phone = await phones.newPage();
    await phone.goto(url);
    await waitForLive(phone);
    // The terminal view (and the test hook's term) exists once its textarea does: both come in one task.
    await phone.getByLabel('Terminal input').waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
    await waitFor(async () => (await renderedTermSize(phone)).cols < 60, UI_TIMEOUT_MS, 'the phone fitted the terminal to its screen');
    assert.ok((await fontSize(phone)) >= 11, `font ${await fontSize(phone)} px`);
    await typeInTerminal(phone, 'stty size\n');
    const size = await renderedTermSize(phone);
    await waitForLine(phone, new RegExp(`^${size.rows} ${size.cols}$`));
    assert.equal(await phone.getByRole('button', { name: 'Fit to this screen' }).count(), 0, 'no Fit button when it already fits');
    await phone.close();
  });

  it('a phone opening a shell sized for its screen builds the terminal at that size from the start', async () => {
    // A fresh device (its terminal built while it connects); the session has this screen's size from the
    // test before. Every row count the terminal's DOM ever had is recorded: one means one layout.
    const context = await browser!.newContext(PHONE_CONTEXT);
    await context.addInitScript({ content: ROW_COUNTS_SCRIPT });
    const phone = await context.newPage();
    await phone.goto(url);
    await waitForLive(phone);
    await phone.getByLabel('Terminal input').waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
    const size = await renderedTermSize(phone);
    assert.ok(size.cols < 60, `sized for the phone: ${JSON.stringify(size)}`);
    assert.deepEqual(await phone.evaluate('window.__rowCounts'), [size.rows]);
    await context.close();
  });

  it('a phone opening it while the desktop types keeps the size, then fits it in one tap', async () => {
    await desktop.goto(url);
    await waitForLive(desktop);
    await typeInTerminal(desktop, 'echo desk\n');
    await waitFor(async () => (await renderedTermSize(desktop)).cols > 80, UI_TIMEOUT_MS, 'the desktop took the size');
    const desktopSize = await renderedTermSize(desktop);
    const phone = await phones.newPage();
    await phone.goto(url);
    await waitForLive(phone);
    await waitForLine(phone, /^desk$/);
    const fit = phone.getByRole('button', { name: 'Fit to this screen' });
    await fit.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.deepEqual(await renderedTermSize(phone), desktopSize, 'opening while someone types never takes the size');
    const box = await fit.boundingBox();
    assert.ok(box && box.height >= 44 && box.y + box.height <= 844, `a tap target on screen: ${JSON.stringify(box)}`);
    await phone.screenshot({ path: screenshotPath('phone-terminal-fit-390.png') });
    await fit.tap();
    await waitFor(async () => (await renderedTermSize(phone)).cols < 60, UI_TIMEOUT_MS, 'the phone fitted the terminal');
    await waitFor(async () => JSON.stringify(await renderedTermSize(desktop)) === JSON.stringify(await renderedTermSize(phone)), UI_TIMEOUT_MS, 'the desktop follows');
    assert.ok((await fontSize(phone)) >= 11, `font ${await fontSize(phone)} px`);
    await fit.waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    await phone.screenshot({ path: screenshotPath('phone-terminal-390.png') });
    await desktop.screenshot({ path: screenshotPath('phone-terminal-desktop-1280.png') });
  });
});

describe('browser: a terminal opened on a screen it does not fit', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;

  after(async () => {
    await browser?.close();
    cli?.kill();
  });

  it('shows no "Sized for another screen" while its own fit is on its way (no flash, no extra relayout)', async () => {
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
    const url = String((await cli.event('ready')).url);
    browser = await launchChromium();
    const phone = await (await browser.newContext(PHONE_CONTEXT)).newPage();
    // Records whether the size hint was ever visible (a string: page code must not carry tsx's helpers).
    await phone.addInitScript({
      content: `window.__hintShown = false;
        new MutationObserver(() => { const h = document.querySelector('.size-hint'); if (h && !h.hidden) window.__hintShown = true; })
          .observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });`,
    });
    await phone.goto(url);
    await waitForLive(phone);
    await phone.getByLabel('Terminal input').waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
    await waitFor(async () => (await renderedTermSize(phone)).cols < 60, UI_TIMEOUT_MS, 'the phone fitted the terminal to its screen');
    assert.equal(await phone.evaluate('window.__hintShown'), false, 'the size hint never showed');
  });
});
