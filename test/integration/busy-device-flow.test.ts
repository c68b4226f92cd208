/**
 * A device too busy to apply output as fast as it comes (a phone drawing a burst) is sent the newest state
 * instead of every update: it says how much it applied, and the host, once a device is more than
 * 2 MiB behind, stops sending it updates and sends one diff when it has caught up. The device then
 * receives a fraction of a 20 MB burst and still ends with the exact last screen. The host runs in its own
 * process, so the busy device does not slow it down.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';

const BURST_BYTES = 20_000_000;
const LINE = 'x'.repeat(100);
/**
 * How long the busy device spends per MB it applies (a phone parsing and drawing it; desktop Chromium
 * spends ~150–250 ms): without flow control the burst would take it 8 s, far longer than the host needs.
 */
const BUSY_MS_PER_MB = 400;

let cli: CliHost;
let url: string;
const devices: TestClient[] = [];

before(async () => {
  cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
  url = String((await cli.event('ready')).url);
});

after(async () => {
  for (const d of devices) d.close();
  cli?.kill();
  await cli?.exited;
});

/** Bytes of updates `device` applied (what the host sent it) from now on. */
function countReceived(device: TestClient): () => number {
  let bytes = 0;
  device.client.doc.on('update', (update: Uint8Array) => (bytes += update.length));
  return () => bytes;
}

/** Runs a burst ending in END-`marker` from `device` and waits until it shows that marker. */
async function burst(device: TestClient, marker = 42, whileRunning: () => Promise<void> = async () => undefined): Promise<void> {
  // The marker is computed by the shell, so the echoed command line cannot match it.
  const reply = await device.client.sendIntent({ type: 'input', data: `head -c ${BURST_BYTES} /dev/zero | tr '\\0' x | fold -w 100; printf '\\nEND-%s\\n' $((${marker}+0))\r`, cols: 120, rows: 40 });
  assert.equal(reply.ok, true);
  await whileRunning();
  const end = new RegExp(`\\nEND-${marker}\\r?\\n`);
  await waitFor(() => end.test(device.text()), 120_000, `the burst to END-${marker} on the device`);
}

/** The lines just before the marker: the exact end of the burst. */
function lastLines(device: TestClient, marker = 42): string[] {
  const text = device.text();
  const end = text.lastIndexOf(`END-${marker}`);
  return text.slice(0, end).split(/\r?\n/).filter(Boolean).slice(-20);
}

/** Joins a device that spends BUSY_MS_PER_MB on what it applies. */
async function busyDevice(name: string): Promise<TestClient> {
  const device = await joinClient(url, name);
  devices.push(device);
  device.client.doc.on('update', (update: Uint8Array) => {
    const until = performance.now() + (update.length / 1e6) * BUSY_MS_PER_MB;
    while (performance.now() < until); // the device's main thread, busy drawing
  });
  return device;
}

test('a busy device is sent the newest state instead of every update, and ends with the exact last screen', async () => {
  const busy = await busyDevice('busy phone');
  const received = countReceived(busy);
  await burst(busy);
  assert.deepEqual(lastLines(busy), Array(20).fill(LINE), 'the busy device ends with the exact last screen');
  assert.ok(received() < (BURST_BYTES * 3) / 4, `the busy device was sent ${received()} bytes of a ${BURST_BYTES}-byte burst`);
  assert.ok(busy.resets() >= 1, 'it redrew from what the document keeps');
  busy.close();
});

test('a busy device whose connection drops while it is behind comes back exact, and is flow-controlled again', async () => {
  const busy = await busyDevice('busy phone, dropped');
  const received = countReceived(busy);
  // Dropped once it has fallen behind (it has applied a megabyte, far less than the host has sent).
  await burst(busy, 43, async () => {
    await waitFor(() => received() > 1_000_000, 60_000, 'the busy device to apply a megabyte');
    busy.client.dropConnection();
  });
  assert.deepEqual(lastLines(busy, 43), Array(20).fill(LINE), 'back, it ends with the exact last screen');
  // On the new connection the counts start again on both sides: the next burst is not sent whole, nor stuck.
  const again = countReceived(busy);
  await burst(busy, 44);
  assert.deepEqual(lastLines(busy, 44), Array(20).fill(LINE));
  assert.ok(again() < (BURST_BYTES * 3) / 4, `after the reconnect the busy device was sent ${again()} bytes of a ${BURST_BYTES}-byte burst`);
  busy.close();
});
