/**
 * Device trust in Chromium against the real CLI: a page pairs with the link's token and keeps its key in
 * IndexedDB (non-extractable WebCrypto on a secure origin, a raw @noble key on a plain-http LAN-style
 * origin); after the link expired, a fresh browser is told "this link has expired — ask for a new one"
 * and how, while the paired browser's bookmark (no token) keeps working across reloads. An owner makes
 * the device view-only from another terminal (the page hides typing and the key row at once), then revokes
 * it: the page is emptied at once and neither a reload nor the old link brings it back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, DESKTOP_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { packageRoot } from '../../host/package-paths.js';
import { typeInTerminal, UI_TIMEOUT_MS, waitForLine, waitForLive } from '../helpers/terminal-page.js';
import { waitFor } from '../helpers/wait-for.js';

/** A name that resolves to loopback but is not a secure context (like a LAN address over plain http). */
const LAN_NAME = 'lan.tether.test';
const ARGS = [
  ...CHROMIUM_ARGS.filter((a) => !a.startsWith('--disable-features=')),
  '--disable-features=WebRtcHideLocalIpsWithMdns,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable',
  `--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`,
];

const work = mkdtempSync(join(tmpdir(), 'tether-browser-trust-'));
const contexts: BrowserContext[] = [];
const hosts: CliHost[] = [];

/** A browser profile that keeps IndexedDB across page loads (and across contexts of the same folder). */
async function profile(name: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(join(work, name), { executablePath: CHROMIUM_PATH, args: ARGS, headless: true, ...DESKTOP_CONTEXT });
  contexts.push(context);
  return context;
}

/** Which key this page's origin keeps, read from IndexedDB as the app stored it. */
function storedKey(page: Page): Promise<{ type: string; extractable: boolean | null } | null> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('tether');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('device', 'readonly');
      const get = tx.objectStore('device').get('device-key');
      get.onsuccess = () => resolve(get.result ? { type: get.result.type, extractable: get.result.privateKey ? get.result.privateKey.extractable : null } : null);
      get.onerror = () => reject(get.error);
    };
  })`);
}

/** The session replicas this page's origin keeps in IndexedDB (client/web/indexeddb-replicas.ts). */
function replicaDatabases(page: Page): Promise<string[]> {
  return page.evaluate(`indexedDB.databases().then((dbs) => dbs.map((d) => d.name).filter((n) => n.startsWith('tether-replica ')))`);
}

function tether(stateDir: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(packageRoot(), 'bin', 'tether.js'), ...args], { env: { ...process.env, TETHER_STATE_DIR: stateDir }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? 1 : 0, stdout, stderr });
    });
  });
}

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  for (const h of hosts) h.kill();
  rmSync(work, { recursive: true, force: true });
});

/** The link's lifetime in the expiry test: long enough for a page to pair on a busy machine (CI saw 6 s run out). */
const LINK_TTL_S = 15;

describe('browser: pairing, expiry and bookmarks', () => {
  let url: string;
  /** When the link was printed (it was minted before): it has expired LINK_TTL_S after this. */
  let readyAt: number;

  before(async () => {
    const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--link-ttl', `${LINK_TTL_S}s`, '--', '/bin/sh'], { PS1: '$ ' });
    hosts.push(cli);
    url = String((await cli.event('ready')).url);
    readyAt = Date.now();
  });

  it('a page pairs with the link, keeps a non-extractable WebCrypto key, and its bookmark works after the link expired', async () => {
    const paired = await profile('secure');
    const page = await paired.newPage();
    await page.goto(url);
    await waitForLive(page);
    assert.deepEqual(await storedKey(page), { type: 'webcrypto', extractable: false });
    const expires = readyAt + LINK_TTL_S * 1000;
    await waitFor(() => Date.now() > expires + 500, LINK_TTL_S * 1000 + 5_000, 'the link to expire');

    // A browser that never paired: told plainly, with how to get a new link.
    const stranger = await (await profile('stranger')).newPage();
    await stranger.goto(url);
    const alert = stranger.getByRole('alert');
    await alert.getByRole('heading', { name: 'This link has expired — ask for a new one' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await alert.getByText(/press n on tether's status screen, type \/rc new in its chat/).waitFor({ timeout: UI_TIMEOUT_MS });
    await alert.getByText('LINK_EXPIRED').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await stranger.getByLabel('Terminal input').count(), 0);

    // The paired browser's bookmark: the page without any token.
    const bookmark = url.replace(/#.*$/, '');
    await page.goto(bookmark);
    await waitForLive(page);
    await typeInTerminal(page, 'echo bookmark-$((6*7))\n');
    await waitForLine(page, /^bookmark-42$/);
    await page.reload();
    await waitForLive(page);
  });
});

describe('browser: plain-http origin, view-only and revocation', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'tether-browser-trust-state-'));
  let cli: CliHost;
  let url: string;

  before(async () => {
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ', TETHER_STATE_DIR: stateDir });
    hosts.push(cli);
    const ready = await cli.event('ready');
    url = String(ready.url).replace('//127.0.0.1:', `//${LAN_NAME}:`);
  });

  after(() => rmSync(stateDir, { recursive: true, force: true }));

  it('a plain-http page keeps a raw @noble key; an owner makes it view-only, then revokes it for good', async () => {
    const context = await profile('lan');
    const page = await context.newPage();
    await page.goto(url);
    await waitForLive(page);
    assert.equal(await page.evaluate('window.isSecureContext'), false);
    assert.equal((await storedKey(page))?.type, 'raw');
    await typeInTerminal(page, 'echo before-$((2*3))\n');
    await waitForLine(page, /^before-6$/);
    await page.reload();
    await waitForLive(page);
    const joined = [...cli.events].reverse().find((e) => e.event === 'device-joined')!;
    const deviceId = String(joined.deviceId);

    // View-only, from another terminal: the key row goes, typing reaches nothing.
    const demoted = await tether(stateDir, ['devices', 'role', deviceId, 'view']);
    assert.equal(demoted.status, 0, `${demoted.stdout}${demoted.stderr}${JSON.stringify(cli.events.filter((e) => e.event.startsWith('device')))}`);
    await page.waitForFunction('document.documentElement.dataset.role === "view"', undefined, { timeout: UI_TIMEOUT_MS });
    assert.equal(await page.locator('.keybar').isVisible(), false);
    await page.waitForFunction('window.__tether.term.options.disableStdin === true', undefined, { timeout: UI_TIMEOUT_MS });

    assert.equal((await replicaDatabases(page)).length, 1, 'the page keeps a replica of the session');

    // Revoked: the page is emptied at once and says why, and nothing kept for the host stays in the browser.
    const started = Date.now();
    assert.equal((await tether(stateDir, ['devices', 'revoke', deviceId])).status, 0);
    const alert = page.getByRole('alert');
    await alert.getByRole('heading', { name: 'This device was removed by the host' }).waitFor({ timeout: UI_TIMEOUT_MS });
    console.log(`revoked page emptied after ${Date.now() - started} ms (including the tether devices process)`);
    assert.equal(await page.locator('.xterm-rows').count(), 0, 'nothing the host showed stays on the page');
    await waitFor(async () => (await replicaDatabases(page)).length === 0, UI_TIMEOUT_MS, 'the replica wiped');
    // A reload (the old link with its token) and the bookmark: neither brings it back.
    await page.reload();
    await page.getByRole('alert').getByText('LINK_EXPIRED').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.goto(url.replace(/#.*$/, ''));
    // The browser forgot its credential: without a token there is nothing to offer.
    await page.getByRole('alert').getByText('KEY_MISSING').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await page.getByLabel('Terminal input').count(), 0);
  });
});

describe('browser: an owner device manages devices from the session list', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'tether-browser-owner-state-'));
  let cli: CliHost;
  let serverUrl: string;
  let sessionUrl: string;

  before(async () => {
    const { SCRIPTED_AGENT } = await import('../helpers/scripted-agent-command.js');
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--confirm-devices', '--agent', SCRIPTED_AGENT], { TETHER_STATE_DIR: stateDir });
    hosts.push(cli);
    const ready = await cli.event('ready');
    serverUrl = String(ready.serverUrl);
    sessionUrl = String(ready.url);
  });

  after(() => rmSync(stateDir, { recursive: true, force: true }));

  it('a waiting page says so; the owner allows another view-only, which then sees no actions; Remove kicks it', async () => {
    const owner = await (await profile('owner')).newPage();
    await owner.goto(serverUrl);
    await owner.getByText(/Waiting for the host to allow this device/).waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await owner.getByRole('list', { name: 'Sessions' }).count(), 0, 'nothing is served while waiting');
    const first = await cli.event('device-waiting');
    assert.equal((await tether(stateDir, ['devices', 'allow', String(first.deviceId)])).status, 0);
    await waitForLive(owner);
    const panel = owner.getByRole('region', { name: 'Devices' });
    await panel.getByText('(this device)', { exact: false }).waitFor({ timeout: UI_TIMEOUT_MS });

    const viewer = await (await profile('viewer')).newPage();
    await viewer.goto(sessionUrl);
    await viewer.getByText(/Waiting for the host to allow this device/).waitFor({ timeout: UI_TIMEOUT_MS });
    await panel.getByRole('button', { name: /Allow .* view-only/ }).click();
    await waitForLive(viewer);
    await viewer.waitForFunction('document.documentElement.dataset.role === "view"', undefined, { timeout: UI_TIMEOUT_MS });
    // A view-only conversation: no prompt box, no Stop.
    await viewer.getByRole('log').or(viewer.locator('.conversation-stage')).first().waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await viewer.getByRole('textbox', { name: 'Message' }).isVisible(), false);
    assert.equal(await viewer.getByRole('button', { name: 'Stop' }).isVisible(), false);
    // The owner still has them.
    await owner.goto(sessionUrl.replace(/#.*$/, ''));
    await waitForLive(owner);
    // The conversation view is drawn just after the page goes live: wait for it, do not sample it.
    await owner.getByRole('textbox', { name: 'Message' }).waitFor({ timeout: UI_TIMEOUT_MS });

    // Back on the list, the owner removes the viewer.
    await owner.goto(serverUrl.replace(/#.*$/, ''));
    await waitForLive(owner);
    owner.once('dialog', (d) => void d.accept());
    const viewerRow = owner.locator('.device-row').filter({ hasNotText: 'this device' });
    await viewerRow.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await viewerRow.count(), 1);
    assert.equal(await viewerRow.getByRole('combobox').inputValue(), 'view');
    await viewerRow.getByRole('button', { name: /^Remove / }).click();
    await viewer.getByRole('alert').getByRole('heading', { name: 'This device was removed by the host' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await viewerRow.waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
  });
});
