/**
 * Devices come and go all day; their visits must not grow anything for good. Who is connected (and, for
 * owner devices on the list, which devices the host trusts and whether they are online) reaches devices
 * in presence frames, never in the documents: a Y.Map keeps a deleted item for every value it ever held,
 * so presence written into a document grew it — and the host's memory, and every replica — with every
 * visit (~25 bytes per visit even with keys reused, and ~1 KB of host memory).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { MemoryCredentialStore } from '../../client/core/credential-store.js';
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

/** The document a new device receives from `url`, encoded. */
async function seenByANewDevice(url: string, observer: MemoryCredentialStore): Promise<Uint8Array> {
  const fresh = await joinClient(url, 'observer', { credentials: observer });
  const state = Y.encodeStateAsUpdate(fresh.client.doc);
  fresh.close();
  return state;
}

test('twelve visits of the same two devices leave the session and the list documents byte for byte as they were', async () => {
  host = startCli(['remote-control', '--json', '--local', '--port', '0', '--', '/bin/sh'], { PS1: '$ ' });
  const ready = await host.event('ready');
  const sessionUrl = String(ready.url);
  const listUrl = String(ready.serverUrl);
  assert.notEqual(sessionUrl, listUrl, 'a session was started in the folder');
  const phone = new MemoryCredentialStore();
  const laptop = new MemoryCredentialStore();
  const observer = new MemoryCredentialStore();
  const allLeft = (): boolean => host!.events.filter((e) => e.event === 'device-left').length >= host!.events.filter((e) => e.event === 'device-joined').length;
  const visit = async (): Promise<void> => {
    // Two connections of the same device at once (two tabs) are two entries; all go when they leave.
    const a = await joinClient(sessionUrl, 'phone', { credentials: phone });
    const b = await joinClient(sessionUrl, 'phone', { credentials: phone });
    const c = await joinClient(sessionUrl, 'laptop', { credentials: laptop });
    const list = await joinClient(listUrl, 'laptop', { credentials: laptop });
    open.push(a, b, c, list);
    await waitFor(() => c.client.presence.devices.length === 3, 10_000, 'all three listed');
    await waitFor(() => c.text().includes('$ '), 10_000, 'the shell is idle at its prompt');
    assert.deepEqual(c.client.presence.devices.map((d) => d.peerId).sort(), [a.client.peerId, b.client.peerId, c.client.peerId].sort(), 'entries name the connections');
    // The list names who is in each session, and shows an owner device the host's devices, live.
    await waitFor(() => list.client.presence.rows?.find((r) => r.sessionId === ready.sessionId)?.devices.length === 3, 10_000, 'the session row names its devices');
    assert.deepEqual(list.client.presence.rows!.find((r) => r.sessionId === ready.sessionId)!.devices.sort(), ['laptop', 'phone', 'phone']);
    const trusted = list.client.presence.trusted ?? [];
    assert.deepEqual(trusted.filter((d) => d.name !== 'observer').map((d) => [d.name, d.online]).sort(), [['laptop', true], ['phone', true]]);
    for (const d of [a, b, c, list]) d.close();
    await waitFor(allLeft, 10_000, 'all left');
  };
  await visit();
  const sessionAfterOne = await seenByANewDevice(sessionUrl, observer);
  const listAfterOne = await seenByANewDevice(listUrl, observer);
  await waitFor(allLeft, 10_000, 'the observer left');
  for (let i = 0; i < 11; i++) await visit();
  const sessionAfterTwelve = await seenByANewDevice(sessionUrl, observer);
  const listAfterTwelve = await seenByANewDevice(listUrl, observer);
  assert.equal(sessionAfterTwelve.length, sessionAfterOne.length, `the session's document grew ${sessionAfterTwelve.length - sessionAfterOne.length} bytes over 11 more visits`);
  assert.deepEqual(sessionAfterTwelve, sessionAfterOne, "the session's document is unchanged");
  assert.equal(listAfterTwelve.length, listAfterOne.length, `the list's document grew ${listAfterTwelve.length - listAfterOne.length} bytes over 11 more visits`);
  assert.deepEqual(listAfterTwelve, listAfterOne, "the list's document is unchanged");
});
