/**
 * Roles, with real devices on a real server: a view-only link is refused every intent type with
 * FORBIDDEN_ROLE and nothing changes on the host; an owner changes a device's role and it applies at once
 * (the device is told, and what it may do follows); a control device may not type into a shell (owner-only
 * unless the policy says otherwise) and so never sizes it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { SessionClient } from '../../client/core/session-client.js';
import { LOCAL_ACTOR } from '../../host/core/session-core.js';
import { formatSessionUrl, parseSessionUrl } from '../../protocol/session-url.js';
import { readStatus } from '../../protocol/conversation-doc.js';
import { readTerminal } from '../../protocol/terminal-doc.js';
import type { IntentBody } from '../../protocol/messages.js';
import type { ManagedSession } from '../../host/session-server.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { joinDevice, removeStateDirs, startTrustHost, type TrustDevice, type TrustHost } from '../helpers/trust-host.js';
import { waitFor } from '../helpers/wait-for.js';

let host: TrustHost;
let conversation: ManagedSession;
let terminal: ManagedSession;
const devices: TrustDevice[] = [];
const clients: SessionClient[] = [];

before(async () => {
  host = await startTrustHost(['--allow-agent', 'shell'], ['--agent', SCRIPTED_AGENT]);
  conversation = host.server.sessions.values().next().value!;
  terminal = await host.server.startSession({ name: 'shell', agent: 'shell' });
});

after(async () => {
  for (const c of clients) c.close();
  for (const d of devices) d.close();
  await host?.close();
  removeStateDirs();
});

/** A device on the list link minted for `role`, and the sessions it opens on the same connection. */
async function deviceWith(url: string, name: string): Promise<{ list: TrustDevice; open(sessionId: string): Promise<SessionClient> }> {
  const list = await joinDevice(url, name);
  devices.push(list);
  return {
    list,
    async open(sessionId) {
      const c = new SessionClient({ connection: list.client.connection, sessionId });
      clients.push(c);
      c.start();
      await waitFor(() => c.state === 'live', 15_000, `${name} opens ${sessionId}`);
      return c;
    },
  };
}

const stateOf = (doc: Y.Doc): string => Buffer.from(Y.encodeStateVector(doc)).toString('base64');

test('a view-only device is refused every intent type (FORBIDDEN_ROLE) and nothing changes', async () => {
  const owner = await deviceWith(host.serverUrl, 'owner phone');
  const ownerChat = await owner.open(conversation.id);
  // Something to answer and something queued, so every conversation intent has a real target.
  void ownerChat.sendIntent({ type: 'prompt', text: 'permission' });
  await waitFor(() => readStatus(conversation.session.kind === 'conversation' ? conversation.session.writer.view : ownerChat.conversation) === 'awaiting-permission', 15_000, 'permission asked');
  const queued = await ownerChat.sendIntent({ type: 'prompt', text: 'echo queued' });
  assert.equal(queued.ok, true);
  await waitFor(() => ownerChat.conversation.queue.length === 1, 5000, 'prompt queued');
  const requestId = String(ownerChat.conversation.entries.toArray().find((e) => e.get('type') === 'permission')!.get('requestId'));
  const queueId = String(ownerChat.conversation.queue.get(0).get('id'));

  const viewUrl = host.server.newLink('view');
  const viewer = await deviceWith(viewUrl, 'viewer');
  assert.equal(viewer.list.client.role, 'view', 'the list says what a view device may do');
  const chat = await viewer.open(conversation.id);
  const shell = await viewer.open(terminal.id);
  assert.equal(chat.role, 'view');
  assert.equal(shell.role, 'view');
  // Let joins settle (roster entries, list rows), then freeze what the host holds.
  await new Promise((r) => setTimeout(r, 300));
  const docs = [conversation.session.doc, terminal.session.doc, host.server.list.doc];
  const before = docs.map(stateOf);

  const perSession: Array<[SessionClient, IntentBody[]]> = [
    [shell, [{ type: 'input', data: 'echo pwned\r' }, { type: 'resize', cols: 40, rows: 10 }, { type: 'resume' }]],
    // A folder holds files like .env: the workspace is the owner's by default (policy workspaceRole).
    [chat, [{ type: 'workspace-status' }, { type: 'workspace-diff', path: 'package.json' }, { type: 'workspace-list', path: '' }, { type: 'workspace-read', path: 'package.json' }]],
    [chat, [
      { type: 'prompt', text: 'echo from a viewer' },
      { type: 'queue-edit', queueId, text: 'changed' },
      { type: 'queue-remove', queueId },
      { type: 'permission', requestId, optionId: 'allow-once' },
      { type: 'stop' },
      { type: 'set-mode', modeId: 'code' },
      { type: 'set-config', configId: 'model', value: 'fast' },
      { type: 'answer', requestId: 'q1', action: 'decline' },
      { type: 'login', methodId: 'terminal-login' },
      { type: 'run-queue' },
    ]],
    [viewer.list.client, [
      { type: 'start-session', agent: 'shell' },
      { type: 'list-agent-sessions', agent: 'shell' },
      { type: 'end-session', sessionId: terminal.id },
      { type: 'rename-session', sessionId: terminal.id, name: 'renamed' },
      { type: 'remove-session', sessionId: terminal.id },
      { type: 'resume-session', sessionId: terminal.id },
      { type: 'set-device-role', deviceId: owner.list.client.connection.hostHello!.deviceId, role: 'view' },
      { type: 'revoke-device', deviceId: owner.list.client.connection.hostHello!.deviceId },
      { type: 'answer-device', deviceId: owner.list.client.connection.hostHello!.deviceId, answer: 'allow' },
    ]],
  ];
  const types = new Set<string>();
  for (const [client, intents] of perSession) {
    for (const intent of intents) {
      const reply = await client.sendIntent(intent);
      assert.equal(reply.ok, false, `${intent.type} was applied for a view device`);
      assert.equal(!reply.ok && reply.error.code, 'FORBIDDEN_ROLE', `${intent.type}: ${JSON.stringify(reply)}`);
      types.add(intent.type);
    }
  }
  // Every intent type the protocol has was tried, but `notify`: a device's own choice of notifications,
  // which every role may make (push-notifications.test.ts).
  const { IntentSchema } = await import('../../protocol/messages.js');
  const all = IntentSchema.def.options.flatMap((o) => o.shape.type.def.values).filter((t) => t !== 'notify');
  assert.deepEqual([...types].sort(), [...all].sort());
  assert.deepEqual(docs.map(stateOf), before, 'no document changed');
  assert.equal(terminal.session.kind === 'terminal' && readTerminal(terminal.session.writer.view).cols, 80, 'the view device never sized the terminal');
  const answered = await ownerChat.sendIntent({ type: 'permission', requestId, optionId: 'allow-once' });
  assert.equal(answered.ok, true, JSON.stringify(answered));
});

test('a control device may prompt but not type into a shell (owner-only), and never sizes it', async () => {
  const url = formatSessionUrl(parseSessionUrl(host.serverUrl).origin, host.server.listId, null);
  const controlToken = host.server.authenticator.mintToken(host.server.listId, 'control', 60_000).secret;
  const control = await deviceWith(`${url}#${controlToken}`, 'control tablet');
  const shell = await control.open(terminal.id);
  const chat = await control.open(conversation.id);
  assert.equal(shell.role, 'view', 'a shell needs owner: a control device only watches it');
  assert.equal(chat.role, 'control');
  const typed = await shell.sendIntent({ type: 'input', data: 'echo nope\r' });
  assert.equal(!typed.ok && typed.error.code, 'FORBIDDEN_ROLE');
  await waitFor(() => readStatus(chat.conversation) === 'idle', 15_000, 'agent idle').catch((err: Error) => {
    throw new Error(`${err.message} (status ${readStatus(chat.conversation)}, host ${conversation.session.kind === 'conversation' ? readStatus(conversation.session.writer.view) : ''})`);
  });
  const prompt = await chat.sendIntent({ type: 'prompt', text: 'echo control works' });
  assert.equal(prompt.ok, true, JSON.stringify(prompt));
});

test('an owner changes a device\'s role: applied at once, the device is told, its next intent follows it', async () => {
  const device = await deviceWith(host.serverUrl, 'to demote');
  const chat = await device.open(conversation.id);
  assert.equal(chat.role, 'owner');
  const deviceId = device.list.client.connection.hostHello!.deviceId;
  const roles: string[] = [];
  chat.on('role', (r) => roles.push(r));
  const notices: string[] = [];
  device.list.client.connection.on('notice', (n) => notices.push(JSON.stringify(n)));
  assert.equal(host.trust.setRole(deviceId, 'view', LOCAL_ACTOR), null);
  await waitFor(() => chat.role === 'view' && device.list.client.role === 'view', 5000, 'role change reaches the device');
  assert.deepEqual(roles, ['view']);
  assert.ok(notices.some((n) => n.includes('"role":"view"')));
  assert.equal(host.trust.list().find((d) => d.deviceId === deviceId)?.role, 'view', 'the trust store keeps the new role');
  const refused = await chat.sendIntent({ type: 'prompt', text: 'echo after demotion' });
  assert.equal(!refused.ok && refused.error.code, 'FORBIDDEN_ROLE');
  // The host shows the device with its new role to everyone.
  await waitFor(() => chat.presence.devices.some((d) => d.deviceId === deviceId && d.role === 'view'), 5000, 'presence shows the role');

  // An owner device does the same from the list (owner-only intent).
  const owner = await deviceWith(host.serverUrl, 'owner laptop');
  const back = await owner.list.client.sendIntent({ type: 'set-device-role', deviceId, role: 'control' });
  assert.equal(back.ok, true, JSON.stringify(back));
  await waitFor(() => chat.role === 'control', 5000, 'promoted back by an owner device');
});
