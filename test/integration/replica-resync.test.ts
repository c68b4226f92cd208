/**
 * A device that was away receives what it missed, not the history: it loads its stored replica before
 * the first open, and the host answers its state vector with the difference. Measured on the wire:
 * bytes received on rejoining ≤ 1.1 × the bytes of the updates the host made while it was away.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionClient } from '../../client/core/session-client.js';
import { MemoryReplicaStore } from '../../client/core/replica-store.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { startTestHost, type TestHost } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';
import { newKey } from '../../protocol/ids.js';
import * as Y from 'yjs';

const hosts: TestHost[] = [];
const clients: SessionClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const h of hosts) await h.close();
});

function device(url: string, replicas: MemoryReplicaStore): SessionClient {
  const c = new SessionClient({ url, wrtc: nodeWebRtc, deviceName: 'phone', deviceKind: 'terminal', replicas });
  clients.push(c);
  c.start();
  return c;
}

const output = (c: SessionClient): string => c.view.output.toArray().join('');

test('a device away while output continued receives about what it missed, not the history', async (t) => {
  const host = await startTestHost(['/bin/sh']);
  hosts.push(host);
  const replicas = new MemoryReplicaStore();
  const first = device(host.ready.url, replicas);
  await waitFor(() => first.state === 'live', 15_000, 'first visit live');
  await first.sendIntent({ type: 'input', data: 'i=0; while [ $i -lt 3000 ]; do echo "history line $i ................................................"; i=$((i+1)); done\r' });
  await waitFor(() => output(first).includes('history line 2999'), 30_000, 'the history');
  first.close();

  // Away: the host writes more, and its document changes by `missed` bytes of updates.
  let missed = 0;
  const count = (update: Uint8Array): void => void (missed += update.length);
  host.terminal.doc.on('update', count);
  const typer = device(host.ready.url, new MemoryReplicaStore());
  await waitFor(() => typer.state === 'live', 15_000, 'another device live');
  await typer.sendIntent({ type: 'input', data: 'i=0; while [ $i -lt 500 ]; do echo "while away $i ................................................"; i=$((i+1)); done\r' });
  await waitFor(() => output(typer).includes('while away 499'), 30_000, 'output while away');
  host.terminal.doc.off('update', count);

  const back = device(host.ready.url, replicas);
  await waitFor(() => back.state === 'live', 15_000, 'back');
  assert.equal(output(back), host.terminal.writer.view.output.toArray().join(''), 'the replica equals the host document');
  const fresh = device(host.ready.url, new MemoryReplicaStore());
  await waitFor(() => fresh.state === 'live', 15_000, 'a device with no replica');
  t.diagnostic(`missed ${missed} B of updates; the returning device received ${back.connection.bytesIn} B; a device with no replica ${fresh.connection.bytesIn} B`);
  assert.ok(back.connection.bytesIn <= 1.1 * missed, `received ${back.connection.bytesIn} B for ${missed} B missed`);
  assert.ok(fresh.connection.bytesIn > 3 * back.connection.bytesIn, 'the history is much more than the difference');
});

/** A real memory store whose reads take as long as the test says (a slow IndexedDB). */
class SlowReplicaStore extends MemoryReplicaStore {
  private release: () => void = () => {};
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  opens = 0;

  override async open(...args: Parameters<MemoryReplicaStore['open']>): ReturnType<MemoryReplicaStore['open']> {
    this.opens++;
    await this.gate;
    return super.open(...args);
  }

  /** Lets every read finish. */
  finish(): void {
    this.release();
  }
}

test('a device connects while its stored replica loads; the session opens once the replica is there', async () => {
  const host = await startTestHost(['/bin/sh']);
  hosts.push(host);
  const replicas = new SlowReplicaStore();
  const c = device(host.ready.url, replicas);
  await waitFor(() => c.connection.state === 'live', 15_000, 'the connection live while the replica is still loading');
  assert.equal(replicas.opens, 1);
  assert.equal(c.state, 'connecting', 'the session waits for its replica');
  replicas.finish();
  await waitFor(() => c.state === 'live', 15_000, 'the session live once the replica loaded');
  await c.sendIntent({ type: 'input', data: 'echo after-slow-load\r' });
  await waitFor(() => output(c).includes('after-slow-load'), 15_000, 'output');
});

test('a connection that fails while the replica loads is reported by the session', async () => {
  const host = await startTestHost(['/bin/sh']);
  hosts.push(host);
  const replicas = new SlowReplicaStore();
  // A well-formed link whose key the host never issued: every attempt is refused.
  const wrong = new URL(host.ready.url);
  wrong.hash = newKey();
  const c = device(wrong.href, replicas);
  await waitFor(() => c.connection.error !== null, 15_000, 'the connection refused');
  replicas.finish();
  await waitFor(() => c.error !== null, 15_000, 'the session says why');
  assert.equal(c.error!.code, c.connection.error!.code);
  assert.notEqual(c.state, 'live');
});

test('a new device asks for the document with its open, ahead of the host\'s hello, and receives it once', async () => {
  const host = await startTestHost(['/bin/sh']);
  hosts.push(host);
  const writer = device(host.ready.url, new MemoryReplicaStore());
  await waitFor(() => writer.state === 'live', 15_000, 'writer live');
  await writer.sendIntent({ type: 'input', data: 'i=0; while [ $i -lt 2000 ]; do echo "line $i ................................................"; i=$((i+1)); done\r' });
  await waitFor(() => output(writer).includes('line 1999'), 30_000, 'output');
  const full = Y.encodeStateAsUpdate(host.terminal.doc).length;

  const fresh = device(host.ready.url, new MemoryReplicaStore());
  await waitFor(() => fresh.state === 'live', 15_000, 'fresh device live');
  assert.equal(output(fresh), host.terminal.writer.view.output.toArray().join(''), 'the replica equals the host document');
  // The host answers in order: once this reply is in, any second sync answer would be in too.
  assert.ok((await fresh.sendIntent({ type: 'input', data: '' })).id);
  // One copy of the document, not two (a sync request sent ahead and again on 'opened' would double it).
  assert.ok(fresh.connection.bytesIn < 1.3 * full, `received ${fresh.connection.bytesIn} B for a ${full} B document`);
});
