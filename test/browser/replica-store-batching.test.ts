/**
 * A page stores its replica in batches: output arriving as hundreds of small updates costs a handful of
 * IndexedDB write transactions (one per update took a quarter of the page's main thread during a burst),
 * and nothing is lost by it: the page reloaded at once after the last line, with the host gone, shows every
 * line from its replica.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DESKTOP_CONTEXT } from '../helpers/chromium.js';
import { browserSuite } from '../helpers/browser-suite.js';
import { freshStateDir } from '../helpers/state-dir.js';
import { typeInTerminal, UI_TIMEOUT_MS, waitForLine, waitForLive } from '../helpers/terminal-page.js';

const ROWS = 200;

const suite = browserSuite();

/** Counts this page's write transactions on a replica's updates and the sync frames it received (injected before the app). */
const COUNT_UPDATE_WRITES = `(() => {
  window.__updateWrites = 0;
  window.__syncFrames = 0;
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (names, mode, ...rest) {
    const stores = typeof names === 'string' ? [names] : [...names];
    if (mode === 'readwrite' && stores.includes('updates') && this.name.startsWith('tether-replica ')) window.__updateWrites++;
    return transaction.call(this, names, mode, ...rest);
  };
  const Base = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Base {
    createDataChannel(...args) {
      const channel = super.createDataChannel(...args);
      channel.addEventListener('message', (event) => {
        if (event.data && event.data.byteLength && new Uint8Array(event.data, 0, 1)[0] === 2) window.__syncFrames++;
      });
      return channel;
    }
  };
})()`;

const counts = (page: Page): Promise<{ writes: number; frames: number }> =>
  page.evaluate('({ writes: window.__updateWrites, frames: window.__syncFrames })') as Promise<{ writes: number; frames: number }>;

test('output in many small updates is stored in a few writes, and the last of it survives a reload at once', async () => {
  const signal = suite.start(['signal', '--json', '--local', '--port', '0', '--log-level', 'warn']);
  const port = Number((await signal.event('ready')).port);
  const host = suite.start(
    ['remote-control', '--json', '--signal', `http://127.0.0.1:${port}`, '--link-ttl', 'never', '--spawn', 'session', '--', '/bin/sh'],
    { TETHER_STATE_DIR: freshStateDir(), PS1: '$ ' },
  );
  const url = String((await host.event('ready', 30_000)).url);

  const page = await (await suite.browser().newContext(DESKTOP_CONTEXT)).newPage();
  await page.addInitScript(COUNT_UPDATE_WRITES);
  await page.goto(url);
  await waitForLive(page);
  const before = await counts(page);
  const started = Date.now();
  // One line every 10 ms: each is its own PTY read, its own document update and its own frame.
  // The marker is computed by the shell, so the echoed command line cannot match it.
  await typeInTerminal(page, `i=0; while [ $i -lt ${ROWS} ]; do i=$((i+1)); echo "row-$i"; sleep 0.01; done; printf 'DONE-%s\\n' $((6*7))\n`);
  await waitForLine(page, /^DONE-42$/, 30_000);
  const elapsed = Date.now() - started;
  const after = await counts(page);
  const writes = after.writes - before.writes;
  const frames = after.frames - before.frames;
  // At most one write per 100 ms (and the first of a quiet spell): however slowly a loaded machine ran the
  // loop, far fewer writes than updates.
  assert.ok(frames >= ROWS / 2, `only ${frames} updates for ${ROWS} lines: the lines did not come one by one`);
  assert.ok(writes <= Math.ceil(elapsed / 100) + 3 && writes < frames * 0.75, `${writes} writes to the replica for ${frames} updates in ${elapsed} ms`);
  // Gone at once, the page reloaded at once: the last update may still have been waiting for its batch.
  host.child.kill('SIGKILL');
  await host.exited;
  await page.reload();
  await waitForLine(page, /^DONE-42$/, UI_TIMEOUT_MS);
  await page.getByRole('status').filter({ hasText: /Offline — last synced/ }).first().waitFor({ timeout: UI_TIMEOUT_MS });
  const rows = (await page.evaluate(`(() => {
    const b = window.__tether.term.buffer.active;
    const rows = [];
    for (let i = 0; i < b.length; i++) rows.push(b.getLine(i).translateToString(true));
    return rows;
  })()`)) as string[];
  for (let i = 1; i <= ROWS; i++) assert.ok(rows.includes(`row-${i}`), `row-${i} missing from the replica`);
});
