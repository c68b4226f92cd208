/**
 * The audit log with a real server, agent and devices: one JSON line per pairing, join, leave, role change,
 * revocation, prompt (hashed by default, full text on request), permission answer, stop, session start and
 * end — each with time, session and the device's paired identity; appended across restarts, mode 0600; a
 * line is written before the action is applied (an action the log cannot hold is refused, nothing changes);
 * a login program a device starts is recorded as started by that device.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionClient } from '../../client/core/session-client.js';
import { LOCAL_ACTOR } from '../../host/core/session-core.js';
import { readStatus } from '../../protocol/conversation-doc.js';
import { SCRIPTED_AGENT, SCRIPTED_AGENT_ARGV } from '../helpers/scripted-agent-command.js';
import { joinDevice, removeStateDirs, startTrustHost, type TrustDevice, type TrustHost } from '../helpers/trust-host.js';
import { waitFor } from '../helpers/wait-for.js';

const work = mkdtempSync(join(tmpdir(), 'tether-audit-'));
const hosts: TrustHost[] = [];
const devices: TrustDevice[] = [];
const clients: SessionClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const d of devices) d.close();
  for (const h of hosts) await h.close();
  removeStateDirs();
  rmSync(work, { recursive: true, force: true });
});

type Line = { v: number; time: string; event: string; sessionId: string | null; device: { deviceId: string; name: string; role?: string } | null } & Record<string, unknown>;
const lines = (path: string): Line[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);

test('every action leaves a line, with time, session and the device as the host paired it', async () => {
  const path = join(work, 'audit.jsonl');
  const h = await startTrustHost(['--audit', path], ['--agent', SCRIPTED_AGENT]);
  hosts.push(h);
  const session = h.server.sessions.values().next().value!;
  const phone = await joinDevice(h.serverUrl, 'phone');
  devices.push(phone);
  const deviceId = phone.client.connection.hostHello!.deviceId;
  const chat = new SessionClient({ connection: phone.client.connection, sessionId: session.id });
  clients.push(chat);
  chat.start();
  await waitFor(() => chat.state === 'live', 15_000, 'chat live');
  await waitFor(() => readStatus(chat.conversation) === 'idle', 15_000, 'agent ready');
  assert.equal((await chat.sendIntent({ type: 'prompt', text: 'permission' })).ok, true);
  await waitFor(() => readStatus(chat.conversation) === 'awaiting-permission', 15_000, 'permission asked');
  const requestId = String(chat.conversation.entries.toArray().find((e) => e.get('type') === 'permission')!.get('requestId'));
  assert.equal((await chat.sendIntent({ type: 'permission', requestId, optionId: 'allow-once' })).ok, true);
  await waitFor(() => readStatus(chat.conversation) === 'idle', 15_000, 'turn over');
  assert.equal((await chat.sendIntent({ type: 'stop' })).ok, true);
  assert.equal(h.trust.setRole(deviceId, 'control', LOCAL_ACTOR), null);
  chat.close();
  await waitFor(() => lines(path).some((l) => l.event === 'leave' && l.sessionId === session.id), 5000, 'leave recorded');
  assert.equal(h.trust.revoke(deviceId, LOCAL_ACTOR), null);
  await h.server.endSession(session.id);

  const log = lines(path);
  const events = log.map((l) => l.event);
  for (const e of ['session-start', 'device-paired', 'join', 'prompt', 'permission', 'stop', 'role-changed', 'leave', 'device-revoked', 'session-end']) {
    assert.ok(events.includes(e), `no ${e} line in ${events.join(', ')}`);
  }
  for (const l of log) {
    assert.equal(l.v, 1);
    assert.ok(!Number.isNaN(Date.parse(l.time)), 'time');
  }
  const prompt = log.find((l) => l.event === 'prompt')!;
  assert.equal(prompt.sessionId, session.id);
  assert.deepEqual(prompt.device, { deviceId, name: 'phone', kind: 'terminal', role: 'owner' });
  assert.equal(prompt.sha256, createHash('sha256').update('permission').digest('hex'), 'prompts are hashed by default');
  assert.equal(prompt.text, undefined);
  assert.equal(log.find((l) => l.event === 'permission')!.optionId, 'allow-once');
  assert.equal((log.find((l) => l.event === 'device-paired')!.device as { deviceId: string }).deviceId, deviceId);
  assert.equal((log.find((l) => l.event === 'role-changed')!.device as { role: string }).role, 'control');
  assert.equal((log.find((l) => l.event === 'device-revoked')!.by as { deviceId: string }).deviceId, 'local');
  assert.ok(events.indexOf('device-paired') < events.indexOf('join'), 'in the order they happened');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  await h.close();
  hosts.splice(hosts.indexOf(h), 1);

  // A restart appends; --audit-prompts full keeps the text.
  const again = await startTrustHost(['--audit', path, '--audit-prompts', 'full'], ['--agent', SCRIPTED_AGENT], h.stateDir);
  hosts.push(again);
  const s2 = again.server.sessions.values().next().value!;
  const owner = await joinDevice(again.serverUrl, 'laptop');
  devices.push(owner);
  const chat2 = new SessionClient({ connection: owner.client.connection, sessionId: s2.id });
  clients.push(chat2);
  chat2.start();
  await waitFor(() => chat2.state === 'live', 15_000, 'chat live');
  assert.equal((await chat2.sendIntent({ type: 'prompt', text: 'echo in full' })).ok, true);
  const after2 = lines(path);
  assert.ok(after2.length > log.length, 'appended');
  assert.deepEqual(after2.slice(0, log.length), log, 'earlier lines kept');
  assert.equal(after2.find((l) => l.event === 'prompt' && l.sessionId === s2.id)?.text, 'echo in full');
});

test('a line is written before the action: when the log cannot be written, the action is refused and nothing changes', async () => {
  const path = join(work, 'readonly.jsonl');
  const h = await startTrustHost(['--audit', path], ['--agent', SCRIPTED_AGENT]);
  hosts.push(h);
  const session = h.server.sessions.values().next().value!;
  const phone = await joinDevice(h.serverUrl, 'phone');
  devices.push(phone);
  const chat = new SessionClient({ connection: phone.client.connection, sessionId: session.id });
  clients.push(chat);
  chat.start();
  await waitFor(() => chat.state === 'live', 15_000, 'chat live');
  await waitFor(() => readStatus(chat.conversation) === 'idle', 15_000, 'agent ready');
  const entries = chat.conversation.entries.length;
  // The log stops accepting lines (as a full disk or a closed file would).
  h.trust.audit!.close();
  const reply = await chat.sendIntent({ type: 'prompt', text: 'echo must not run' });
  assert.equal(!reply.ok && reply.error.code, 'AUDIT_FAILED');
  assert.equal(session.session.kind === 'conversation' && session.session.writer.view.entries.length, entries, 'the prompt was not applied');
  assert.ok(h.trust.revoke(phone.client.connection.hostHello!.deviceId, LOCAL_ACTOR)?.code === 'AUDIT_FAILED', 'nor is a revocation');
  assert.equal(phone.client.state, 'live');
});

test('a login program a device starts is recorded as started by that device', async () => {
  const config = join(work, 'login-config.json');
  writeFileSync(config, JSON.stringify({ presets: { locked: { command: [...SCRIPTED_AGENT_ARGV, '--auth'] } } }));
  const path = join(work, 'login-audit.jsonl');
  process.env.SCRIPTED_AGENT_HOME = mkdtempSync(join(work, 'agent-home-'));
  process.env.SCRIPTED_API_KEY = '';
  const h = await startTrustHost(['--audit', path, '--config', config, '--no-create-session-in-dir'], ['--agent', SCRIPTED_AGENT]);
  hosts.push(h);
  const phone = await joinDevice(h.serverUrl, 'phone');
  devices.push(phone);
  const deviceId = phone.client.connection.hostHello!.deviceId;
  assert.equal((await phone.client.sendIntent({ type: 'start-session', agent: 'locked', name: 'locked' })).ok, true);
  await waitFor(() => [...h.server.sessions.values()].some((m) => m.name === 'locked' && m.ended), 15_000, 'the start needs a login');
  const locked = [...h.server.sessions.values()].find((m) => m.name === 'locked')!;
  const chat = new SessionClient({ connection: phone.client.connection, sessionId: locked.id });
  clients.push(chat);
  chat.start();
  await waitFor(() => chat.state === 'live', 15_000, 'chat live');
  const reply = await chat.sendIntent({ type: 'login', methodId: 'scripted-login' });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  await waitFor(() => lines(path).some((l) => l.event === 'session-start' && l.agent === 'locked-login'), 10_000, 'the login terminal started');
  const started = lines(path).find((l) => l.event === 'session-start' && l.agent === 'locked-login')!;
  assert.equal(started.device?.deviceId, deviceId, `started by ${JSON.stringify(started.device)}`);
});
