/**
 * Trust: the key never reaches the signal server; a signal server that alters an SDP is detected and
 * refused with a clear error while the host keeps serving other devices; a wrong or missing key is
 * reported plainly, logged once on the host, and changes nothing else.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io';
import type { SignalServer } from '../../signal/signal-server.js';
import { startTestHost, joinClient, openClient, type TestHost, type TestClient } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';
import { SignalEvents } from '../../protocol/signaling.js';
import { parseSessionUrl, formatSessionUrl } from '../../protocol/session-url.js';
import { newKey } from '../../protocol/ids.js';

let host: TestHost;
let bystander: TestClient;
const seen: string[] = [];
/** Peer ids whose signaling the "malicious" server alters, and how. */
const tamper = new Map<string, 'answer' | 'offer'>();
/** The next device to join gets this treatment. */
let tamperNextJoin: 'answer' | 'offer' | null = null;
const clients: TestClient[] = [];
/** Every offer envelope a device sent, as the signal server saw it (what a hostile server could replay). */
const offers: Array<{ peerId: string; envelope: unknown }> = [];
/** The host's socket on the signal server. */
let hostSocket: Socket | null = null;

function alterSdp(sdp: string): string {
  // Swap the DTLS fingerprint's first byte: what a man in the middle must do to sit between the peers.
  return sdp.replace(/a=fingerprint:sha-256 ([0-9A-F]{2})/, (_m, b: string) => `a=fingerprint:sha-256 ${b === '00' ? '11' : '00'}`);
}

before(async () => {
  host = await startTestHost(['/bin/sh']);
  // Observe everything the signal server receives or sends, and let it tamper on demand.
  const io = signalIo(host);
  io.httpServer.on('request', (req) => seen.push(JSON.stringify({ url: req.url, headers: req.headers })));
  const observe = (socket: Socket): void => {
    seen.push(JSON.stringify({ handshake: { url: socket.handshake.url, headers: socket.handshake.headers, auth: socket.handshake.auth, query: socket.handshake.query } }));
    socket.onAny((event, ...args) => seen.push(JSON.stringify([event, ...args.filter((a) => typeof a !== 'function')])));
    socket.onAnyOutgoing((event, ...args) => seen.push(JSON.stringify([event, ...args.filter((a) => typeof a !== 'function')])));
    socket.use(([event, msg], next) => {
      const m = msg as { peerId?: string; payload?: { kind?: string; sdp?: string } } | undefined;
      if (event === SignalEvents.toHost && m?.payload?.kind === 'offer' && m.peerId) offers.push({ peerId: m.peerId, envelope: JSON.parse(JSON.stringify(m)) });
      if (event === SignalEvents.clientJoin && tamperNextJoin && m?.peerId) {
        tamper.set(m.peerId, tamperNextJoin);
        tamperNextJoin = null;
      }
      const how = m?.peerId ? tamper.get(m.peerId) : undefined;
      if (m?.payload?.sdp && how === m.payload.kind && (event === SignalEvents.toPeer || event === SignalEvents.toHost)) {
        m.payload.sdp = alterSdp(m.payload.sdp);
      }
      next();
    });
  };
  // The host connected before this observer existed; later devices are caught on connection.
  for (const socket of io.io.sockets.sockets.values()) {
    observe(socket);
    hostSocket = socket; // the only socket before any device joined
  }
  io.io.on('connection', observe);
  bystander = await joinClient(host.ready.url, 'bystander');
});

after(async () => {
  for (const c of clients) c.close();
  bystander?.close();
  await host?.close();
});

/** The embedded signal server of a test host (its http server and socket.io server). */
function signalIo(h: TestHost): SignalServer {
  const server = h.host.signalServer;
  assert.ok(server, 'remote control exposes its embedded signal server');
  return server;
}

async function stillServes(): Promise<void> {
  const marker = `ok-${Math.random().toString(36).slice(2, 8)}`;
  await bystander.client.sendIntent({ type: 'input', data: `echo ${marker}\r` });
  await waitFor(() => bystander.text().split(marker).length >= 3, 10_000, 'host still serves the bystander');
}

test('the session key never reaches the signal server', async () => {
  const c = await joinClient(host.ready.url, 'observer');
  clients.push(c);
  await c.client.sendIntent({ type: 'input', data: 'echo observed\r' });
  await waitFor(() => c.text().includes('observed'), 10_000, 'traffic flowed');
  const { token, sessionId } = parseSessionUrl(host.ready.url);
  const all = seen.join('\n');
  assert.ok(all.includes(sessionId), 'the observer did capture signaling traffic');
  assert.ok(token && !all.includes(token), 'the link token appeared in something the signal server saw');
});

test('a signal server that alters the host\'s answer is detected: MAC_INVALID, and the host serves others', async () => {
  tamperNextJoin = 'answer';
  const victim = openClient(host.ready.url, 'victim');
  clients.push(victim);
  // The untrusted server cannot make the device give up for good: it says why and keeps retrying.
  await waitFor(() => victim.client.error?.code === 'MAC_INVALID', 15_000, 'victim refuses the forged answer');
  assert.equal(victim.client.state, 'connecting');
  assert.equal(victim.client.doc.store.clients.size, 0, 'the victim never received any session content');
  assert.equal(victim.client.presence.devices.length, 0, 'nor who is connected');
  await stillServes();
});

test('a signal server that alters a device\'s offer is detected by the host: KEY_REJECTED', async () => {
  tamperNextJoin = 'offer';
  const victim = openClient(host.ready.url, 'victim2');
  clients.push(victim);
  await waitFor(() => victim.client.error?.code === 'KEY_REJECTED', 15_000, 'host refuses the forged offer');
  assert.equal(victim.client.state, 'connecting');
  await stillServes();
});

test('an unknown key is refused plainly as an expired link, logged once, and changes nothing else', async () => {
  const { origin, sessionId } = parseSessionUrl(host.ready.url);
  const devicesBefore = host.terminal.core.devices.length;
  const warningsBefore = host.logs.filter((l) => l.code === 'LINK_EXPIRED').length;
  const wrong = openClient(formatSessionUrl(origin, sessionId, newKey()), 'wrong key');
  clients.push(wrong);
  // A token the host does not know (never issued, or expired and pruned) reads as a link that no longer works.
  await waitFor(() => wrong.client.error?.code === 'LINK_EXPIRED', 15_000, 'unknown key refused');
  assert.equal(wrong.client.state, 'connecting', 'unsigned, so not final: the page keeps trying slowly');
  assert.match(wrong.client.error!.message, /ask for a new one/);
  assert.equal(host.logs.filter((l) => l.code === 'LINK_EXPIRED').length - warningsBefore, 1, 'one warning on the host');
  assert.equal(host.terminal.core.devices.length, devicesBefore);
  await stillServes();
});

test('a link without its key fails with KEY_MISSING before contacting anyone', async () => {
  const joinsBefore = seen.filter((s) => s.includes(SignalEvents.clientJoin)).length;
  const noKey = openClient(host.ready.url.split('#')[0]!, 'no key');
  clients.push(noKey);
  await waitFor(() => noKey.client.state === 'failed', 5000, 'missing key reported');
  assert.equal(noKey.client.error?.code, 'KEY_MISSING');
  assert.equal(seen.filter((s) => s.includes(SignalEvents.clientJoin)).length, joinsBefore);
});

test('an old signed offer replayed by the signal server is refused (HANDSHAKE_STALE) and displaces nobody', async () => {
  const victim = await joinClient(host.ready.url, 'replay victim');
  clients.push(victim);
  const peerId = victim.client.peerId!;
  const recorded = offers.find((o) => o.peerId === peerId);
  assert.ok(recorded, 'the offer of the live device was seen');
  assert.ok(hostSocket, 'the host registered through the observed server');
  const refusals = (): number => host.logs.filter((l) => l.code === 'HANDSHAKE_STALE').length;
  const before = refusals();
  const devices = host.host.endpoint.devices.length;
  // The server replays the offer to the host, as if the device had sent it again (same peer id, same signature).
  hostSocket.emit(SignalEvents.fromPeer, recorded.envelope);
  await waitFor(() => refusals() > before, 5000, 'the host refuses the replay');
  assert.equal(host.host.endpoint.devices.length, devices, 'no connection was replaced');
  assert.equal(victim.client.state, 'live');
  const marker = `still-${Math.random().toString(36).slice(2, 8)}`;
  await victim.client.sendIntent({ type: 'input', data: `echo ${marker}\r` });
  await waitFor(() => victim.text().split(marker).length >= 3, 10_000, 'the victim still works');
});
