/**
 * A server that closes (a one-session host whose program exited, Ctrl-C, SIGTERM) ends each device's
 * connection gracefully and waits for it, bounded: when close() resolves the process may exit at once, and
 * what was already sent has reached the devices, closed in order, rather than dying in libdatachannel's
 * queues with the process (seen once in a CI run: a device missed the program's last line).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinClient, startTestHost, type TestClient, type TestHost } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';

const clients: TestClient[] = [];
const hosts: TestHost[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const h of hosts) await h.close();
});

test('close() resolves once every device connection has closed, and the device saw its last output first', async () => {
  const host = await startTestHost(['/bin/sh']);
  hosts.push(host);
  const phone = await joinClient(host.ready.url, 'phone');
  const laptop = await joinClient(host.ready.url, 'laptop');
  clients.push(phone, laptop);
  await phone.client.sendIntent({ type: 'input', data: 'echo last-$((40+2))\r' });
  await waitFor(() => phone.text().includes('last-42'), 10_000, 'output on the phone');
  const links = host.host.endpoint.devices.map((c) => c.link);
  assert.equal(links.length, 2);
  await host.host.close();
  assert.deepEqual(links.map((l) => l.destroyed), [true, true], 'every device connection has closed when close() resolves');
  await waitFor(() => phone.client.state !== 'live' && laptop.client.state !== 'live', 5000, 'both devices to see the host go');
  assert.ok(laptop.text().includes('last-42'), 'the other device had the last output before its connection closed');
});
