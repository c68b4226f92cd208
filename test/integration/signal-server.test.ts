/**
 * The signal server validates every envelope: malformed, oversized, unknown-session, wrong-version
 * and out-of-turn messages get a clear error code, and rate limits apply per address.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignalEvents, MAX_ENVELOPE_BYTES } from '../../protocol/signaling.js';
import { newId, newKey } from '../../protocol/ids.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { waitFor } from '../helpers/wait-for.js';
import { ask, code, startSignalFixture, type SignalFixture } from '../helpers/signal-sockets.js';

let fixture: SignalFixture;
let origin: string;

before(async () => {
  fixture = await startSignalFixture({ limits: { joinsPerMinute: 20 } });
  origin = fixture.origin;
});
after(async () => {
  await fixture.close();
});

const connected = (): ReturnType<SignalFixture['open']> => fixture.open();

test('GET /healthz answers with the version', async () => {
  const res = await fetch(`${origin}/healthz`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { ok: boolean; protocol: number };
  assert.equal(body.ok, true);
  assert.equal(body.protocol, PROTOCOL_VERSION);
});

const sessionId = newId();

test('malformed envelopes are rejected with BAD_ENVELOPE', async () => {
  const s = await connected();
  const bad: Array<[string, unknown]> = [
    [SignalEvents.hostRegister, null],
    [SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId: 'short', owner: newKey() }],
    [SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId, owner: newKey(), extra: 1 }],
    [SignalEvents.hostUnregister, { v: PROTOCOL_VERSION, sessionId, extra: 1 }],
    [SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId }],
    [SignalEvents.toHost, { sessionId, peerId: newId(), payload: { kind: 'offer', sdp: 'x', mac: 'nope' } }],
    [SignalEvents.toHost, { sessionId, peerId: newId(), payload: { kind: 'offer', sdp: 'x'.repeat(17 * 1024), mac: 'A'.repeat(43) } }],
    [SignalEvents.toPeer, { sessionId, peerId: newId(), payload: { kind: 'reject', code: 'NOT_A_CODE', message: '' } }],
  ];
  for (const [event, msg] of bad) assert.equal(code(await ask(s, event, msg)), 'BAD_ENVELOPE', `${event} ${JSON.stringify(msg).slice(0, 80)}`);
});

test('a rejected envelope without an ack gets a signal:error event', async () => {
  const s = await connected();
  const errors: Array<{ code: string }> = [];
  s.on(SignalEvents.signalError, (e: { code: string }) => errors.push(e));
  s.emit(SignalEvents.toHost, { garbage: true });
  await waitFor(() => errors.length === 1, 5000, 'signal:error');
  assert.equal(errors[0]!.code, 'BAD_ENVELOPE');
});

test('joining an unknown session gets SESSION_UNKNOWN; version mismatches name the side to update', async () => {
  const s = await connected();
  assert.equal(code(await ask(s, SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId: newId(), peerId: newId() })), 'SESSION_UNKNOWN');
  assert.equal(code(await ask(s, SignalEvents.hostRegister, { v: PROTOCOL_VERSION + 1, sessionId: newId(), owner: newKey() })), 'SERVER_TOO_OLD');
});

test('a session is served by one host; relays go only to joined peers', async () => {
  const host = await connected();
  const other = await connected();
  const client = await connected();
  assert.equal(code(await ask(host, SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId, owner: newKey() })), null);
  assert.equal(code(await ask(other, SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId, owner: newKey() })), 'SESSION_TAKEN');
  const peerId = newId();
  const offer = { sessionId, peerId, payload: { kind: 'offer', sdp: 'v=0', nonce: newId(), auth: { method: 'token', tokenId: newId(), mac: 'A'.repeat(43) } } };
  assert.equal(code(await ask(client, SignalEvents.toHost, offer)), 'PEER_UNKNOWN', 'must join first');
  assert.equal(code(await ask(client, SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId, peerId })), null);
  assert.equal(code(await ask(other, SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId, peerId })), 'PEER_ID_TAKEN');
  const received: unknown[] = [];
  host.on(SignalEvents.fromPeer, (m: unknown) => received.push(m));
  assert.equal(code(await ask(client, SignalEvents.toHost, offer)), null);
  await waitFor(() => received.length === 1, 5000, 'host receives the offer');
  assert.deepEqual(received[0], offer);
  const answer = { kind: 'answer', sdp: 'v=0', mac: 'A'.repeat(43) };
  assert.equal(code(await ask(other, SignalEvents.toPeer, { ...offer, payload: answer })), 'SESSION_UNKNOWN', 'only the host may answer');
  assert.equal(code(await ask(host, SignalEvents.toPeer, { ...offer, peerId: newId(), payload: answer })), 'PEER_UNKNOWN');
  const left: unknown[] = [];
  host.on(SignalEvents.peerLeft, (m: unknown) => left.push(m));
  client.disconnect();
  await waitFor(() => left.length === 1, 5000, 'host told the peer left');
  assert.deepEqual(left[0], { sessionId, peerId });
});

test('an oversized message closes that socket', async () => {
  const s = await connected();
  s.emit(SignalEvents.toHost, { blob: 'x'.repeat(MAX_ENVELOPE_BYTES * 2) });
  await waitFor(() => !s.connected, 5000, 'socket dropped');
});

test('joins are rate-limited per address', async () => {
  const s = await connected();
  const codes: Array<string | null> = [];
  for (let i = 0; i < 25; i++) codes.push(code(await ask(s, SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId: newId(), peerId: newId() })));
  assert.ok(codes.includes('RATE_LIMITED'), codes.join(','));
  assert.ok(codes.includes('SESSION_UNKNOWN'));
});
