/**
 * Scale-out on Redis: real redis-server, two real signal instances sharing it (socket.io's Redis adapter,
 * the session registry and rate limits in Redis). A host on instance A and a device on instance B meet
 * and connect over real WebRTC; both reconnect after either instance restarts; caps, rate limits and
 * ownership hold across instances.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createSignalServer, type SignalServer } from '../../signal/signal-server.js';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { SessionServer } from '../../host/session-server.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { formatSessionUrl, parseSessionUrl } from '../../protocol/session-url.js';
import { newId, newKey } from '../../protocol/ids.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { startSignalFixture, register, join, code, type SignalFixture } from '../helpers/signal-sockets.js';
import { waitFor } from '../helpers/wait-for.js';
import { Redis } from 'ioredis';
import { createRedisSessionRegistry } from '../../signal/redis-registry.js';
import { DEFAULT_SIGNAL_LIMITS } from '../../signal/signal-limits.js';
import { TetherError } from '../../protocol/errors.js';

let redis: RedisServer;
const servers = new Map<'A' | 'B', SignalServer>();
const ports = new Map<'A' | 'B', number>();
let host: SessionServer | null = null;
const clients: TestClient[] = [];
const fixtures: SignalFixture[] = [];

async function startInstance(name: 'A' | 'B'): Promise<void> {
  const server = createSignalServer({ port: ports.get(name) ?? 0, bind: '127.0.0.1', clientDir: null, redisUrl: redis.url, logger: pino({ level: 'silent' }) });
  await server.start();
  ports.set(name, server.address().port);
  servers.set(name, server);
}

const origin = (name: 'A' | 'B'): string => `http://127.0.0.1:${ports.get(name)}`;

before(async () => {
  redis = await startRedis();
  await startInstance('A');
  await startInstance('B');
});

after(async () => {
  for (const c of clients) c.close();
  await host?.close();
  for (const s of servers.values()) await s.close();
  for (const f of fixtures) await f.close();
  await redis?.stop();
});

/** The host's link, pointed at instance `name` (same session, same key). */
function linkVia(url: string, name: 'A' | 'B'): string {
  const { sessionId, token } = parseSessionUrl(url);
  return formatSessionUrl(origin(name), sessionId, token);
}

test('a host on instance A and a device on instance B meet, connect and type', async () => {
  const config = parseCli(['remote-control', 'scaled', '--signal', origin('A'), '--spawn', 'session', '--', '/bin/sh'], { ...process.env, PS1: '$ ' }, process.cwd()) as RemoteControlCommand;
  host = new SessionServer(config, { log: pino({ level: 'silent' }), wrtc: nodeWebRtc, clientDir: null });
  const ready = await host.start();
  const phone = await joinClient(linkVia(ready.first!.url, 'B'), 'phone');
  clients.push(phone);
  await phone.client.sendIntent({ type: 'input', data: 'echo across-$((20+22))\r', cols: 80, rows: 24 });
  await waitFor(() => phone.text().includes('across-42'), 15_000, 'the echo through a host on the other instance');
});

test('after either instance restarts, host and device find each other again', async () => {
  const url = linkVia(host!.sessions.values().next().value!.url, 'B');
  for (const name of ['A', 'B'] as const) {
    await servers.get(name)!.close();
    await startInstance(name);
    // A new device through B needs the host registered again (through A); an old one reconnects.
    const fresh = await joinClient(url, `after ${name} restarted`);
    clients.push(fresh);
    const old = clients[0]!;
    const before = old.client.peerId;
    old.client.connection.dropConnection();
    await waitFor(() => old.client.state === 'live' && old.client.peerId !== before, 20_000, `the first device reconnects after ${name} restarted`);
    await fresh.client.sendIntent({ type: 'input', data: `echo back-${name}\r` });
    await waitFor(() => old.text().includes(`back-${name}`), 15_000, 'both devices share the session again');
  }
});

test('caps, rate limits and ownership hold across instances', async () => {
  const db = `${redis.url}/1`;
  const limits = { maxSessionsPerAddress: 2, joinsPerMinute: 3 };
  const c = await startSignalFixture({ redisUrl: db, limits });
  const d = await startSignalFixture({ redisUrl: db, limits });
  fixtures.push(c, d);
  const [hc, hd] = [await c.open(), await d.open()];
  const owner = newKey();
  const [s1, s2, s3] = [newId(), newId(), newId()];
  assert.equal(code(await register(hc, s1, owner)), null);
  assert.equal(code(await register(hd, s2)), null);
  assert.equal(code(await register(hc, s3)), 'LIMIT_REACHED', 'two sessions per address, counted over both instances');
  assert.equal(code(await register(hd, s1)), 'SESSION_TAKEN', 'another secret cannot take a session registered on the other instance');

  const [dc, dd] = [await c.open(), await d.open()];
  assert.equal(code(await join(dc, s1, newId())), null);
  assert.equal(code(await join(dd, s2, newId())), null);
  assert.equal(code(await join(dc, s2, newId())), null);
  assert.equal(code(await join(dd, s1, newId())), 'RATE_LIMITED', 'three joins per address per minute, counted over both instances');

  // The owner, on a new connection to the other instance, takes its session over at once.
  hc.disconnect();
  const again = await d.open();
  assert.equal(code(await register(again, s1, owner)), null);
});

test('an instance that dies without a word is forgotten: its sessions end and their devices are told', async () => {
  const client = new Redis(`${redis.url}/2`);
  try {
    const dead = createRedisSessionRegistry(client, DEFAULT_SIGNAL_LIMITS);
    const alive = createRedisSessionRegistry(client, DEFAULT_SIGNAL_LIMITS);
    await dead.heartbeat();
    await alive.heartbeat();
    const sessionId = newId();
    assert.deepEqual(await dead.register({ id: 'host-conn', address: '192.0.2.1' }, sessionId, 'h'.repeat(43)), { ok: true, replaced: null });
    assert.deepEqual(await alive.join('device-conn', sessionId, 'peer'), { ok: true, left: null });
    assert.deepEqual(await alive.reap(false), [], 'a live instance is left alone');
    await client.del(`tether:alive:${dead.instance}`); // what its expiry does when it stops heart-beating
    const gone = await alive.reap(false);
    assert.deepEqual(gone, [{ left: null, ended: [{ sessionId, peers: ['device-conn'] }] }]);
    assert.equal(await alive.hostOf(sessionId), null);
    assert.deepEqual(await alive.counts(), { sessions: 0, peers: 1 }, 'the device, on a live instance, stays joined');
    assert.equal((await alive.register({ id: 'x', address: '192.0.2.2' }, sessionId, 'o'.repeat(43))).ok, false, 'its owner keeps the id');
  } finally {
    client.disconnect();
  }
});

test('a Redis that cannot be reached is BAD_CONFIG at startup, and nothing is left running', async () => {
  const server = createSignalServer({ port: 0, bind: '127.0.0.1', clientDir: null, redisUrl: 'redis://127.0.0.1:1', logger: pino({ level: 'silent' }) });
  await assert.rejects(server.start(), (err: unknown) => err instanceof TetherError && err.code === 'BAD_CONFIG' && /cannot use Redis/.test(err.message));
  await server.close();
});
