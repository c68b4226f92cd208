/**
 * The signal server is bounded: sessions per connection, per address and in total are capped
 * (LIMIT_REACHED), registrations and relayed messages are rate-limited per connection (RATE_LIMITED),
 * and a refused request changes nothing else. Addresses come from X-Forwarded-For with trustProxy.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { SignalEvents } from '../../protocol/signaling.js';
import { newId } from '../../protocol/ids.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { ask, code, join, offer, register, startSignalFixture, type SignalFixture } from '../helpers/signal-sockets.js';
import { waitFor } from '../helpers/wait-for.js';

let fixture: SignalFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const from = (address: string): Record<string, string> => ({ 'x-forwarded-for': address });

async function healthSessions(origin: string): Promise<number> {
  return ((await (await fetch(`${origin}/healthz`)).json()) as { sessions: number }).sessions;
}

test('sessions are capped per connection, per address and in total; a refused one is not registered', async () => {
  fixture = await startSignalFixture({ trustProxy: true, limits: { maxSessions: 6, maxSessionsPerAddress: 4, maxSessionsPerConnection: 3 } });
  const a1 = await fixture.open(from('198.51.100.1'));
  const a2 = await fixture.open(from('198.51.100.1'));
  const b1 = await fixture.open(from('198.51.100.2'));
  const probe = await fixture.open(from('198.51.100.9'));
  const ids = Array.from({ length: 8 }, () => newId());

  for (const id of ids.slice(0, 3)) assert.equal(code(await register(a1, id)), null);
  const perConnection = await register(a1, ids[3]!);
  assert.equal(code(perConnection), 'LIMIT_REACHED');
  assert.match(perConnection.ok ? '' : perConnection.error.message, /per connection/);

  assert.equal(code(await register(a2, ids[3]!)), null, 'another connection from the same address may add one more');
  const perAddress = await register(a2, ids[4]!);
  assert.equal(code(perAddress), 'LIMIT_REACHED');
  assert.match(perAddress.ok ? '' : perAddress.error.message, /per address/);

  assert.equal(code(await register(b1, ids[4]!)), null);
  assert.equal(code(await register(b1, ids[5]!)), null);
  const total = await register(b1, ids[6]!);
  assert.equal(code(total), 'LIMIT_REACHED');
  assert.match(total.ok ? '' : total.error.message, /in total/);

  // Nothing else changed: the refused ids are not registered, the accepted ones are.
  assert.equal(await healthSessions(fixture.origin), 6);
  assert.equal(code(await join(probe, ids[6]!, newId())), 'SESSION_UNKNOWN');
  assert.equal(code(await join(probe, ids[0]!, newId())), null);

  // Room frees up when a host leaves.
  assert.equal(code(await ask(a1, SignalEvents.hostUnregister, { v: PROTOCOL_VERSION, sessionId: ids[1] })), null);
  assert.equal(code(await register(b1, ids[6]!)), null);
});

test('with default limits one connection cannot register without bound (issue #8: 200,000 sessions)', async () => {
  fixture = await startSignalFixture();
  const s = await fixture.open();
  let accepted = 0;
  let refused: string | null = null;
  for (let i = 0; i < 5000 && refused === null; i++) {
    const c = code(await register(s, newId()));
    if (c === null) accepted++;
    else refused = c;
  }
  assert.equal(refused, 'LIMIT_REACHED');
  assert.equal(accepted, 2000, 'the default per-connection cap');
});

test('registrations are rate-limited per connection', async () => {
  fixture = await startSignalFixture({ limits: { registrationsPerMinute: 5 } });
  const host = await fixture.open();
  const other = await fixture.open();
  const codes: Array<string | null> = [];
  for (let i = 0; i < 6; i++) {
    const sessionId = newId();
    codes.push(code(await register(host, sessionId)));
    await ask(host, SignalEvents.hostUnregister, { v: PROTOCOL_VERSION, sessionId });
  }
  assert.deepEqual(codes, [null, null, null, null, null, 'RATE_LIMITED']);
  assert.equal(code(await register(other, newId())), null, 'another connection is not affected');
  assert.equal(await healthSessions(fixture.origin), 1);
});

test('relayed messages are rate-limited per device connection and per host-to-device pair', async () => {
  fixture = await startSignalFixture({ limits: { messagesPerMinute: 5 } });
  const host = await fixture.open();
  const device = await fixture.open();
  const second = await fixture.open();
  const sessionId = newId();
  const peerId = newId();
  const secondPeer = newId();
  assert.equal(code(await register(host, sessionId)), null);
  assert.equal(code(await join(device, sessionId, peerId)), null);
  assert.equal(code(await join(second, sessionId, secondPeer)), null);
  const atHost: unknown[] = [];
  host.on(SignalEvents.fromPeer, (m: unknown) => atHost.push(m));
  const up: Array<string | null> = [];
  for (let i = 0; i < 6; i++) up.push(code(await ask(device, SignalEvents.toHost, offer(sessionId, peerId))));
  assert.deepEqual(up, [null, null, null, null, null, 'RATE_LIMITED']);
  assert.equal(code(await ask(second, SignalEvents.toHost, offer(sessionId, secondPeer))), null, 'another device is not affected');
  await waitFor(() => atHost.length === 6, 5000, 'host receives the allowed offers');

  const atDevice: unknown[] = [];
  device.on(SignalEvents.fromHost, (m: unknown) => atDevice.push(m));
  const down: Array<string | null> = [];
  for (let i = 0; i < 6; i++) down.push(code(await ask(host, SignalEvents.toPeer, offer(sessionId, peerId, 'answer'))));
  assert.deepEqual(down, [null, null, null, null, null, 'RATE_LIMITED']);
  assert.equal(code(await ask(host, SignalEvents.toPeer, offer(sessionId, secondPeer, 'answer'))), null, 'answers to another device still go');
  await waitFor(() => atDevice.length === 5, 5000, 'device receives the allowed answers');
  assert.equal(atHost.length, 6);
});

test('failed joins count per address and session, so one device hammering a dead link locks out nobody else', async () => {
  fixture = await startSignalFixture({ trustProxy: true, limits: { failedJoinsPerMinute: 5 } });
  const host = await fixture.open(from('192.0.2.50'));
  const live = newId();
  assert.equal(code(await register(host, live)), null);
  const dead = newId();
  const hammer = await fixture.open(from('203.0.113.7'));
  const codes: Array<string | null> = [];
  for (let i = 0; i < 6; i++) codes.push(code(await join(hammer, dead, newId())));
  assert.deepEqual(codes, ['SESSION_UNKNOWN', 'SESSION_UNKNOWN', 'SESSION_UNKNOWN', 'SESSION_UNKNOWN', 'SESSION_UNKNOWN', 'RATE_LIMITED']);
  assert.equal(code(await join(hammer, newId(), newId())), 'SESSION_UNKNOWN', 'another session from the same address is not limited');

  // A household behind the same NAT: another device joins its own session, again and again.
  const sibling = await fixture.open(from('203.0.113.7'));
  for (let i = 0; i < 40; i++) assert.equal(code(await join(sibling, live, newId())), null, `successful join ${i}`);
  const elsewhere = await fixture.open(from('198.51.100.3'));
  assert.equal(code(await join(elsewhere, dead, newId())), 'SESSION_UNKNOWN', 'the same dead session from another address');

  // The moment the session is back, the device that hammered it (and its household) gets in.
  assert.equal(code(await register(host, dead)), null);
  assert.equal(code(await join(hammer, dead, newId())), null);
  assert.equal(code(await join(sibling, dead, newId())), null);
});

test('all joins from one address still have a generous flood cap', async () => {
  fixture = await startSignalFixture({ limits: { joinsPerMinute: 30 } });
  const host = await fixture.open();
  const sessionId = newId();
  assert.equal(code(await register(host, sessionId)), null);
  const s = await fixture.open();
  const codes: Array<string | null> = [];
  for (let i = 0; i < 31; i++) codes.push(code(await join(s, sessionId, newId())));
  assert.deepEqual(codes.slice(0, 30), Array(30).fill(null));
  assert.equal(codes[30], 'RATE_LIMITED');
});

test('without trustProxy a forged X-Forwarded-For does not change the address the limits count', async () => {
  fixture = await startSignalFixture({ limits: { maxSessionsPerAddress: 1 } });
  const a = await fixture.open(from('198.51.100.1'));
  const b = await fixture.open(from('198.51.100.2'));
  assert.equal(code(await register(a, newId())), null);
  assert.equal(code(await register(b, newId())), 'LIMIT_REACHED');
});

test('a device whose connection drops abruptly leaves the host at once', async () => {
  fixture = await startSignalFixture();
  const host = await fixture.open();
  const device: Socket = await fixture.open();
  const sessionId = newId();
  const peerId = newId();
  assert.equal(code(await register(host, sessionId)), null);
  assert.equal(code(await join(device, sessionId, peerId)), null);
  const left: unknown[] = [];
  host.on(SignalEvents.peerLeft, (m: unknown) => left.push(m));
  const started = Date.now();
  // Cut the TCP connection without a close handshake, as a phone losing its network would.
  const engine = device.io.engine as unknown as { transport: { ws: { _socket: { destroy(): void } } } };
  engine.transport.ws._socket.destroy();
  // socket.io's ping timeout is 20 s; "at once" means well before it.
  await waitFor(() => left.length === 1, 2000, 'host told the peer left');
  assert.deepEqual(left[0], { sessionId, peerId });
  assert.ok(Date.now() - started < 2000);
});
