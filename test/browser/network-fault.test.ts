/**
 * A phone that loses the network for a few seconds while output continues shows everything once it is
 * back: Chromium in its own network namespace, the link really cut (see test/helpers/test-network.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { createTestNetwork, type TestNetwork } from '../helpers/test-network.js';
import { PHONE_CONTEXT } from '../helpers/chromium.js';
import { typeInTerminal, waitForLive, UI_TIMEOUT_MS } from '../helpers/terminal-page.js';
import { waitFor } from '../helpers/wait-for.js';

let net: TestNetwork;
let cli: CliHost;
let browser: Browser;
let page: Page;

before(async () => {
  net = createTestNetwork();
  cli = startCli(['remote-control', '--json', '--bind', net.hostAddress, '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
  const ready = await cli.event('ready');
  browser = await net.launchChromium();
  page = await (await browser.newContext(PHONE_CONTEXT)).newPage();
  await page.goto(String(ready.url));
  await waitForLive(page);
});

after(async () => {
  await browser?.close();
  cli?.kill();
  net?.destroy();
});

/** Every line in the page's terminal, scrollback included. */
function terminalLines(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    const term = (window as unknown as { __tether: { term: { buffer: { active: { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined } } } } }).__tether.term;
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines;
  });
}

test('output produced while the link is down arrives, all of it exactly once, when it is back', async () => {
  await typeInTerminal(page, 'i=0; while [ $i -lt 40 ]; do echo "tick $i"; i=$((i+1)); sleep 0.2; done; echo all-done\n');
  await waitFor(async () => (await terminalLines(page)).some((l) => l === 'tick 2'), UI_TIMEOUT_MS, 'output under way');
  net.cut();
  const cutAt = (await terminalLines(page)).filter((l) => /^tick \d+$/.test(l)).length;
  await new Promise((r) => setTimeout(r, 4000)); // the outage itself: output keeps coming on the host
  const duringCut = (await terminalLines(page)).filter((l) => /^tick \d+$/.test(l)).length;
  net.restore();
  await waitFor(async () => (await terminalLines(page)).includes('all-done'), 60_000, 'everything after the outage');
  const ticks = (await terminalLines(page)).filter((l) => /^tick \d+$/.test(l));
  assert.ok(cutAt < 30, `the cut happened mid-stream (${cutAt} ticks before it)`);
  assert.ok(duringCut <= cutAt + 1, `the link was really down: ${duringCut - cutAt} ticks arrived during the outage`);
  assert.deepEqual(ticks, Array.from({ length: 40 }, (_, i) => `tick ${i}`), 'every line once, in order');
});
