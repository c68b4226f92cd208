/**
 * The signal server refuses browser handshakes from other origins: a real socket.io client sets the
 * Origin header a browser would. No Origin (Node hosts, `tether attach`) still connects; the server's
 * own origin is its Host, its public URL, or (with trustProxy) the forwarded host; --allow-origin adds more.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startSignalFixture, type SignalFixture } from '../helpers/signal-sockets.js';

let fixture: SignalFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

/** A polling handshake with `headers`: engine.io answers a refusal with a JSON body naming why. */
function pollingHandshake(origin: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/socket.io/?EIO=4&transport=polling`, { headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('no Origin and the same origin connect; any other origin is refused with ORIGIN_FORBIDDEN', async () => {
  fixture = await startSignalFixture();
  const own = fixture.origin;
  assert.equal(await fixture.attempt({}), 'connected', 'Node clients send no Origin');
  assert.equal(await fixture.attempt({ origin: own }), 'connected');
  for (const other of ['http://evil.example', `http://localhost:${fixture.server.address().port}`, 'null', `https://127.0.0.1:${fixture.server.address().port}.evil.example`, 'not a url']) {
    assert.notEqual(await fixture.attempt({ origin: other }), 'connected', other);
  }
  const refused = await pollingHandshake(own, { origin: 'http://evil.example' });
  assert.equal(refused.status, 403);
  assert.match(refused.body, /ORIGIN_FORBIDDEN/);
  assert.equal((await pollingHandshake(own, { origin: own })).status, 200);
});

test('--public-url and --allow-origin name more origins of this server', async () => {
  fixture = await startSignalFixture({ publicUrl: 'https://tether.example.com/base', allowOrigins: ['https://app.example.org'] });
  assert.equal(await fixture.attempt({ origin: 'https://tether.example.com' }), 'connected');
  assert.equal(await fixture.attempt({ origin: 'https://app.example.org' }), 'connected');
  assert.notEqual(await fixture.attempt({ origin: 'http://tether.example.com' }), 'connected', 'the scheme is part of the origin');
  assert.notEqual(await fixture.attempt({ origin: 'https://app.example.org:8443' }), 'connected', 'so is the port');
});

test('forwarded host and scheme count only with trustProxy', async () => {
  const behindProxy = { origin: 'https://signal.example.net', 'x-forwarded-host': 'signal.example.net', 'x-forwarded-proto': 'https' };
  fixture = await startSignalFixture();
  assert.notEqual(await fixture.attempt(behindProxy), 'connected', 'forwarded headers are ignored unless trusted');
  await fixture.close();
  fixture = await startSignalFixture({ trustProxy: true });
  assert.equal(await fixture.attempt(behindProxy), 'connected');
  assert.notEqual(await fixture.attempt({ ...behindProxy, 'x-forwarded-proto': 'http' }), 'connected');
  assert.equal(await fixture.attempt({ origin: fixture.origin }), 'connected', 'the Host still counts behind a proxy');
});
