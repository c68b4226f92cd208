/**
 * `tether remote-control --tls-cert/--tls-key` (issue #12, "HTTPS where a user wants it"): the real CLI
 * serves the page over https with the given certificate, its links use https, the host reaches its own
 * embedded server over TLS, and a phone on that origin is a secure context that registers the service worker,
 * has nothing in the way of installing the app, and opens it again from the worker's cache onto its replica
 * once the computer is gone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, launchChromiumProfile, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-tls.js';
import { typeInTerminal, UI_TIMEOUT_MS, waitForLine, waitForLive } from '../helpers/terminal-page.js';
import { waitFor } from '../helpers/wait-for.js';

/** GETs `url` trusting only `ca`; resolves with the status and the certificate's subject. */
function fetchWithCa(url: string, ca: string): Promise<{ status: number; subject: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca }, (res) => {
      const subject = String((res.socket as import("node:tls").TLSSocket).getPeerCertificate().subject.CN ?? "")
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, subject }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Waits until the service worker controls `page` (it answers the page's loads from then on). */
async function waitForServiceWorker(page: Page): Promise<void> {
  await waitFor(async () => (await page.evaluate('navigator.serviceWorker.controller !== null')) === true, UI_TIMEOUT_MS, 'the page is under the service worker');
}

describe('remote-control over https', () => {
  let certs: TestCertificates;
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let phone: Page;
  let sessionUrl: string;

  before(() => {
    certs = makeTestCertificates();
  });

  after(async () => {
    await browser?.close();
    if (cli) {
      cli.kill();
      await cli.exited;
    }
    rmSync(certs.dir, { recursive: true, force: true });
  });

  it('serves the page with the given certificate, links use https, and the phone gets a secure context', async () => {
    cli = startCli(['remote-control', 'secure', '--json', '--local', '--port', '0', '--tls-cert', certs.cert, '--tls-key', certs.key, '--', '/bin/sh']);
    const ready = await cli.event('ready', 30_000);
    const serverUrl = String(ready.serverUrl);
    assert.match(serverUrl, /^https:\/\/127\.0\.0\.1:\d+\//, 'the server link is https');
    sessionUrl = String(ready.url);
    assert.match(sessionUrl, /^https:\/\//, 'the session link is https');
    const page = await fetchWithCa(serverUrl, readFileSync(certs.ca, 'utf8'));
    assert.equal(page.status, 200);
    assert.equal(page.subject, '127.0.0.1', 'served with the certificate given by --tls-cert');

    // Chromium registers service workers on a certificate it does not trust only with this flag.
    browser = await launchChromium(['--ignore-certificate-errors']);
    const context = await browser.newContext({ ...PHONE_CONTEXT, ignoreHTTPSErrors: true });
    phone = await context.newPage();
    await phone.goto(serverUrl);
    await waitForLive(phone);
    assert.equal(await phone.evaluate('window.isSecureContext'), true);
    await waitFor(async () => (await phone.evaluate('navigator.serviceWorker.getRegistrations().then((r) => r.length)')) === 1, UI_TIMEOUT_MS, 'service worker registered');
  });

  it('is installable: Chromium finds nothing in the way (manifest, icons, service worker, secure origin)', async () => {
    assert.ok(phone, 'the first test opened the page');
    const profile = mkdtempSync(join(tmpdir(), 'tether-profile-'));
    const installer = await launchChromiumProfile(profile, { ...PHONE_CONTEXT, ignoreHTTPSErrors: true }, ['--ignore-certificate-errors']);
    try {
      const page = installer.pages()[0] ?? (await installer.newPage());
      await page.goto(sessionUrl);
      await waitForLive(page);
      await waitForServiceWorker(page);
      const cdp = await installer.newCDPSession(page);
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
      assert.deepEqual(installabilityErrors.map((e) => e.errorId), []);
    } finally {
      await installer.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('opens again from the service worker\'s cache with the computer gone, onto the terminal the phone kept', async () => {
    assert.ok(phone, 'the first test opened the page');
    await phone.goto(sessionUrl);
    await waitForLive(phone);
    await waitForServiceWorker(phone);
    await typeInTerminal(phone, 'echo kept-$((6*7))\r');
    await waitForLine(phone, /^kept-42/);

    // The host is the page's only server: once it is killed, nothing but the worker's cache can serve the app.
    cli!.child.kill('SIGKILL');
    await cli!.exited;
    cli = undefined;
    await phone.reload();
    await waitForLine(phone, /^kept-42/);
    await phone.getByRole('status').filter({ hasText: /Offline — last synced/ }).first().waitFor({ timeout: UI_TIMEOUT_MS });
  });
});
