/**
 * The real `tether remote-control` process: it ends cleanly within 2 s on Ctrl-C and SIGTERM (program
 * killed, port released, no orphan), and when its program exits it reports the exit code and exits too.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { settledOr, waitFor } from '../helpers/wait-for.js';
import { processesMatching } from '../helpers/processes.js';

const running: CliHost[] = [];
const clients: TestClient[] = [];
after(() => {
  for (const c of clients) c.close();
  for (const h of running) h.kill();
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}


for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} ends the host, its program and its port within 2 s`, async () => {
    const marker = `tether-test-${signal}-${process.pid}`;
    const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--', '/bin/sh', '-c', `sleep 1000 # ${marker}`]);
    running.push(cli);
    const ready = await cli.event('ready');
    const port = Number(new URL(String(ready.signal)).port);
    const device = await joinClient(String(ready.url), 'watcher');
    clients.push(device);
    assert.equal(await portOpen(port), true);
    assert.equal(processesMatching(marker).length > 0, true, 'program is running');
    const t0 = Date.now();
    cli.child.kill(signal);
    const code = await settledOr(cli.exited, 5000, 'still running');
    const elapsed = Date.now() - t0;
    assert.notEqual(code, 'still running');
    assert.equal(code, 0);
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    assert.equal(await portOpen(port), false, 'port released');
    assert.deepEqual(processesMatching(marker), [], 'no orphaned program');
    await waitFor(() => device.client.state !== 'live', 10_000, 'device notices the host left');
  });
}

test('when the program exits, devices see the exit code and the host exits with it', async () => {
  const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--agent', 'pty:read line; echo "bye $line"; exit 3']);
  running.push(cli);
  const ready = await cli.event('ready');
  assert.equal(cli.events[0]!.event, 'ready', 'ready is the first line');
  assert.equal((await cli.event('session-started')).sessionId, ready.sessionId, 'then the session it started');
  const device = await joinClient(String(ready.url), 'phone');
  clients.push(device);
  const joined = await cli.event('device-joined');
  assert.equal(joined.name, 'phone');
  assert.equal(joined.path, 'direct', 'device-joined says how the device is connected');
  await device.client.sendIntent({ type: 'input', data: 'now\r' });
  const exitedEvent = await cli.event('session-ended');
  assert.equal(exitedEvent.exitCode, 3);
  assert.equal((await cli.event('session-exited')).exitCode, 3);
  assert.equal(await cli.exited, 3);
  await waitFor(() => device.text().includes('bye now'), 5000, 'last output reached the device');
  assert.equal(device.client.view.term.get('state'), 'exited');
  assert.equal(device.client.view.term.get('exitCode'), 3);
});

test('a program killed by a signal is reported as killed by it, not as exiting with code 0', async () => {
  const marker = `tether-test-killed-${process.pid}`;
  const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh', '-c', `sleep 1000; : ${marker}`]);
  running.push(cli);
  const ready = await cli.event('ready');
  const device = await joinClient(String(ready.url), 'phone');
  clients.push(device);
  // The program itself, not tether (whose own command line holds the marker too).
  const [pid] = processesMatching(marker).filter((l) => !l.includes('tether.js')).map((l) => Number(l.trim().split(/\s+/)[0]));
  assert.ok(pid, 'the program runs');
  process.kill(pid, 'SIGKILL');
  const ended = await cli.event('session-ended');
  assert.equal(ended.reason, 'killed by SIGKILL');
  assert.equal(ended.exitCode, null);
  assert.equal(ended.signal, 'SIGKILL');
  assert.equal(await cli.exited, 128 + 9, 'exits as a shell reports a killed program');
  assert.equal(device.client.view.term.get('exitSignal'), 9);
});

test('bad flags exit with status 2 and one clear line', async () => {
  for (const args of [['remote-control', '--port', 'x'], ['remote-control', '--frobnicate'], ['bogus']]) {
    const cli = startCli(args);
    running.push(cli);
    assert.equal(await cli.exited, 2, args.join(' '));
    const lines = cli.stderr().trim().split('\n');
    assert.equal(lines.length, 1, cli.stderr());
    assert.match(lines[0]!, /^tether: .*\(BAD_FLAG\)$/);
  }
});

test('a taken port given explicitly is a clear error', async () => {
  const first = startCli(['remote-control', '--json', '--local', '--port', '0', '--', '/bin/sh']);
  running.push(first);
  const port = new URL(String((await first.event('ready')).signal)).port;
  const second = startCli(['remote-control', '--json', '--local', '--port', port, '--', '/bin/sh']);
  running.push(second);
  assert.equal(await second.exited, 2, 'a usage error: change --port');
  assert.match(second.stderr(), /port \d+ is already in use.*\(BAD_CONFIG\)/);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);
});
