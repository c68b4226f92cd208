/**
 * Device trust with real devices: a link expires by the wall clock while devices it paired keep working
 * without it; revoking a device kicks it at once and neither its credential nor its old link work again;
 * revoke all; confirmation of new devices (allow, allow view-only, deny — nothing is served while one
 * waits); the trust store survives a host restart.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { statSync } from 'node:fs';
import { LOCAL_ACTOR } from '../../host/core/session-core.js';
import { parseSessionUrl } from '../../protocol/session-url.js';
import { MemoryCredentialStore } from '../../client/core/credential-store.js';
import { joinDevice, openDevice, removeStateDirs, startTrustHost, tempStateDir, withoutToken, type TrustDevice, type TrustHost } from '../helpers/trust-host.js';
import { waitFor } from '../helpers/wait-for.js';

const hosts: TrustHost[] = [];
const devices: TrustDevice[] = [];

after(async () => {
  for (const d of devices) d.close();
  for (const h of hosts) await h.close();
  removeStateDirs();
});

async function host(args: string[], stateDir?: string): Promise<TrustHost> {
  const h = await startTrustHost(args, ['--', '/bin/sh'], stateDir);
  hosts.push(h);
  return h;
}
function track<T extends TrustDevice>(d: T): T {
  devices.push(d);
  return d;
}

test('a link stops pairing new devices when it expires; a device it paired keeps working without it', async () => {
  // Long enough for a device to pair on a busy machine before the link expires.
  const h = await host(['--link-ttl', '6s']);
  const store = new MemoryCredentialStore();
  const paired = track(await joinDevice(h.url, 'early phone', store));
  assert.equal(paired.client.connection.hostHello?.paired, true);
  paired.close();
  await waitFor(() => Date.now() > parseSessionUrlExpiry(h), 10_000, 'the link to expire');
  const late = track(openDevice(h.url, 'late phone'));
  await waitFor(() => late.client.state === 'failed', 15_000, 'late device refused');
  assert.equal(late.client.error?.code, 'LINK_EXPIRED');
  assert.match(late.client.error!.message, /ask for a new one.*n on tether's status screen.*\/rc new/);
  // The bookmark: the same page without its token, with the credential this device kept.
  const back = track(await joinDevice(withoutToken(h.url), 'early phone', store));
  assert.equal(back.client.connection.hostHello?.deviceId, paired.client.connection.hostHello?.deviceId);
  // A fresh link (n) pairs new devices again; any number of devices can pair from one link while it is valid.
  const fresh = h.server.newLink();
  const a = track(await joinDevice(fresh, 'laptop'));
  const b = track(await joinDevice(fresh, 'tablet'));
  assert.notEqual(a.client.connection.hostHello?.deviceId, b.client.connection.hostHello?.deviceId);
});

/** The server link's token expiry, read from the host's trust store. */
function parseSessionUrlExpiry(h: TrustHost): number {
  const { token } = parseSessionUrl(h.serverUrl);
  const record = h.trust.authenticator.store.tokens().find((t) => t.secret === token);
  return record?.expiresAt ?? 0;
}

test('revoking a device kicks it at once; neither its credential, its old link nor a reload brings it back', async () => {
  const h = await host([]);
  const store = new MemoryCredentialStore();
  const phone = track(await joinDevice(h.url, 'lost phone', store));
  const bystander = track(await joinDevice(h.url, 'bystander'));
  const deviceId = phone.client.connection.hostHello!.deviceId;
  assert.equal((await store.credentials(parseSessionUrl(h.url).origin)).length, 1);
  let revokedEvent = false;
  phone.client.on('revoked', () => (revokedEvent = true));
  const started = performance.now();
  assert.equal(h.trust.revoke(deviceId, LOCAL_ACTOR), null);
  await waitFor(() => phone.client.state === 'failed', 5000, 'revoked device kicked');
  const kickedMs = performance.now() - started;
  assert.equal(phone.client.error?.code, 'DEVICE_REVOKED');
  assert.ok(revokedEvent, 'the device was told to wipe what it kept');
  await waitFor(async () => (await store.credentials(parseSessionUrl(h.url).origin)).length === 0, 2000, 'credential forgotten on the device');
  assert.equal(h.trust.authenticator.store.credential(deviceId), null, 'credential forgotten on the host');
  assert.equal(bystander.client.state, 'live', 'others are untouched');
  console.log(`revoked device kicked after ${kickedMs.toFixed(0)} ms`);

  // Its old link: the token it paired with is revoked.
  const byLink = track(openDevice(h.url, 'lost phone again', store));
  await waitFor(() => byLink.client.state === 'failed', 15_000, 'old link refused');
  assert.equal(byLink.client.error?.code, 'LINK_EXPIRED');
  // Its credential, kept by a device that ignores the revocation (a copy of the store from before).
  const copy = new MemoryCredentialStore();
  const fresh = track(await joinDevice(h.server.newLink(), 'copier', copy));
  const copyId = fresh.client.connection.hostHello!.deviceId;
  fresh.close();
  assert.equal(h.trust.revoke(copyId, LOCAL_ACTOR), null);
  await waitFor(() => h.trust.authenticator.store.credential(copyId) === null, 2000, 'revoked while offline');
  const byCredential = track(openDevice(withoutToken(h.url), 'copier', copy));
  await waitFor(() => byCredential.client.state === 'failed', 15_000, 'credential refused');
  assert.equal(byCredential.client.error?.code, 'DEVICE_UNKNOWN');
});

test('revoke all forgets every device, revokes every link and shows a new one', async () => {
  const h = await host([]);
  const one = track(await joinDevice(h.url, 'one'));
  const two = track(await joinDevice(h.serverUrl, 'two'));
  const oldServerUrl = h.serverUrl;
  assert.equal(h.trust.revokeAll(LOCAL_ACTOR), null);
  await waitFor(() => one.client.state === 'failed' && two.client.state === 'failed', 5000, 'every device kicked');
  assert.equal(h.trust.authenticator.store.credentials().length, 0);
  assert.notEqual(h.server.serverUrl, oldServerUrl, 'a new link was minted');
  const old = track(openDevice(oldServerUrl, 'old link'));
  await waitFor(() => old.client.state === 'failed', 15_000, 'old link refused');
  assert.equal(old.client.error?.code, 'LINK_EXPIRED');
  track(await joinDevice(h.server.serverUrl, 'new link'));
});

test('confirmation: a new device waits, served nothing, until allowed (as its link says, or view-only) or denied', async () => {
  const h = await host(['--confirm-devices']);
  const waiting: string[] = [];
  h.trust.on('waiting', (d) => waiting.push(d.deviceId));

  const phone = track(openDevice(h.url, 'Pixel 8'));
  await waitFor(() => phone.client.waiting !== null, 15_000, 'the device is told it waits');
  assert.equal(waiting.length, 1);
  const pending = h.trust.list().find((d) => d.pending)!;
  assert.equal(pending.name, 'Pixel 8');
  assert.notEqual(phone.client.state, 'live', 'nothing is served while waiting');
  assert.equal(phone.client.view.meta.size, 0, 'no document content reached the waiting device');
  assert.equal(h.trust.answer(pending.deviceId, 'allow', LOCAL_ACTOR), null);
  await waitFor(() => phone.client.state === 'live', 10_000, 'allowed device live');
  assert.equal(phone.client.role, 'owner');
  assert.equal(phone.client.waiting, null);
  assert.ok(h.trust.authenticator.store.credential(pending.deviceId), 'pinned once allowed');

  const tablet = track(openDevice(h.url, 'tablet'));
  await waitFor(() => h.trust.list().some((d) => d.pending), 15_000, 'tablet waits');
  assert.equal(h.trust.answer(h.trust.list().find((d) => d.pending)!.deviceId, 'view', LOCAL_ACTOR), null);
  await waitFor(() => tablet.client.state === 'live', 10_000, 'view-only device live');
  assert.equal(tablet.client.role, 'view');
  const typed = await tablet.client.sendIntent({ type: 'input', data: 'echo no\r' });
  assert.equal(!typed.ok && typed.error.code, 'FORBIDDEN_ROLE');

  const store = new MemoryCredentialStore();
  const stranger = track(openDevice(h.url, 'stranger', store));
  await waitFor(() => h.trust.list().some((d) => d.pending), 15_000, 'stranger waits');
  const strangerId = h.trust.list().find((d) => d.pending)!.deviceId;
  // An owner device answers too (the session list's owner-only intent).
  // (the phone allowed above, on the list without a token: its credential is pinned now, so it does not wait)
  const owner = track(await joinDevice(withoutToken(h.serverUrl), 'Pixel 8', phone.credentials));
  const denied = await owner.client.sendIntent({ type: 'answer-device', deviceId: strangerId, answer: 'deny' });
  assert.equal(denied.ok, true, JSON.stringify(denied));
  await waitFor(() => stranger.client.state === 'failed', 5000, 'denied device closed');
  assert.equal(stranger.client.error?.code, 'DEVICE_DENIED');
  assert.equal(h.trust.authenticator.store.credential(strangerId), null);
  await waitFor(async () => (await store.credentials(parseSessionUrl(h.url).origin)).length === 0, 2000, 'denied device forgot its credential');
});

test('the trust store survives a host restart: same host key, paired devices come back without a token; mode 0600', async () => {
  const stateDir = tempStateDir();
  // Restart on the same port: a device keeps its credentials per origin.
  const port = await freePort();
  const one = await startTrustHost(['--port', String(port)], ['--', '/bin/sh'], stateDir);
  const store = new MemoryCredentialStore();
  const phone = await joinDevice(one.url, 'phone', store);
  const deviceId = phone.client.connection.hostHello!.deviceId;
  const hostKey = phone.client.connection.hostHello!.hostKey;
  phone.close();
  await one.close();
  assert.equal(statSync(`${stateDir}/trust.json`).mode & 0o777, 0o600);
  assert.equal(statSync(stateDir).mode & 0o777, 0o700);

  const two = await host(['--port', String(port)], stateDir);
  assert.notEqual(two.server.listId, one.server.listId);
  const back = track(await joinDevice(withoutToken(two.serverUrl), 'phone', store));
  assert.equal(back.client.connection.hostHello?.deviceId, deviceId);
  assert.equal(back.client.connection.hostHello?.hostKey, hostKey, 'the same host key');
  assert.equal(back.client.connection.hostHello?.paired, false, 'recognised, not paired again');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
