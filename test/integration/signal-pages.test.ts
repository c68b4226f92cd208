/**
 * Every HTTP response of the signal server carries the page policy (CSP with frame-ancestors and
 * connect-src limited to this origin, no inline scripts; framing denied), and /healthz reports counts
 * without any id.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { request } from 'node:http';
import { newId } from '../../protocol/ids.js';
import { code, join, register, startSignalFixture, type SignalFixture } from '../helpers/signal-sockets.js';
import { waitFor } from '../helpers/wait-for.js';

let fixture: SignalFixture;
let clientDir: string;

before(async () => {
  // A stand-in for the built client: the server only serves these files, it never reads them.
  clientDir = await mkdtemp(joinPath(tmpdir(), 'tether-signal-pages-'));
  await writeFile(joinPath(clientDir, 'index.html'), '<!doctype html><title>tether</title><script defer src="/assets/app.js"></script>');
  await writeFile(joinPath(clientDir, 'app.js'), 'void 0;');
  await writeFile(joinPath(clientDir, 'app.css'), 'body{}');
  fixture = await startSignalFixture({ clientDir });
});
after(async () => {
  await fixture.close();
  await rm(clientDir, { recursive: true, force: true });
});

/** GET with a raw request (fetch normalises some paths, such as a bare '%'). */
function get(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${fixture.origin}${path}`, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function directives(csp: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

const ROUTES: Array<[string, number]> = [
  ['/', 200],
  [`/s/${newId()}`, 200],
  ['/assets/index.html', 200],
  ['/assets/app.js', 200],
  ['/assets/app.css', 200],
  ['/assets/missing.js', 404],
  ['/healthz', 200],
  ['/no-such-page', 404],
  ['/s/%', 400],
  ['/socket.io/?EIO=4&transport=polling', 200],
  ['/socket.io/?EIO=4&transport=nope', 400],
];

test('every response carries the page policy', async () => {
  const host = fixture.origin.slice('http://'.length);
  for (const [path, status] of ROUTES) {
    const res = await get(path);
    assert.equal(res.status, status, path);
    const csp = String(res.headers['content-security-policy'] ?? '');
    const d = directives(csp);
    assert.deepEqual(d.get('frame-ancestors'), ["'none'"], `${path}: frame-ancestors in ${csp}`);
    assert.deepEqual(d.get('default-src'), ["'none'"], `${path}: default-src in ${csp}`);
    assert.deepEqual(d.get('script-src'), ["'self'"], `${path}: script-src (no inline scripts) in ${csp}`);
    // 'self' covers ws/wss of this origin in CSP3 browsers; Safari before 16 needs them named.
    assert.deepEqual(d.get('connect-src'), ["'self'", `ws://${host}`, `wss://${host}`], `${path}: connect-src in ${csp}`);
    assert.equal(res.headers['x-frame-options'], 'DENY', path);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
    assert.equal(res.headers['referrer-policy'], 'no-referrer', path);
  }
});

test('a Host header that is not a plain host name adds nothing to connect-src', async () => {
  const res = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
    const req = request(`${fixture.origin}/healthz`, { headers: { host: "evil; script-src 'unsafe-inline'" } }, (r) => {
      r.resume();
      r.on('end', () => resolve(r.headers));
    });
    req.on('error', reject);
    req.end();
  });
  const d = directives(String(res['content-security-policy']));
  assert.deepEqual(d.get('connect-src'), ["'self'"]);
  assert.deepEqual(d.get('script-src'), ["'self'"]);
});

test('/healthz reports sessions, peers and sockets, and no id', async () => {
  // The polling handshakes above left engine.io sessions that live until their ping times out.
  const earlier = (JSON.parse((await get('/healthz')).body) as { sockets: number }).sockets;
  const host = await fixture.open();
  const device = await fixture.open();
  const sessionIds = [newId(), newId()];
  const peerId = newId();
  for (const id of sessionIds) assert.equal(code(await register(host, id)), null);
  assert.equal(code(await join(device, sessionIds[0]!, peerId)), null);
  let body = '';
  const counts = (): string => {
    const h = JSON.parse(body) as { sessions: number; peers: number; sockets: number };
    return JSON.stringify({ sessions: h.sessions, peers: h.peers, sockets: h.sockets - earlier });
  };
  await waitFor(async () => {
    body = (await get('/healthz')).body;
    return counts() === JSON.stringify({ sessions: 2, peers: 1, sockets: 2 });
  }, 5000, 'healthz counts');
  for (const id of [...sessionIds, peerId, host.id!, device.id!]) assert.ok(!body.includes(id), `no id in ${body}`);
});
