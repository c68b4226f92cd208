/** Two devices share one real shell over real WebRTC: typing on one shows on both, and the size policy holds. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHost, joinClient, type TestHost, type TestClient } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';
import { readTerminal } from '../../protocol/terminal-doc.js';

let host: TestHost;
let phone: TestClient;
let laptop: TestClient;

before(async () => {
  host = await startTestHost(['/bin/sh']);
  phone = await joinClient(host.ready.url, 'phone');
  laptop = await joinClient(host.ready.url, 'laptop');
});

after(async () => {
  phone?.close();
  laptop?.close();
  await host?.close();
});

test('input typed on one device shows its output on both', async () => {
  const reply = await phone.client.sendIntent({ type: 'input', data: 'echo $((6*7))\r', cols: 60, rows: 20 });
  assert.equal(reply.ok, true);
  await waitFor(() => /\n42\r?\n/.test(phone.text()) && /\n42\r?\n/.test(laptop.text()), 10_000, '42 on both devices');
});

test('a keystroke is answered after its echo, so the answer never holds the echo up', async () => {
  const count = (text: string, ch: string): number => text.split(ch).length - 1;
  // '#' first: the typed line is a comment, so running it at the end does nothing.
  for (const ch of ['#', 'q', 'j', 'z']) {
    const before = count(phone.text(), ch);
    const reply = await phone.client.sendIntent({ type: 'input', data: ch });
    assert.equal(reply.ok, true);
    assert.ok(count(phone.text(), ch) > before, `the echo of ${ch} had arrived when its reply did`);
  }
  const refused = await phone.client.sendIntent({ type: 'input', data: '' });
  assert.equal(!refused.ok && refused.error.code, 'INTENT_INVALID', 'a refusal is not held');
  assert.equal((await phone.client.sendIntent({ type: 'input', data: '\r' })).ok, true);
});

test('every device is told who is connected, by name, and the document holds none of it', async () => {
  await waitFor(() => laptop.client.presence.devices.length === 2 && phone.client.presence.devices.length === 2, 5000, 'two devices listed on both');
  const names = laptop.client.presence.devices.map((d) => d.name).sort();
  assert.deepEqual(names, ['laptop', 'phone']);
  assert.deepEqual(laptop.client.presence.devices.map((d) => d.peerId).sort(), [laptop.client.peerId, phone.client.peerId].sort(), 'entries name the connections');
  assert.equal(laptop.client.doc.share.has('devices'), false, 'presence is never written into the document');
  const paths = laptop.client.presence.devices.map((d) => d.path);
  assert.deepEqual(paths, ['direct', 'direct'], 'on one machine the host lists both as direct');
});

test('the device that types sets the size; the other one does not fight it', async () => {
  await laptop.client.sendIntent({ type: 'input', data: 'stty size\r', cols: 100, rows: 30 });
  await waitFor(() => phone.text().includes('30 100'), 10_000, 'stty reports the typer\'s size');
  const seen = readTerminal(phone.client.view);
  assert.equal(seen.cols, 100);
  assert.equal(seen.rows, 30);
  assert.equal(seen.sizeOwner, laptop.client.peerId);
  const resize = await phone.client.sendIntent({ type: 'resize', cols: 40, rows: 12 });
  assert.equal(resize.ok, true);
  await waitFor(() => readTerminal(laptop.client.view).cols === 40, 5000, 'resize reaches the other device');
  assert.equal(readTerminal(laptop.client.view).sizeOwner, phone.client.peerId);
});

test('an invalid intent is refused with a code and changes nothing', async () => {
  const before = readTerminal(laptop.client.view);
  const reply = await laptop.client.sendIntent({ type: 'resize', cols: 9999, rows: 12 });
  assert.equal(reply.ok, false);
  assert.equal(!reply.ok && reply.error.code, 'INTENT_INVALID');
  assert.deepEqual(readTerminal(host.terminal.writer.view), before);
  const ok = await laptop.client.sendIntent({ type: 'input', data: 'echo still-$((1+1))\r' });
  assert.equal(ok.ok, true);
  await waitFor(() => phone.text().includes('still-2'), 10_000, 'session still works');
});
