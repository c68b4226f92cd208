/**
 * A device that comes back does not grow the session's document: the device list is keyed by the
 * device (its credential) and a slot, not by the connection, so a reconnect reuses its entry instead of
 * leaving a tombstoned key behind for every visit (which every new device would then sync, and the host
 * would keep for ever).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { MemoryCredentialStore } from '../../client/core/credential-store.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';
import { readDevices } from '../../protocol/device-roster.js';

let host: CliHost | null = null;
const open: TestClient[] = [];
after(async () => {
  for (const c of open) c.close();
  host?.kill();
  await host?.exited;
});

/** What a new device receives: the document's size, and how many keys its device list ever had. */
async function seenByANewDevice(url: string): Promise<{ bytes: number; rosterKeys: number }> {
  const fresh = await joinClient(url, 'observer');
  const bytes = Y.encodeStateAsUpdate(fresh.client.doc).length;
  // Y.Map keeps one entry (live or a tombstone) per key it ever held; `_map` is where it keeps them.
  const rosterKeys = (fresh.client.doc.getMap('devices') as unknown as { _map: Map<string, unknown> })._map.size;
  fresh.close();
  return { bytes, rosterKeys };
}

test('twelve visits of the same two devices add no device-list keys and only a few bytes of Yjs tombstones', async () => {
  host = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
  const url = String((await host.event('ready')).url);
  const phone = new MemoryCredentialStore();
  const laptop = new MemoryCredentialStore();
  const visit = async (): Promise<void> => {
    // Two connections of the same device at once (two tabs) get two entries; both go when they leave.
    const a = await joinClient(url, 'phone', { credentials: phone });
    const b = await joinClient(url, 'phone', { credentials: phone });
    const c = await joinClient(url, 'laptop', { credentials: laptop });
    open.push(a, b, c);
    await waitFor(() => readDevices(c.client.view.devices).length === 3, 10_000, 'all three listed');
    const listed = readDevices(c.client.view.devices).map(([peerId]) => peerId).sort();
    assert.deepEqual(listed, [a.client.peerId, b.client.peerId, c.client.peerId].sort(), 'entries name the connections');
    for (const d of [a, b, c]) d.close();
    await waitFor(() => host!.events.filter((e) => e.event === 'device-left').length >= host!.events.filter((e) => e.event === 'device-joined').length, 10_000, 'all left');
  };
  await visit();
  const afterOne = await seenByANewDevice(url);
  for (let i = 0; i < 11; i++) await visit();
  const afterTwelve = await seenByANewDevice(url);
  // phone:0, phone:1, laptop:0 and the two observers (each a new device): keyed by connection it was 38.
  assert.equal(afterTwelve.rosterKeys, 5);
  // Every overwritten value leaves a few-byte tombstone in Yjs (~25 bytes a visit here); a key per connection cost ~100.
  assert.ok(afterTwelve.bytes - afterOne.bytes < 600, `the document grew ${afterTwelve.bytes - afterOne.bytes} bytes over 11 more visits`);
});
