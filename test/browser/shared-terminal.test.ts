/**
 * The browser app against the real CLI: a phone-size page and a desktop page share one shell.
 * Typing shows in both, the size follows whoever typed or resized last, a reload restores the whole
 * screen, and the program's exit reaches every page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { pageWidths, renderedTermSize, screenLines, typeInTerminal, UI_TIMEOUT_MS, waitForLine, waitForLive } from '../helpers/terminal-page.js';
import { settledOr, waitFor } from '../helpers/wait-for.js';
import { joinClient } from '../helpers/terminal-host.js';

describe('browser: one shell shared by a phone and a desktop page', () => {
  let cli: CliHost | undefined;
  let url: string;
  let browser: Browser | undefined;
  let phone: Page;
  let desktop: Page;

  before(async () => {
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
    url = String((await cli.event('ready')).url);
    browser = await launchChromium();
    phone = await (await browser.newContext(PHONE_CONTEXT)).newPage();
    desktop = await (await browser.newContext(DESKTOP_CONTEXT)).newPage();
    await Promise.all([phone.goto(url), desktop.goto(url)]);
    await Promise.all([waitForLive(phone), waitForLive(desktop)]);
  });

  after(async () => {
    await browser?.close();
    cli?.kill();
  });

  it('a desktop page takes the keyboard once the shell is shown; a phone waits for a tap (no keyboard popping up)', async () => {
    const typingTarget = (page: Page): Promise<boolean> => page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea') ?? false);
    await waitFor(() => typingTarget(desktop), UI_TIMEOUT_MS, 'the desktop terminal focused');
    assert.equal(await typingTarget(phone), false);
  });

  it('shows each device in the list, this one marked "you"', async () => {
    await desktop.getByText('2 devices').click();
    const list = desktop.getByRole('list', { name: 'Connected devices' });
    await list.getByText('Chrome on Android').waitFor({ timeout: UI_TIMEOUT_MS });
    const you = list.getByRole('listitem').filter({ hasText: '(you)' });
    assert.equal(await you.count(), 1);
    assert.match(await you.innerText(), /Chrome on Linux/);
    await desktop.keyboard.press('Escape');
  });

  it('a device that joins or leaves an idle shell shows on the pages at once (nothing is printed meanwhile)', async () => {
    const laptop = await joinClient(url, 'laptop');
    try {
      await desktop.getByText('3 devices').waitFor({ timeout: UI_TIMEOUT_MS });
    } finally {
      laptop.close();
    }
    await desktop.getByText('2 devices').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it('typing on the phone shows in both, and the phone sets the size', async () => {
    await typeInTerminal(phone, 'echo $((6*7))\n');
    await Promise.all([waitForLine(phone, /^42$/), waitForLine(desktop, /^42$/)]);
    const phoneSize = await renderedTermSize(phone);
    await waitFor(async () => JSON.stringify(await renderedTermSize(desktop)) === JSON.stringify(phoneSize), UI_TIMEOUT_MS, 'desktop renders the phone-set size');
    // The phone asked for what fits its screen: the terminal spans its full width, no sideways scroll.
    const widths = await pageWidths(phone);
    assert.ok(widths.scroll <= widths.viewport, `no horizontal scroll: ${JSON.stringify(widths)}`);
    assert.ok(widths.terminal >= widths.viewport - 20, `full width: ${JSON.stringify(widths)}`);
  });

  it("the terminal's input box follows the cursor as output moves it (where an input method shows its candidates)", async () => {
    await typeInTerminal(phone, 'echo follow-me');
    await waitForLine(phone, /follow-me/);
    // Where xterm's hidden textarea is, and where the cursor's cell is, in CSS pixels (a string: the page has no tsx helpers).
    const where = (): Promise<{ left: number; top: number; x: number; y: number }> => phone.evaluate(`(() => {
      const term = window.__tether.term;
      const cell = term._core._renderService.dimensions.css.cell;
      const box = document.querySelector('.xterm-helper-textarea');
      const { cursorX, cursorY } = term.buffer.active;
      return { left: parseFloat(box.style.left), top: parseFloat(box.style.top), x: cursorX * cell.width, y: cursorY * cell.height };
    })()`);
    await waitFor(async () => {
      const at = await where();
      return Math.abs(at.left - at.x) < 0.01 && Math.abs(at.top - at.y) < 0.01;
    }, UI_TIMEOUT_MS, 'the input box at the cursor');
    assert.ok((await where()).left > 0, 'past the prompt and the typed text');
    await phone.keyboard.press('Control+U'); // the phone typed last: it keeps the size
  });

  it('typing on the desktop takes the size; the phone fits it at full width', async () => {
    const before = await renderedTermSize(phone);
    await typeInTerminal(desktop, 'stty size\n');
    await waitFor(async () => (await renderedTermSize(desktop)).cols > before.cols, UI_TIMEOUT_MS, 'desktop size applied');
    const size = await renderedTermSize(desktop);
    const sttyLine = new RegExp(`^${size.rows} ${size.cols}$`);
    await Promise.all([waitForLine(desktop, sttyLine), waitForLine(phone, sttyLine)]);
    assert.deepEqual(await renderedTermSize(phone), size);
    const widths = await pageWidths(phone);
    assert.ok(widths.scroll <= widths.viewport, `no horizontal scroll: ${JSON.stringify(widths)}`);
    assert.ok(widths.terminal >= widths.viewport - 20, `full width: ${JSON.stringify(widths)}`);
  });

  it('reloading a page restores the whole screen without changing the size', async () => {
    const size = await renderedTermSize(desktop);
    await phone.reload();
    await waitForLive(phone);
    await waitForLine(phone, /^42$/);
    await waitFor(
      async () => JSON.stringify(await screenLines(phone)) === JSON.stringify(await screenLines(desktop)),
      UI_TIMEOUT_MS,
      'the reloaded phone shows exactly the desktop screen',
    );
    assert.deepEqual(await renderedTermSize(phone), size, 'opening a page never resizes the terminal');
    assert.deepEqual(await renderedTermSize(desktop), size);
  });

  it('a viewport change on one device resizes the terminal for all', async () => {
    const before = await renderedTermSize(desktop);
    await desktop.setViewportSize({ width: 900, height: 600 });
    await waitFor(async () => (await renderedTermSize(desktop)).cols < before.cols, UI_TIMEOUT_MS, 'desktop asked for a smaller size');
    const size = await renderedTermSize(desktop);
    assert.ok(size.rows < before.rows);
    await waitFor(async () => JSON.stringify(await renderedTermSize(phone)) === JSON.stringify(size), UI_TIMEOUT_MS, 'phone follows');
    await typeInTerminal(phone, 'echo $((7*8))\n'); // the phone types: the size is the phone's again
    await waitForLine(desktop, /^56$/);
    await waitFor(async () => (await renderedTermSize(desktop)).cols < size.cols, UI_TIMEOUT_MS, 'phone took the size back');
  });

  it("pages never answer the program's terminal queries (each would, and long after it asked)", async () => {
    // Cursor position and device attribute queries: xterm.js answers these itself. Forwarded, the
    // tty would echo the answers back as `^[[…R` / `^[[?1;2c` garbage, once per page.
    await typeInTerminal(desktop, "printf '\\033[6n\\033[c'; sleep 0.5; echo query-done\n");
    await Promise.all([waitForLine(desktop, /^query-done$/), waitForLine(phone, /^query-done$/)]);
    await phone.reload(); // a reload replays the queries to a fresh xterm.js
    await waitForLive(phone);
    await typeInTerminal(desktop, 'echo after-replay\n');
    await waitForLine(phone, /^after-replay$/);
    for (const page of [desktop, phone]) {
      const lines = await screenLines(page);
      assert.ok(!lines.some((line) => line.includes('^[')), `no echoed replies: ${JSON.stringify(lines)}`);
    }
  });

  it('when the program exits, every page says so and input stops', async () => {
    await typeInTerminal(desktop, 'exit 3\n');
    for (const page of [phone, desktop]) {
      await page.getByText('Program exited with code 3').waitFor({ timeout: UI_TIMEOUT_MS });
      await page.locator('.status', { hasText: /^Ended$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    assert.equal(await phone.getByRole('button', { name: 'Escape' }).isDisabled(), true);
    const exited = await cli!.event('session-ended', UI_TIMEOUT_MS);
    assert.equal(exited.exitCode, 3);
    const code = await settledOr(cli!.exited, 5000, 'still running');
    assert.equal(code, 3, 'the CLI exits with the program\'s code');
  });
});
