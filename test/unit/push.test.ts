/**
 * The host's pieces of Web Push: the VAPID key pair (made once, kept private, a damaged file refused with
 * a way out), which status changes are worth a notification, the subscriptions file (kept across
 * restarts, a damaged one ignored), and generic pushes that say nothing about the session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadOrCreateVapidKeys, vapidKeysPath } from '../../host/push/vapid-keys.js';
import { endedNotice, transitionNotice } from '../../protocol/status-notices.js';
import { PushSubscriptions } from '../../host/push/push-subscriptions.js';
import { PushNotifier } from '../../host/push/push-notifier.js';
import { PushPayloadSchema, type NotifyPrefs } from '../../protocol/push.js';
import type { TetherError } from '../../protocol/errors.js';
import { startPushService } from '../helpers/push-service.js';
import { waitFor } from '../helpers/wait-for.js';

const log = pino({ level: 'silent' });
const ALL: NotifyPrefs = { kinds: ['attention', 'turn-ended', 'ended'], sessions: {} };
const SESSION = 'S'.repeat(22);
const DEVICE = 'D'.repeat(22);

test('the VAPID key pair is made once, private to the user, and a damaged file is refused with a way out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-vapid-'));
  const first = loadOrCreateVapidKeys(dir);
  assert.match(first.publicKey, /^[A-Za-z0-9_-]{87}$/);
  assert.equal(Buffer.from(first.privateKey, 'base64url').length, 32);
  assert.deepEqual(loadOrCreateVapidKeys(dir), first);
  assert.equal(statSync(vapidKeysPath(dir)).mode & 0o777, 0o600);
  writeFileSync(vapidKeysPath(dir), '{"v":1,"publicKey":"short"}');
  assert.throws(() => loadOrCreateVapidKeys(dir), (e: TetherError) => e.code === 'BAD_CONFIG' && /remove it to make a new one/.test(e.message));
});

test('which status changes are worth a notification', () => {
  assert.equal(transitionNotice('working', 'awaiting-permission')?.kind, 'attention');
  assert.equal(transitionNotice('working', 'awaiting-answer')?.body, 'Has a question for you.');
  assert.equal(transitionNotice('working', 'idle')?.kind, 'turn-ended');
  assert.equal(transitionNotice('awaiting-permission', 'idle')?.kind, 'turn-ended', 'a turn cancelled at its approval ended too');
  assert.equal(transitionNotice('starting', 'idle'), null, 'an agent becoming ready is not a turn');
  assert.equal(transitionNotice(null, 'idle'), null);
  assert.equal(transitionNotice('idle', 'working'), null);
  assert.equal(transitionNotice('awaiting-permission', 'awaiting-permission'), null);
  assert.deepEqual(endedNotice('exited with code 3'), { kind: 'ended', body: 'Ended: exited with code 3' });
});

test('subscriptions are kept across restarts; a damaged file is ignored, not fatal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-push-subs-'));
  const path = PushSubscriptions.pathFor(dir, SESSION);
  const service = await startPushService();
  try {
    const { subscription } = service.subscriber('/a');
    const subs = new PushSubscriptions(path, log);
    assert.equal(subs.set(DEVICE, subscription, ALL), true);
    assert.equal(subs.set(DEVICE, subscription, ALL), false, 'the same choice again writes nothing');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(new PushSubscriptions(path, log).all().map((t) => t.subscription), [subscription]);
    writeFileSync(path, '{"v":1,"devices":[{"deviceId":"x"}]}');
    assert.deepEqual(new PushSubscriptions(path, log).all(), []);
  } finally {
    await service.close();
  }
});

test('--notifications generic: the push names neither the session nor what it said', async () => {
  const service = await startPushService();
  try {
    const browser = service.subscriber('/generic');
    const subscriptions = new PushSubscriptions(null, log);
    subscriptions.set(DEVICE, browser.subscription, ALL);
    const notifier = new PushNotifier({ keys: loadOrCreateVapidKeys(mkdtempSync(join(tmpdir(), 'tether-vapid-'))), subscriptions, isPaired: () => true, generic: true, subject: 'mailto:tether@localhost', log, agent: service.agent });
    notifier.notify({ sessionId: SESSION, sessionName: 'secret-project', kind: 'ended', body: 'Ended: exited with code 1' });
    await waitFor(() => service.received.length === 1, 10_000, 'the push');
    const payload = PushPayloadSchema.parse(JSON.parse(browser.decrypt(service.received[0]!.body)));
    assert.deepEqual({ title: payload.title, body: payload.body }, { title: 'tether', body: 'A session ended.' });
    // A device that is no longer paired is dropped, not pushed to.
    const unpaired = new PushNotifier({ keys: loadOrCreateVapidKeys(mkdtempSync(join(tmpdir(), 'tether-vapid-'))), subscriptions, isPaired: () => false, generic: true, subject: 'mailto:tether@localhost', log, agent: service.agent });
    unpaired.notify({ sessionId: SESSION, sessionName: 'x', kind: 'ended', body: '' });
    assert.deepEqual(subscriptions.all(), []);
  } finally {
    await service.close();
  }
});
