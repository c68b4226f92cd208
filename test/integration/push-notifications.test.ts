/**
 * Web Push from the host (issue #12): a paired device that turned notifications on is pushed to when its
 * agent waits for an approval and when the turn ends — through a push service stood up by the test
 * (there is no internet here) with a subscription whose keys the test made, as a browser would. Each push
 * decrypts (RFC 8291) to the expected payload and carries a VAPID signature by the key the host told the
 * device in its hello. A subscription the push service says is gone is forgotten; a bad one is refused
 * and changes nothing; an unreachable push service is reported once, as PUSH_UNREACHABLE.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { SessionServer } from '../../host/session-server.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { clientDir } from '../../host/package-paths.js';
import { loadOrCreateVapidKeys } from '../../host/push/vapid-keys.js';
import { PushSubscriptions } from '../../host/push/push-subscriptions.js';
import { MemoryCredentialStore } from '../../client/core/credential-store.js';
import { PushPayloadSchema, type NotifyPrefs } from '../../protocol/push.js';
import type { TetherError } from '../../protocol/errors.js';
import { pendingPermissions, readEntry } from '../../protocol/conversation-doc.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { SCRIPTED_AGENT_ARGV } from '../helpers/scripted-agent-command.js';
import { idle, prompt, view } from '../helpers/conversation-client.js';
import { waitFor } from '../helpers/wait-for.js';
import { startPushService, verifyVapid, type PushService } from '../helpers/push-service.js';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-push-')));
const stateDir = mkdtempSync(join(tmpdir(), 'tether-push-state-'));
const config = join(folder, 'config.json');
writeFileSync(config, JSON.stringify({ presets: { scripted: { command: [...SCRIPTED_AGENT_ARGV] } } }));
const ALL: NotifyPrefs = { kinds: ['attention', 'turn-ended', 'ended'], sessions: {} };

let service: PushService;
let server: SessionServer;
let sessionId: string;
let phone: TestClient;
const warnings: TetherError[] = [];
const clients: TestClient[] = [];

before(async () => {
  service = await startPushService();
  const cmd = parseCli(['remote-control', 'push test', '--local', '--port', '0', '--config', config, '--agent', 'scripted', '--state-dir', stateDir], { ...process.env, SHELL: '/bin/sh' }, folder) as RemoteControlCommand;
  server = new SessionServer(cmd, {
    log: pino({ level: 'silent' }),
    wrtc: nodeWebRtc,
    clientDir: clientDir(),
    push: { keys: loadOrCreateVapidKeys(stateDir), dir: stateDir, generic: false, subject: 'mailto:tether@localhost', agent: service.agent },
  });
  server.on('warning', (err) => warnings.push(err));
  const ready = await server.start();
  sessionId = ready.first!.id;
  phone = await joinClient(ready.first!.url, 'phone', { credentials: new MemoryCredentialStore() });
  clients.push(phone);
});

after(async () => {
  for (const c of clients) c.close();
  await server?.close();
  await service?.close();
});

test('the host tells a device its VAPID key in the hello; the key is kept in the state folder', () => {
  const keys = loadOrCreateVapidKeys(stateDir);
  assert.equal(phone.client.connection.hostHello?.pushKey, keys.publicKey);
  assert.equal(readFileSync(join(stateDir, 'push-vapid.json'), 'utf8').includes(keys.privateKey), true);
});

test('a bad subscription is refused with INTENT_INVALID and nothing is recorded', async () => {
  const bad = { endpoint: 'http://127.0.0.1:1/not-https', keys: { p256dh: 'x', auth: 'y' } };
  const reply = await phone.client.sendIntent({ type: 'notify', subscription: bad, prefs: ALL } as never);
  assert.ok(!reply.ok && reply.error.code === 'INTENT_INVALID', JSON.stringify(reply));
  assert.equal(existsSync(PushSubscriptions.pathFor(stateDir, server.listId)), false);
});

test('waiting for an approval, then the turn ending: one encrypted, signed push each', async () => {
  const browser = service.subscriber('/push/phone');
  const reply = await phone.client.sendIntent({ type: 'notify', subscription: browser.subscription, prefs: ALL } as never);
  assert.equal(reply.ok, true, JSON.stringify(reply));
  const stored = readFileSync(PushSubscriptions.pathFor(stateDir, server.listId), 'utf8');
  assert.ok(stored.includes(browser.subscription.endpoint), 'the subscription is kept for after a restart');

  await prompt(phone, 'permission');
  await waitFor(() => service.received.length >= 1, 10_000, 'a push for the waiting approval');
  const push = service.received[0]!;
  assert.equal(push.path, '/push/phone');
  assert.equal(push.headers['content-encoding'], 'aes128gcm');
  assert.equal(push.headers.urgency, 'high');
  assert.ok(Number(push.headers.ttl) > 0);
  verifyVapid(push.headers.authorization, phone.client.connection.hostHello!.pushKey!, service.origin);
  assert.doesNotMatch(push.body.toString('latin1'), /approval/, 'the body is encrypted');
  const payload = PushPayloadSchema.parse(JSON.parse(browser.decrypt(push.body)));
  assert.deepEqual(payload, { v: 1, kind: 'attention', title: 'push test', body: 'Waiting for your approval.', sessionId, focus: 'attention' });

  await waitFor(() => pendingPermissions(view(phone)).length === 1, 10_000, 'the permission card');
  const request = readEntry(pendingPermissions(view(phone))[0]!);
  assert.ok(request.type === 'permission');
  assert.equal((await phone.client.sendIntent({ type: 'permission', requestId: request.requestId, optionId: 'allow-once' })).ok, true);
  await idle(phone);
  await waitFor(() => service.received.length >= 2, 10_000, 'a push for the end of the turn');
  const ended = PushPayloadSchema.parse(JSON.parse(browser.decrypt(service.received[1]!.body)));
  assert.equal(ended.kind, 'turn-ended');
  assert.equal(ended.focus, null);
  assert.equal(ended.body, 'Finished its turn.');
});

test('a device that wants only approvals for this session is not told about turn ends', async () => {
  const browser = service.subscriber('/push/phone');
  const prefs: NotifyPrefs = { kinds: ALL.kinds, sessions: { [sessionId]: ['attention'] } };
  assert.equal((await phone.client.sendIntent({ type: 'notify', subscription: browser.subscription, prefs } as never)).ok, true);
  const before = service.received.length;
  await prompt(phone, 'permission');
  await waitFor(() => service.received.length === before + 1, 10_000, 'the approval push');
  await waitFor(() => pendingPermissions(view(phone)).length === 1, 10_000, 'the permission card');
  const request = readEntry(pendingPermissions(view(phone))[0]!);
  assert.ok(request.type === 'permission');
  assert.equal((await phone.client.sendIntent({ type: 'permission', requestId: request.requestId, optionId: 'allow-once' })).ok, true);
  await idle(phone);
  await prompt(phone, 'echo one more turn');
  await idle(phone);
  // Turn ends are pushed within a refresh (100 ms) of the change; give them ten times that.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(service.received.length, before + 1, 'no push for the turns that ended');
});

test('a subscription the push service says is gone (410) is forgotten', async () => {
  const browser = service.subscriber('/push/gone');
  service.answer.set('/push/gone', 410);
  assert.equal((await phone.client.sendIntent({ type: 'notify', subscription: browser.subscription, prefs: ALL } as never)).ok, true);
  await prompt(phone, 'echo hello');
  await waitFor(() => !readFileSync(PushSubscriptions.pathFor(stateDir, server.listId), 'utf8').includes('/push/gone'), 10_000, 'the subscription forgotten');
  assert.doesNotMatch(readFileSync(PushSubscriptions.pathFor(stateDir, server.listId), 'utf8'), /"deviceId"/);
});

test('an unreachable push service is reported once as PUSH_UNREACHABLE; the session carries on', async () => {
  const unreachable = { endpoint: 'https://127.0.0.1:1/push/offline', keys: service.subscriber('/x').subscription.keys };
  assert.equal((await phone.client.sendIntent({ type: 'notify', subscription: unreachable, prefs: ALL } as never)).ok, true);
  await prompt(phone, 'echo first');
  await idle(phone);
  await waitFor(() => warnings.some((w) => w.code === 'PUSH_UNREACHABLE'), 10_000, 'the warning');
  await prompt(phone, 'echo second');
  await idle(phone);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(warnings.filter((w) => w.code === 'PUSH_UNREACHABLE').length, 1);
  assert.match(warnings.find((w) => w.code === 'PUSH_UNREACHABLE')!.message, /127\.0\.0\.1:1/);
});

test('turning notifications off (a null subscription) forgets the device', async () => {
  assert.equal((await phone.client.sendIntent({ type: 'notify', subscription: null, prefs: ALL } as never)).ok, true);
  assert.doesNotMatch(readFileSync(PushSubscriptions.pathFor(stateDir, server.listId), 'utf8'), /"deviceId"/);
});
