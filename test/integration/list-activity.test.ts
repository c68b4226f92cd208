/**
 * A busy session does not rewrite its row in the session list over and over: every overwrite of a Yjs
 * value stays in the list's document as a tombstone, so a row refreshed ten times a second while a
 * program streams grew the document (and every device's copy) without end. Its last activity is written
 * at most every 15 s; real changes (state, devices) still show at once.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';

let host: CliHost | null = null;
const open: TestClient[] = [];
after(async () => {
  for (const c of open) c.close();
  host?.kill();
  await host?.exited;
});

test('a session streaming output for 3 s changes its list row at most once or twice', async () => {
  host = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh', '-c', 'while :; do echo tick; sleep 0.005; done']);
  const ready = await host.event('ready');
  const session = await joinClient(String(ready.url), 'watcher');
  open.push(session);
  await waitFor(() => session.text().includes('tick'), 10_000, 'output flows');
  const list = await joinClient(String(ready.serverUrl), 'list watcher');
  open.push(list);
  let listUpdates = 0;
  list.client.doc.on('update', () => listUpdates++);
  const outputBefore = session.text().length;
  await new Promise((r) => setTimeout(r, 3000));
  assert.ok(session.text().length - outputBefore > 1000, 'the program kept streaming');
  assert.ok(listUpdates <= 2, `the list changed ${listUpdates} times while only output flowed`);
});
