/**
 * A browser test file's Chromium and the tether processes it starts: Chromium is launched before the
 * file's tests, and it and every process are gone after them, whatever failed.
 */
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { startCli, type CliHost } from './cli-host.js';

/** What a test gets: the browser, and `start` for tether processes ended after the file's tests. */
export interface BrowserSuite {
  browser(): Browser;
  start(args: string[], env?: Record<string, string>): CliHost;
}

/** Registers the hooks; call at the top level of a test file. */
export function browserSuite(): BrowserSuite {
  const processes: CliHost[] = [];
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    for (const p of processes) p.kill();
  });
  return {
    browser: () => {
      if (!browser) throw new Error('Chromium is not launched yet (use the browser inside a test)');
      return browser;
    },
    start(args, env = {}) {
      const p = startCli(args, env);
      processes.push(p);
      return p;
    },
  };
}
