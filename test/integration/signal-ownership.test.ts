/**
 * Re-registration needs proof of ownership: the server keeps only sha256(owner secret) per session id.
 * The same secret from a new connection takes the session over at once; any other secret is refused
 * with SESSION_TAKEN, while the session is registered and for a bounded time after its host left.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignalEvents } from '../../protocol/signaling.js';
import { newId, newKey } from '../../protocol/ids.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { ask, code, join, offer, register, startSignalFixture, type SignalFixture } from '../helpers/signal-sockets.js';
import { waitFor } from '../helpers/wait-for.js';

let fixture: SignalFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

test('register needs a well-formed owner secret', async () => {
  fixture = await startSignalFixture();
  const s = await fixture.open();
  const sessionId = newId();
  assert.equal(code(await ask(s, SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId })), 'BAD_ENVELOPE');
  assert.equal(code(await ask(s, SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId, owner: 'short' })), 'BAD_ENVELOPE');
  assert.equal(code(await register(s, sessionId)), null);
});

test('the same owner secret takes a session over at once; another secret gets SESSION_TAKEN', async () => {
  fixture = await startSignalFixture();
  const owner = newKey();
  const sessionId = newId();
  const peerId = newId();
  const oldHost = await fixture.open();
  const device = await fixture.open();
  assert.equal(code(await register(oldHost, sessionId, owner)), null);
  assert.equal(code(await join(device, sessionId, peerId)), null);

  const squatter = await fixture.open();
  assert.equal(code(await register(squatter, sessionId, newKey())), 'SESSION_TAKEN');

  const told: Array<{ code: string; sessionId?: string }> = [];
  oldHost.on(SignalEvents.signalError, (e: { code: string; sessionId?: string }) => told.push(e));
  const hostLeft: unknown[] = [];
  device.on(SignalEvents.hostLeft, (m: unknown) => hostLeft.push(m));
  const newHost = await fixture.open();
  assert.equal(code(await register(newHost, sessionId, owner)), null, 'a restarted host does not wait for its old connection to time out');
  await waitFor(() => told.length === 1, 5000, 'the old connection is told');
  assert.equal(told[0]!.code, 'SESSION_TAKEN');
  assert.equal(told[0]!.sessionId, sessionId);

  // Offers now reach the new host only; the old connection may no longer answer for the session.
  const atOld: unknown[] = [];
  const atNew: unknown[] = [];
  oldHost.on(SignalEvents.fromPeer, (m: unknown) => atOld.push(m));
  newHost.on(SignalEvents.fromPeer, (m: unknown) => atNew.push(m));
  assert.equal(code(await ask(device, SignalEvents.toHost, offer(sessionId, peerId))), null, 'the device stays joined');
  await waitFor(() => atNew.length === 1, 5000, 'new host receives the offer');
  assert.equal(atOld.length, 0);
  assert.equal(code(await ask(oldHost, SignalEvents.toPeer, offer(sessionId, peerId, 'answer'))), 'SESSION_UNKNOWN');

  // The old connection going away does not take the session with it.
  oldHost.disconnect();
  assert.equal(code(await ask(device, SignalEvents.toHost, offer(sessionId, peerId))), null);
  await waitFor(() => atNew.length === 2, 5000, 'new host still serves');
  assert.equal(hostLeft.length, 0);
  assert.equal(code(await register(squatter, sessionId, newKey())), 'SESSION_TAKEN');
});

test('after the host leaves, its session id stays reserved for the owner secret', async () => {
  fixture = await startSignalFixture();
  const owner = newKey();
  const gone = newId();
  const stopped = newId();
  const host = await fixture.open();
  assert.equal(code(await register(host, gone, owner)), null);
  assert.equal(code(await register(host, stopped, owner)), null);
  assert.equal(code(await ask(host, SignalEvents.hostUnregister, { v: PROTOCOL_VERSION, sessionId: stopped })), null);
  host.disconnect();
  const other = await fixture.open();
  await waitFor(async () => ((await (await fetch(`${fixture!.origin}/healthz`)).json()) as { sessions: number }).sessions === 0, 5000, 'host gone');
  assert.equal(code(await register(other, gone, newKey())), 'SESSION_TAKEN', 'a known id cannot be squatted while its host restarts');
  assert.equal(code(await register(other, stopped, newKey())), 'SESSION_TAKEN', 'nor after it was unregistered');
  const back = await fixture.open();
  assert.equal(code(await register(back, gone, owner)), null);
});

test('a remembered owner expires after the retention time', async () => {
  fixture = await startSignalFixture({ limits: { ownerRetentionMs: 300 } });
  const sessionId = newId();
  const host = await fixture.open();
  assert.equal(code(await register(host, sessionId)), null);
  host.disconnect();
  const other = await fixture.open();
  await waitFor(async () => code(await register(other, sessionId)) === null, 5000, 'the id is free again after the retention time');
});

test('remembered owners are bounded per address (oldest forgotten first)', async () => {
  fixture = await startSignalFixture({ trustProxy: true, limits: { rememberedOwnersPerAddress: 2 } });
  const host = await fixture.open({ 'x-forwarded-for': '198.51.100.1' });
  const ids = [newId(), newId(), newId()];
  for (const sessionId of ids) {
    assert.equal(code(await register(host, sessionId)), null);
    assert.equal(code(await ask(host, SignalEvents.hostUnregister, { v: PROTOCOL_VERSION, sessionId })), null);
  }
  const other = await fixture.open({ 'x-forwarded-for': '198.51.100.2' });
  assert.equal(code(await register(other, ids[0]!)), null, 'the oldest was forgotten');
  assert.equal(code(await register(other, ids[1]!)), 'SESSION_TAKEN');
  assert.equal(code(await register(other, ids[2]!)), 'SESSION_TAKEN');
});
