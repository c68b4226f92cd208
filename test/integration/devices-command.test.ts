/**
 * `tether devices` run in another terminal reaches the running host through its control socket (mode
 * 0600 in the 0700 state folder): it lists devices, allows a waiting one (the host's --json said
 * device-waiting), and revokes by the deviceId that --json's device-joined reported — the device is kicked
 * at once. With no host running it changes the trust store directly. Bad socket messages are refused.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../host/package-paths.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { joinDevice, openDevice, startTrustHost, type TrustDevice } from '../helpers/trust-host.js';
import { startControlSocket } from '../../host/trust/control-socket.js';
import { LOCAL_ACTOR } from '../../host/core/session-core.js';
import { pino } from 'pino';
import { waitFor } from '../helpers/wait-for.js';

const stateDir = mkdtempSync(join(tmpdir(), 'tether-devices-'));
const devices: TrustDevice[] = [];
let cli: CliHost | null = null;
after(() => {
  for (const d of devices) d.close();
  cli?.kill();
  rmSync(stateDir, { recursive: true, force: true });
});

function tether(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(packageRoot(), 'bin', 'tether.js'), ...args], { env: { ...process.env, TETHER_STATE_DIR: stateDir }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('tether devices reaches the running host: list, allow a waiting device, revoke (kicked at once)', async () => {
  cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--confirm-devices', '--spawn', 'session', '--', '/bin/sh'], { TETHER_STATE_DIR: stateDir, PS1: '$ ' });
  const ready = await cli.event('ready');
  const socket = readdirSync(stateDir).find((n) => n.startsWith('control-'));
  assert.ok(socket, 'the host listens on a control socket');
  assert.equal(statSync(join(stateDir, socket)).mode & 0o777, 0o600);
  assert.equal(statSync(stateDir).mode & 0o777, 0o700);

  const phone = openDevice(String(ready.url), 'Pixel 8');
  devices.push(phone);
  const waiting = await cli.event('device-waiting');
  assert.equal(waiting.name, 'Pixel 8');
  const listed = JSON.parse((await tether(['devices', '--json'])).stdout) as { devices: Array<{ deviceId: string; pending: boolean }> };
  assert.ok(listed.devices.some((d) => d.deviceId === waiting.deviceId && d.pending));
  const allowed = await tether(['devices', 'allow', String(waiting.deviceId), '--json']);
  assert.equal(allowed.status, 0, allowed.stderr);
  await waitFor(() => phone.client.state === 'live', 10_000, 'allowed from another terminal');
  const joined = await cli.event('device-joined');
  assert.equal(joined.deviceId, waiting.deviceId, 'the id device-joined reports is the one tether devices takes');
  assert.ok(cli.events.some((e) => e.event === 'device-paired' && e.deviceId === waiting.deviceId));

  const text = await tether(['devices']);
  assert.match(text.stdout, new RegExp(`${String(joined.deviceId)}  Pixel 8 \\(terminal\\)  owner  online`));
  const revoked = await tether(['devices', 'revoke', String(joined.deviceId)]);
  assert.equal(revoked.status, 0, revoked.stderr);
  assert.match(revoked.stdout, /revoked \(1 running host told\)/);
  await waitFor(() => phone.client.state === 'failed', 5000, 'kicked at once');
  assert.equal(phone.client.error?.code, 'DEVICE_REVOKED');
  await waitFor(() => cli!.events.some((e) => e.event === 'device-revoked' && e.deviceId === joined.deviceId), 5000, '--json device-revoked');
  const unknown = await tether(['devices', 'revoke', String(joined.deviceId)]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /DEVICE_UNKNOWN/);
});

test('the control socket refuses malformed and oversized messages with CONTROL_INVALID and carries on', async () => {
  const socket = join(stateDir, readdirSync(stateDir).find((n) => n.startsWith('control-'))!);
  const ask = (line: string): Promise<string> => new Promise((resolve, reject) => {
    const s = createConnection(socket);
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\n')) {
        s.destroy();
        resolve(got.trim());
      }
    });
    s.on('error', reject);
    s.write(line);
  });
  for (const bad of ['not json\n', '{"v":1,"action":"revoke","deviceId":"../../etc"}\n', '{"v":1,"action":"rm -rf"}\n', '{"v":2,"action":"list"}\n', `${'x'.repeat(5000)}`]) {
    const reply = JSON.parse(await ask(bad)) as { ok: boolean; error?: { code: string } };
    assert.equal(reply.ok, false, bad.slice(0, 40));
    assert.equal(reply.error?.code, 'CONTROL_INVALID');
  }
  const list = JSON.parse(await ask('{"v":1,"action":"list"}\n')) as { ok: boolean };
  assert.equal(list.ok, true);
});

test('with no host running, tether devices changes the trust store itself', async () => {
  cli?.kill();
  await cli?.exited;
  cli = null;
  const host = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { TETHER_STATE_DIR: stateDir, PS1: '$ ' });
  const ready = await host.event('ready');
  const laptop = await joinDevice(String(ready.url), 'laptop');
  devices.push(laptop);
  const id = laptop.client.connection.hostHello!.deviceId;
  laptop.close();
  host.kill();
  await host.exited;
  const renamed = await tether(['devices', 'rename', id, 'work laptop']);
  assert.equal(renamed.status, 0, renamed.stderr);
  const role = await tether(['devices', 'role', id, 'view']);
  assert.equal(role.status, 0, role.stderr);
  const listed = JSON.parse((await tether(['devices', '--json'])).stdout) as { devices: Array<{ deviceId: string; name: string; role: string; online: boolean }> };
  assert.deepEqual(listed.devices.filter((d) => d.deviceId === id).map((d) => [d.name, d.role, d.online]), [['work laptop', 'view', false]]);
  const revoked = await tether(['devices', 'revoke', id, '--json']);
  assert.equal(JSON.parse(revoked.stdout).ok, true);
  const none = JSON.parse((await tether(['devices', '--json'])).stdout) as { devices: unknown[] };
  assert.equal(none.devices.length, 0);
});

test('a revocation made on one host (its status screen, chat or an owner device) reaches the user\'s other running hosts', async () => {
  const other = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { TETHER_STATE_DIR: stateDir, PS1: '$ ' });
  cli = other;
  const ready = await other.event('ready');
  const tablet = await joinDevice(String(ready.url), 'tablet');
  devices.push(tablet);
  const here = await startTrustHost([], ['--', '/bin/sh'], stateDir);
  const closeSocket = await startControlSocket(stateDir, here.trust, pino({ level: 'silent' }));
  try {
    assert.equal(here.trust.revoke(tablet.client.connection.hostHello!.deviceId, LOCAL_ACTOR), null);
    await waitFor(() => tablet.client.state === 'failed', 5000, 'kicked from the other host');
    assert.equal(tablet.client.error?.code, 'DEVICE_REVOKED');
  } finally {
    await closeSocket?.();
    await here.close();
  }
});
