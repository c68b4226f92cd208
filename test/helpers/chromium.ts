/**
 * Launches Debian's Chromium (`/usr/bin/chromium`, installed by apt: Playwright cannot download its
 * own browser here) headless, with the flags WebRTC over loopback needs (see DESIGN.md).
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Where a test's screenshot `name` goes: TETHER_SCREENSHOTS when set (to look at them), else the test
 * process's own temporary folder, which `npm test` removes when the process ends.
 */
export function screenshotPath(name: string): string {
  return join(process.env.TETHER_SCREENSHOTS ?? tmpdir(), name);
}

/** Flags for a quiet, sandbox-free headless Chromium that can do WebRTC on loopback. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/**
 * Starts headless Chromium; fails with a hint when it is not installed. `extraArgs` adds flags, e.g.
 * --ignore-certificate-errors so service workers register on an origin with a test certificate.
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch(launchOptions(extraArgs));
}

/** Debian's Chromium, headless, with our flags and `extraArgs`; fails with a hint when it is not installed. */
function launchOptions(extraArgs: readonly string[]): { executablePath: string; args: string[]; headless: true } {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: run \`apt-get update && apt-get install -y chromium\``);
  }
  return { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true };
}

/**
 * Starts headless Chromium with an ordinary profile in `userDataDir`, as a user's browser has: a context of
 * `launchChromium` is off the record, and Chromium refuses to install apps from one ("in-incognito").
 */
export async function launchChromiumProfile(userDataDir: string, options: BrowserContextOptions, extraArgs: readonly string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { ...options, ...launchOptions(extraArgs) });
}

/** A phone: 390×844 CSS pixels at 3× density, touch, mobile viewport, Chrome on Android's user agent. */
export const PHONE_CONTEXT: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
};

/** A laptop browser window. */
export const DESKTOP_CONTEXT: BrowserContextOptions = {
  viewport: { width: 1280, height: 800 },
  deviceScaleFactor: 1,
};
