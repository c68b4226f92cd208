/**
 * A page comes back within seconds after a long outage. Chromium holds back a page's new WebSockets by
 * 1–5 s once failed ones far outnumber those that connected (counted over the last 2–4 minutes), and a
 * connection attempt given up before it even started counts as one more failure: with attempts given
 * up after 1.5 s, a page stayed "cannot reach the signal server" long after it was back (seen in the
 * fault suite's long runs). Here the signal server is down, with the page's connection to the host
 * broken; the page first fails sockets of its own to the dead port (as ~40 s of its retries would: the
 * hold-back then starts at once instead of after them), keeps retrying under the hold-back for a while,
 * then the server comes back on its port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP_CONTEXT } from '../helpers/chromium.js';
import { browserSuite } from '../helpers/browser-suite.js';
import { freshStateDir } from '../helpers/state-dir.js';
import { waitForLive } from '../helpers/terminal-page.js';

const suite = browserSuite();

/** Past 16 failures per success, every new WebSocket of the page waits 1–5 s before it is even tried. */
const FAILED_SOCKETS = 40;
/** How long the page's own attempts then meet the hold-back before the server comes back. */
const OUTAGE_MS = 10_000;
/** The longest Chromium then holds one back, the host's own reconnect (up to 2 s), the handshakes. */
const BACK_WITHIN_MS = 10_000;

test('after a long outage a page is live again within seconds of the signal server coming back', async () => {
  const signalArgs = (port: number): string[] => ['signal', '--json', '--local', '--port', String(port), '--log-level', 'warn'];
  const signal = suite.start(signalArgs(0));
  const port = Number((await signal.event('ready')).port);
  const host = suite.start(['remote-control', '--json', '--signal', `http://127.0.0.1:${port}`, '--link-ttl', 'never', '--', '/bin/sh'], { TETHER_STATE_DIR: freshStateDir() });
  const url = String((await host.event('ready', 30_000)).url);

  const context = await suite.browser().newContext(DESKTOP_CONTEXT);
  const page = await context.newPage();
  await page.goto(url);
  await waitForLive(page, 30_000);

  signal.child.kill('SIGKILL');
  await signal.exited;
  // The page's connection to the host breaks too (as a network outage would break it): to come back it
  // needs the signal server, and every attempt meanwhile fails.
  await page.evaluate(() => (window as unknown as { __tether: { client: { connection: { dropConnection(): void } } } }).__tether.client.connection.dropConnection());
  const failed = await page.evaluate(
    ({ url, n }) =>
      Promise.all(
        Array.from({ length: n }, () => new Promise<boolean>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve(false);
          ws.onclose = () => resolve(true);
        })),
      ).then((closed) => closed.filter(Boolean).length),
    { url: `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, n: FAILED_SOCKETS },
  );
  assert.equal(failed, FAILED_SOCKETS, 'every socket to the dead port failed');
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  const again = suite.start(signalArgs(port));
  await again.event('ready');
  const back = Date.now();
  await waitForLive(page, 60_000);
  const took = Date.now() - back;
  await context.close();
  assert.ok(took <= BACK_WITHIN_MS, `live again ${took} ms after the signal server came back (at most ${BACK_WITHIN_MS} ms)`);
});
