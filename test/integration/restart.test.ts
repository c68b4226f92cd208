/**
 * Sessions survive their host: a real `tether remote-control` killed with SIGKILL mid-stream and started
 * again in the same folder and state folder takes back its link (same port, same ids), shows every device
 * the history again, ends the program the killed host left behind, and resumes the session on request.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { startPtyCli } from '../helpers/pty-cli.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { freshStateDir } from '../helpers/state-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { processesMatching } from '../helpers/processes.js';
import { readListedSessions, sessionListDocView } from '../../protocol/session-list-doc.js';
import { readTerminal, terminalDocView } from '../../protocol/terminal-doc.js';
import { SessionStore } from '../../host/persist/session-store.js';
import { DocLog } from '../../host/persist/doc-log.js';
import { waitUntilStoredDoc } from '../helpers/stored-doc.js';
import type * as Y from 'yjs';

function terminalText(doc: Y.Doc | null): string {
  return doc ? terminalDocView(doc).output.toArray().join('') : '';
}

/** Waits until `text` is in the session's stored output (stored within FLUSH_MS). */
function waitUntilStored(stateDir: string, sessionId: string, text: string): Promise<void> {
  return waitUntilStoredDoc(stateDir, sessionId, (doc) => terminalText(doc).includes(text), 'the output is stored');
}

const running: CliHost[] = [];
const clients: TestClient[] = [];
after(() => {
  for (const c of clients) c.close();
  for (const h of running) h.kill();
});

/** Starts a host, joins a phone, and has it print `before-42`: shown on the phone and stored. */
async function hostWithHistory(args: string[], env: Record<string, string>, folder: string): Promise<{ first: CliHost; ready: Record<string, unknown>; device: TestClient }> {
  const first = startCli(args, env, folder);
  running.push(first);
  const ready = await first.event('ready');
  const device = await joinClient(String(ready.url), 'phone');
  clients.push(device);
  await device.client.sendIntent({ type: 'input', data: 'echo before-$((40+2))\r' });
  await waitFor(() => device.text().includes('before-42'), 10_000, 'output before the kill');
  await waitUntilStored(env.TETHER_STATE_DIR!, String(ready.sessionId), 'before-42');
  return { first, ready, device };
}


test('a host killed with SIGKILL and started again brings its sessions back on the same link', async () => {
  const stateDir = freshStateDir();
  const folder = mkdtempSync(join(tmpdir(), 'tether-restart-'));
  const marker = `restart-marker-${process.pid}`;
  const args = ['remote-control', '--json', '--local', '--port', '0', '--', '/bin/sh', '-c', `echo started-$$; exec sh # ${marker}`];
  const env = { TETHER_STATE_DIR: stateDir, PS1: '$ ' };
  const { first, ready, device } = await hostWithHistory(args, env, folder);
  const list = await joinClient(String(ready.serverUrl), 'list');
  clients.push(list);
  assert.equal(processesMatching(marker).length > 0, true, 'the program runs');

  first.child.kill('SIGKILL');
  await first.exited;
  await waitFor(() => processesMatching(marker).length === 0, 5000, 'the watchdog ends the program of the killed host');
  await waitFor(() => device.client.state !== 'live', 10_000, 'the device notices');

  const second = startCli(args, env, folder);
  running.push(second);
  const again = await second.event('ready');
  const withoutToken = (url: unknown): string => String(url).split('#')[0]!;
  assert.equal(withoutToken(again.serverUrl), withoutToken(ready.serverUrl), 'the same server link (port and list id; the old token still works)');
  assert.equal(again.sessionId, null, 'no new session is started while one is interrupted');
  await waitFor(() => device.client.state === 'live', 20_000, 'the device is back on its old link');
  assert.ok(device.text().includes('before-42'), 'the history is still there');
  assert.equal(readTerminal(device.client.view).state, 'interrupted');
  const rows = (): string => JSON.stringify(readListedSessions(sessionListDocView(list.client.doc)).map((r) => [r.id, r.state]));
  await waitFor(() => list.client.state === 'live' && rows() === JSON.stringify([[ready.sessionId, 'interrupted']]), 20_000, 'the list device is back, the session listed as interrupted');

  const refused = await device.client.sendIntent({ type: 'input', data: 'echo nope\r' });
  assert.equal(refused.ok ? null : refused.error.code, 'SESSION_INTERRUPTED');
  assert.equal((await device.client.sendIntent({ type: 'resume' })).ok, true);
  await waitFor(() => readTerminal(device.client.view).state === 'running', 10_000, 'running again');
  await waitFor(() => device.text().split('started-').length === 3, 10_000, 'the program printed its first line again');
  await device.client.sendIntent({ type: 'input', data: 'echo after-$((50+8))\r' });
  await waitFor(() => device.text().includes('after-58'), 10_000, 'the resumed program answers');
  const text = device.text();
  assert.ok(text.indexOf('before-42') < text.indexOf('the host restarted') && text.indexOf('the host restarted') < text.indexOf('after-58'), 'old scrollback above, the new run below');
  await waitFor(() => readListedSessions(sessionListDocView(list.client.doc))[0]?.state === 'running', 10_000, 'the list shows it running');

  // What the restarted host added is stored as well, so a second kill keeps it. (Restoring changed the
  // document before it was followed — "interrupted", devices gone — and every later update of that run
  // built on those unstored changes: loaded again, none of them applied.)
  await waitUntilStored(stateDir, String(ready.sessionId), 'after-58');
  assert.equal((await list.client.sendIntent({ type: 'rename-session', sessionId: String(ready.sessionId), name: 'renamed-58' })).ok, true);
  const listId = String(ready.serverUrl).split('/s/')[1]!.split('#')[0]!;
  const storedName = (doc: Y.Doc | null): string | undefined => (doc ? readListedSessions(sessionListDocView(doc))[0]?.name : undefined);
  await waitUntilStoredDoc(stateDir, listId, (doc) => storedName(doc) === 'renamed-58', 'the rename is stored');
  second.child.kill('SIGKILL');
  await second.exited;
  const third = startCli(args, env, folder);
  running.push(third);
  await third.event('ready');
  await waitFor(() => device.client.state === 'live' && readTerminal(device.client.view).state === 'interrupted', 20_000, 'the device is back after the second kill');
  assert.ok(device.text().includes('after-58'), 'the second run\'s output survived the second kill');
  await waitFor(() => list.client.state === 'live' && readListedSessions(sessionListDocView(list.client.doc))[0]?.name === 'renamed-58', 20_000, 'the list keeps the rename made in the second run');
  third.child.kill('SIGTERM');
  await third.exited;
});

test('SIGKILL loses at most the last 100 ms of output; a device that saw more drops its replica for the host\'s', async (t) => {
  const stateDir = freshStateDir();
  const folder = mkdtempSync(join(tmpdir(), 'tether-restart-'));
  // The program prints the time every 5 ms: the last stored line says how much output a kill lost.
  const clock = `${process.execPath} -e "setInterval(() => console.log('at-' + Date.now()), 5)"`;
  const args = ['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh', '-c', clock];
  const env = { TETHER_STATE_DIR: stateDir };
  const first = startCli(args, env, folder);
  running.push(first);
  const ready = await first.event('ready');
  const device = await joinClient(String(ready.url), 'phone');
  clients.push(device);
  let resets = 0;
  device.client.on('reset', () => resets++);
  await waitFor(() => (device.text().match(/at-\d+/g) ?? []).length > 200, 15_000, 'output under way');
  const killedAt = Date.now();
  first.child.kill('SIGKILL');
  await first.exited;
  const seen = Math.max(...(device.text().match(/at-(\d+)/g) ?? []).map((m) => Number(m.slice(3))));
  const store = SessionStore.open(stateDir);
  let stored: number;
  try {
    stored = Math.max(...(terminalText(DocLog.load(store, String(ready.sessionId))?.doc ?? null).match(/at-(\d+)/g) ?? []).map((m) => Number(m.slice(3))));
  } finally {
    await store.close();
  }
  t.diagnostic(`output lost to SIGKILL: ${killedAt - stored} ms (the device had seen ${Math.max(0, seen - stored)} ms more)`);
  assert.ok(killedAt - stored <= 100, `lost ${killedAt - stored} ms of output (last stored line ${stored}, killed at ${killedAt})`);

  // --spawn session: the server's one session comes back running, below the stored output.
  const second = startCli(args, env, folder);
  running.push(second);
  await second.event('ready');
  await waitFor(() => device.client.state === 'live' && /host restarted/.test(device.text()), 20_000, 'the device is back on the resumed session');
  if (seen > stored) assert.ok(resets >= 1, 'a device that saw output the host lost dropped its replica');
  const lines = device.text().match(/at-\d+/g) ?? [];
  assert.equal(new Set(lines).size, lines.length, 'no line twice');
  assert.ok(!lines.some((l) => Number(l.slice(3)) > stored && Number(l.slice(3)) < killedAt), 'nothing the host lost is shown');
});

test('an interactive session is stored, and a server in its folder lists it read-only', async () => {
  const stateDir = freshStateDir();
  const folder = mkdtempSync(join(tmpdir(), 'tether-restart-'));
  const env = { TETHER_STATE_DIR: stateDir };
  const inter = startPtyCli(['--local', '--port', '0', '--', '/bin/sh'], folder, env);
  inter.type('echo inter-$((40+2))\r');
  await inter.waitFor(/inter-42/);
  inter.type('\x1dq');
  assert.equal(await inter.exited, 0);

  const server = startCli(['remote-control', '--json', '--local', '--port', '0', '--no-create-session-in-dir', '--', '/bin/sh'], env, folder);
  running.push(server);
  const ready = await server.event('ready');
  const list = await joinClient(String(ready.serverUrl), 'list');
  clients.push(list);
  const rows = readListedSessions(sessionListDocView(list.client.doc));
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0]!.state, rows[0]!.endedReason], ['ended', 'interactive session (read-only)']);
  const url = String(ready.serverUrl).replace(String(ready.serverUrl).split('/s/')[1]!.split('#')[0]!, rows[0]!.id);
  const reader = await joinClient(url, 'reader');
  clients.push(reader);
  assert.ok(reader.text().includes('inter-42'), 'its output is there');
  const refused = await reader.client.sendIntent({ type: 'input', data: 'echo no\r' });
  assert.equal(refused.ok ? null : refused.error.code, 'SESSION_ENDED');
});

test('a restarted server whose old port is taken says so plainly and serves on another', async () => {
  const stateDir = freshStateDir();
  const folder = mkdtempSync(join(tmpdir(), 'tether-port-'));
  const args = ['remote-control', '--json', '--local', '--port', '0', '--', '/bin/sh'];
  const env = { TETHER_STATE_DIR: stateDir, PS1: '$ ' };
  const first = startCli(args, env, folder);
  running.push(first);
  const port = new URL(String((await first.event('ready')).serverUrl)).port;
  first.child.kill('SIGTERM');
  await first.exited;

  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(Number(port), '127.0.0.1', resolve));
  let secondPort = '';
  try {
    const second = startCli(args, env, folder);
    running.push(second);
    const again = await second.event('ready');
    secondPort = new URL(String(again.serverUrl)).port;
    assert.notEqual(secondPort, port, 'another port');
    const warning = await second.event('error');
    assert.equal(warning.code, 'PORT_CHANGED');
    assert.match(String(warning.message), new RegExp(`port ${port}, which this server used before, is taken`));
    second.child.kill('SIGTERM');
    await second.exited;
  } finally {
    blocker.close();
  }
  // The next start takes back the port it used last (the links it gave out), without a warning.
  const third = startCli(args, env, folder);
  running.push(third);
  const last = await third.event('ready');
  assert.equal(new URL(String(last.serverUrl)).port, secondPort);
  assert.equal(third.events.some((e) => e.event === 'error'), false, 'no warning');
});

/**
 * A TCP relay to `port` that never closes the server's side: when a client goes away its connection to
 * the server stays open, as when a machine dies or its network drops without a word (no FIN reaches the
 * server, which would only notice at socket.io's ping timeout, ~45 s later).
 */
async function silentWhenClientDies(port: number): Promise<{ port: number; close(): void }> {
  const upstreams: Socket[] = [];
  const clients: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    upstreams.push(upstream);
    clients.push(client);
    client.pipe(upstream, { end: false });
    upstream.pipe(client);
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      // The clients' sides too: a device's WebSocket closing through a silent relay waits 30 s for an
      // answer that never comes, and held this file's process that long after its last test.
      for (const u of [...upstreams, ...clients]) u.destroy();
      server.close();
    },
  };
}

test('a host killed while its socket to a standalone signal server stays open comes back at once: it proves it owns its sessions', async () => {
  const signal = startCli(['signal', '--json', '--local', '--port', '0', '--log-level', 'warn']);
  running.push(signal);
  const relay = await silentWhenClientDies(Number((await signal.event('ready')).port));
  try {
    const origin = `http://127.0.0.1:${relay.port}`;
    const stateDir = freshStateDir();
    const folder = mkdtempSync(join(tmpdir(), 'tether-restart-'));
    const args = ['remote-control', '--json', '--signal', origin, '--spawn', 'session', '--', '/bin/sh'];
    const env = { TETHER_STATE_DIR: stateDir, PS1: '$ ' };
    const { first, ready, device } = await hostWithHistory(args, env, folder);

    first.child.kill('SIGKILL');
    await first.exited;
    const second = startCli(args, env, folder);
    running.push(second);
    const again = await second.event('ready', 20_000);
    assert.equal(String(again.serverUrl).split('#')[0], String(ready.serverUrl).split('#')[0], 'the same server link');
    // The signal server still holds the killed host's socket: without the takeover the session would be
    // SESSION_TAKEN for ~45 s.
    await waitFor(() => device.client.state === 'live' && /host restarted/.test(device.text()), 20_000, 'the device is back, on the new host');
    assert.ok(device.text().includes('before-42'), 'the history is still there');
    await device.client.sendIntent({ type: 'input', data: 'echo after-$((50+8))\r' });
    await waitFor(() => device.text().includes('after-58'), 10_000, 'the new host answers');
  } finally {
    relay.close();
  }
});
