/**
 * `tether remote-control --tls-cert/--tls-key` (issue #12, "HTTPS where a user wants it"): the real CLI
 * serves the page over https with the given certificate, its links use https, the host reaches its own
 * embedded server over TLS, and a phone on that origin is a secure context that registers the service worker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:https';
import { readFileSync, rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-tls.js';
import { UI_TIMEOUT_MS, waitForLive } from '../helpers/terminal-page.js';
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

describe('remote-control over https', () => {
  let certs: TestCertificates;
  let cli: CliHost | undefined;
  let browser: Browser | undefined;

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
    assert.match(String(ready.url), /^https:\/\//, 'the session link is https');
    const page = await fetchWithCa(serverUrl, readFileSync(certs.ca, 'utf8'));
    assert.equal(page.status, 200);
    assert.equal(page.subject, '127.0.0.1', 'served with the certificate given by --tls-cert');

    // Chromium registers service workers on a certificate it does not trust only with this flag.
    browser = await launchChromium(['--ignore-certificate-errors']);
    const context = await browser.newContext({ ...PHONE_CONTEXT, ignoreHTTPSErrors: true });
    const phone = await context.newPage();
    await phone.goto(serverUrl);
    await waitForLive(phone);
    assert.equal(await phone.evaluate('window.isSecureContext'), true);
    await waitFor(async () => (await phone.evaluate('navigator.serviceWorker.getRegistrations().then((r) => r.length)')) === 1, UI_TIMEOUT_MS, 'service worker registered');
  });
});
