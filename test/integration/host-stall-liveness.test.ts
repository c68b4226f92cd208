/**
 * The host drops a device that has been silent too long — but a check that runs late because the host
 * itself was not running (a loaded machine, a garbage collection, a stopped laptop) does not judge: the
 * device's frames may be waiting behind that very timer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHost, type TestHost } from '../helpers/terminal-host.js';
import { connectRawPeer, type RawPeer } from '../helpers/raw-peer.js';
import { waitFor } from '../helpers/wait-for.js';
import { FrameTag } from '../../protocol/frames.js';
import { DEVICE_SILENCE_MS } from '../../host/core/device-connection.js';

let host: TestHost | undefined;
let raw: RawPeer | undefined;
before(async () => {
  host = await startTestHost(['/bin/sh']);
});
after(async () => {
  raw?.close();
  await host?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Blocks this process (the host runs in it) as a stall would. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: nothing else in this process runs
  }
}

test('a host that was stalled does not drop a device whose frame came in meanwhile', async () => {
  raw = await connectRawPeer(host!.ready.url);
  await raw.sayHello();
  // The raw peer does not answer the host's pings: after its hello it stays silent for most of the time
  // the host allows...
  await sleep(DEVICE_SILENCE_MS - 1_500);
  // ...then speaks, and the host is stalled before it reads that: its check falls due meanwhile.
  const marker = Uint8Array.of(7, 7, 7);
  raw.link.send(FrameTag.ping, marker);
  stall(2_500);
  await waitFor(() => raw!.frames.some((f) => f.tag === FrameTag.pong && Buffer.from(f.payload).equals(Buffer.from(marker))) || raw!.closedWith() !== undefined, 10_000, 'the pong or the close');
  assert.equal(raw.closedWith(), undefined, `the host dropped the device: ${String(raw.closedWith()?.message)}`);
});

test('a device that stays silent is dropped', async () => {
  assert.ok(raw, 'the first test connected the raw peer');
  const since = Date.now();
  await waitFor(() => raw!.closedWith() !== undefined, DEVICE_SILENCE_MS + 5_000, 'the host to drop the silent device');
  assert.ok(Date.now() - since >= DEVICE_SILENCE_MS - 3_000, 'it was dropped for its silence, not at once');
});

test('a host that is late at every turn still drops a silent device', async () => {
  const silent = await connectRawPeer(host!.ready.url);
  await silent.sayHello();
  // Every turn of this process's loop (the host's) is blocked for longer than the check's grace.
  const busy = setInterval(() => stall(1_600), 0);
  try {
    await waitFor(() => silent.closedWith() !== undefined, 60_000, 'the host to drop the silent device');
  } finally {
    clearInterval(busy);
    silent.close();
  }
});
