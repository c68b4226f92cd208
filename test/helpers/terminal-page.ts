/**
 * Drives a tether page in Playwright the way a person would: waits for visible states, types into
 * the terminal, and reads the screen's text rows as rendered by xterm.js. Every wait has a timeout.
 */
import type { Page } from 'playwright-core';
import { settledOr } from './wait-for.js';

/** Default bound for one visible change (the join itself takes ~100 ms on loopback). */
export const UI_TIMEOUT_MS = 15_000;

/** Waits until the top bar says the page is live. */
export async function waitForLive(page: Page, timeout = UI_TIMEOUT_MS): Promise<void> {
  try {
    await page.locator('.status', { hasText: /^Live$/ }).waitFor({ timeout });
  } catch (err) {
    // Say what the page shows instead: the state and the reason in the banner or failure card.
    const shown = await page.locator('.status, .banner:not([hidden]), .failure:not([hidden])').allInnerTexts();
    // And where the page is, should it show none of those (the app not started, a blank page).
    const where = await page
      .evaluate(() => JSON.stringify({ url: location.href, ready: document.readyState, ...document.documentElement.dataset, text: document.body?.innerText.slice(0, 200) ?? null }))
      .catch((e: unknown) => `(unreadable: ${(e as Error).message.split('\n')[0]})`);
    throw new Error(`page not live after ${timeout} ms; it shows: ${JSON.stringify(shown)}; page: ${where}; ${await whatTheAppLoaded(page)}`, { cause: err });
  }
}

/**
 * The page's uncaught errors, console errors and scripts with how each request ended: why an app may not
 * have started (twice in CI a page stayed blank, its script never run; not reproduced alone).
 */
async function whatTheAppLoaded(page: Page): Promise<string> {
  const errors = (await page.pageErrors().catch(() => [])).map((e) => e.message.split('\n')[0]);
  const consoleErrors = (await page.consoleMessages({ filter: 'since-navigation' }).catch(() => []))
    .filter((m) => m.type() === 'error')
    .map((m) => m.text().slice(0, 200));
  const requests = (await page.requests().catch(() => [])).filter((r) => r.resourceType() === 'script' || r.resourceType() === 'document');
  const scripts = await Promise.all(
    requests.map(async (r) => {
      const failure = r.failure();
      const response = failure ? null : await settledOr(r.response(), 500, 'pending' as const);
      const ended = failure ? `failed: ${failure.errorText}` : response === 'pending' ? 'no response yet' : response ? String(response.status()) : 'no response';
      return `${new URL(r.url()).pathname.split('/').pop() || '/'} ${ended}`;
    }),
  );
  return `page errors: ${JSON.stringify(errors)}; console errors: ${JSON.stringify(consoleErrors)}; documents and scripts: ${JSON.stringify(scripts)}`;
}

/** Focuses the terminal (as a tap or click would) and types `text`; `\n` presses Enter. */
export async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.getByLabel('Terminal input').focus();
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line) await page.keyboard.type(line);
    if (i < lines.length - 1) await page.keyboard.press('Enter');
  }
}

/** The terminal's visible rows as text, trailing blanks removed. */
export async function screenLines(page: Page): Promise<string[]> {
  const rows = await page.locator('.xterm-rows > div').allTextContents();
  return rows.map((row) => row.replace(/[\s\u00a0]+$/, '').replace(/\u00a0/g, ' '));
}

/** Waits until some row of the screen matches `pattern`. */
export async function waitForLine(page: Page, pattern: RegExp, timeout = UI_TIMEOUT_MS): Promise<void> {
  await page.locator('.xterm-rows > div').filter({ hasText: pattern }).first().waitFor({ timeout });
}

/** The session's terminal size as this page renders it (read through the documented test hook). */
export async function renderedTermSize(page: Page): Promise<{ cols: number; rows: number }> {
  // A string expression: tsx would otherwise inject helpers the page does not have.
  return page.evaluate('({ cols: window.__tether.term.cols, rows: window.__tether.term.rows })');
}

/** Width of the rendered terminal and of the page's scrollable content, in CSS pixels. */
export async function pageWidths(page: Page): Promise<{ viewport: number; scroll: number; terminal: number }> {
  return page.evaluate(
    '({ viewport: window.innerWidth, scroll: document.documentElement.scrollWidth, terminal: document.querySelector(".xterm-screen").getBoundingClientRect().width })',
  );
}
