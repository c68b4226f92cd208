/**
 * A phone that can reach the host only through a TURN relay: Chromium in its own network namespace
 * whose traffic is dropped except to the signal server's port and coturn's (iptables inside the
 * namespace). With no setup on the page, it gets minted TURN credentials from the signal server, joins,
 * types, and both the host (--json) and the page list it as relayed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { createTestNetwork, type TestNetwork } from '../helpers/test-network.js';
import { startCoturn, type Coturn } from '../helpers/coturn.js';
import { PHONE_CONTEXT } from '../helpers/chromium.js';
import { typeInTerminal, waitForLine, waitForLive } from '../helpers/terminal-page.js';

let net: TestNetwork;
let coturn: Coturn;
let cli: CliHost;
let browser: Browser;
let page: Page;

before(async () => {
  net = createTestNetwork({ prefix: 'relay', subnet: '10.232' });
  coturn = await startCoturn(net.hostAddress);
  cli = startCli([
    'remote-control', '--json', '--bind', net.hostAddress, '--port', '0', '--spawn', 'session',
    '--ice-server', `turn:${net.hostAddress}:${coturn.port}?transport=udp`, '--turn-secret', coturn.secretFile,
    '--', '/bin/sh',
  ], { PS1: '$ ' });
  const ready = await cli.event('ready');
  const signalPort = Number(new URL(String(ready.url)).port);
  net.allowOnly([{ proto: 'tcp', port: signalPort }, { proto: 'udp', port: coturn.port }]);
  browser = await net.launchChromium();
  page = await (await browser.newContext(PHONE_CONTEXT)).newPage();
  await page.goto(String(ready.url));
});

after(async () => {
  await browser?.close();
  cli?.kill();
  await coturn?.stop();
  net?.destroy();
});

test('the phone joins through the relay, types, and is listed as relayed', async () => {
  await waitForLive(page, 30_000);
  await typeInTerminal(page, 'echo through-$((40+2))\n');
  await waitForLine(page, /^through-42$/);
  const joined = await cli.event('device-joined');
  assert.equal(joined.path, 'relay', 'the host says the device is relayed');
  await page.locator('.device-path[data-path="relay"]').first().waitFor({ state: 'attached', timeout: 10_000 });
  assert.equal(await page.locator('.device-path[data-path="relay"]').first().textContent(), 'relayed');
});
