/**
 * Logins, the agent's way, and the rest of an agent's lifecycle in server mode — with the scripted
 * agent (`--auth`: it refuses session/new until it is logged in) as a real child process and Node
 * devices over real WebRTC: the login card naming its methods, the login program run as a terminal
 * session a device opens and types into, the owner-only rule, a variable that logs in by itself, the
 * `--json` error that names the methods; agents that are not installed; resuming an earlier session of
 * the agent with its history; session/close when a session ends.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { SessionServer, type ManagedSession } from '../../host/session-server.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { clientDir } from '../../host/package-paths.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { SCRIPTED_AGENT_ARGV } from '../helpers/scripted-agent-command.js';
import { startCli } from '../helpers/cli-host.js';
import { waitFor } from '../helpers/wait-for.js';
import { processesMatching } from '../helpers/processes.js';
import { readAgentSessions, readListedSessions, readListMeta, sessionListDocView } from '../../protocol/session-list-doc.js';
import { entryText, readConversationMeta, readConversationState, readEntry, readStatus } from '../../protocol/conversation-doc.js';
import { formatSessionUrl, parseSessionUrl } from '../../protocol/session-url.js';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-login-')));
const agentHome = mkdtempSync(join(tmpdir(), 'tether-login-agent-home-'));
const marker = `login-test-${process.pid}`;
const config = join(folder, 'config.json');
writeFileSync(
  config,
  JSON.stringify({
    presets: {
      locked: { command: [...SCRIPTED_AGENT_ARGV, '--auth', marker], authEnv: { 'scripted-key': 'SCRIPTED_API_KEY' }, login: 'type ok in the login terminal' },
      scripted: { command: [...SCRIPTED_AGENT_ARGV] },
      missing: { command: ['no-such-agent-for-tether-tests'], install: 'install it with: npm install -g no-such-agent' },
    },
  }),
);
const env = { ...process.env, SHELL: '/bin/sh', SCRIPTED_AGENT_HOME: agentHome, SCRIPTED_API_KEY: '' };

let server: SessionServer;
let serverUrl: string;
let phone: TestClient;
const clients: TestClient[] = [];

function silent(): pino.Logger {
  return pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
}

before(async () => {
  const cmd = parseCli(['remote-control', 'srv', '--local', '--port', '0', '--config', config, '--no-create-session-in-dir'], env, folder) as RemoteControlCommand;
  server = new SessionServer(cmd, { log: silent(), wrtc: nodeWebRtc, clientDir: clientDir() });
  serverUrl = (await server.start()).serverUrl;
  phone = await joinClient(serverUrl, 'phone');
  clients.push(phone);
});
after(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

const listView = (): ReturnType<typeof sessionListDocView> => sessionListDocView(phone.client.doc);
/** The session a device started most recently with `agent`. */
const newest = (agent: string): ManagedSession | undefined => [...server.sessions.values()].filter((s) => s.agent === agent).at(-1);

async function start(request: Record<string, unknown>): Promise<ManagedSession> {
  const before = new Set(server.sessions.keys());
  const reply = await phone.client.sendIntent({ type: 'start-session', ...request } as never);
  assert.equal(reply.ok, true, JSON.stringify(reply));
  await waitFor(() => [...server.sessions.keys()].some((id) => !before.has(id)), 5000, 'the session is listed');
  return [...server.sessions.values()].find((s) => !before.has(s.id))!;
}

async function open(managed: ManagedSession, name: string, url = managed.url): Promise<TestClient> {
  const c = await joinClient(url, name);
  clients.push(c);
  return c;
}

test('an agent that is not installed is marked with its install hint, and starting it is refused at once', async () => {
  await waitFor(() => readListMeta(listView()).agents.length > 0, 5000, 'agents listed');
  const agents = readListMeta(listView()).agents;
  assert.deepEqual(agents.find((a) => a.label === 'missing'), { label: 'missing', command: 'no-such-agent-for-tether-tests', installed: false, install: 'install it with: npm install -g no-such-agent' });
  assert.equal(agents.find((a) => a.label === 'locked')?.installed, true);
  const reply = await phone.client.sendIntent({ type: 'start-session', agent: 'missing' });
  assert.ok(!reply.ok && reply.error.code === 'AGENT_NOT_FOUND', JSON.stringify(reply));
  assert.match(!reply.ok ? reply.error.message : '', /install it with: npm install -g no-such-agent/);
  assert.equal(readListedSessions(listView()).length, 0, 'no Ended card for it');
});

test('an agent that needs a login ends with a card naming its methods; nothing of it keeps running', async () => {
  const managed = await start({ agent: 'locked', name: 'first' });
  const conv = await open(managed, 'phone-conv');
  await waitFor(() => readStatus(conv.client.conversation) === 'ended', 15_000, 'the start failed');
  const state = readConversationState(conv.client.conversation);
  assert.match(String(state.endedReason), /Scripted Agent needs a login \(session\/new: Authentication required\)/);
  assert.ok(state.login);
  assert.equal(state.login.agent, 'Scripted Agent');
  assert.equal(state.login.hint, 'type ok in the login terminal');
  assert.deepEqual(state.login.methods.map((m) => [m.id, m.type, m.envVar, m.ready]), [
    ['scripted-key', 'agent', 'SCRIPTED_API_KEY', false],
    ['scripted-login', 'terminal', null, false],
    ['scripted-browser', 'agent', null, false],
  ]);
  await waitFor(() => readListedSessions(listView()).find((r) => r.id === managed.id)?.state === 'ended', 5000, 'its row ended');
  await waitFor(() => processesMatching(marker).length === 0, 3000, `no agent process left: ${processesMatching(marker).join('; ')}`);
});

test('the login program runs as a terminal session an owner starts and types into; then the agent starts', async () => {
  const managed = newest('locked')!;
  const conv = await open(managed, 'owner-conv');
  await waitFor(() => readConversationState(conv.client.conversation).login !== null, 5000, 'login card');

  // A device with the control role may prompt, but not run programs on the host.
  const { origin } = parseSessionUrl(serverUrl);
  const controlUrl = formatSessionUrl(origin, managed.id, server.authenticator.mintToken(server.listId, 'control', 60_000).secret);
  const helper = await open(managed, 'helper', controlUrl);
  const forbidden = await helper.client.sendIntent({ type: 'login', methodId: 'scripted-login' });
  assert.equal(!forbidden.ok && forbidden.error.code, 'FORBIDDEN_ROLE');
  // A method a variable satisfies says which variable.
  const variable = await conv.client.sendIntent({ type: 'login', methodId: 'scripted-key' });
  assert.ok(!variable.ok && variable.error.code === 'LOGIN_UNAVAILABLE' && /set SCRIPTED_API_KEY/.test(variable.error.message), JSON.stringify(variable));

  const reply = await conv.client.sendIntent({ type: 'login', methodId: 'scripted-login' });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  await waitFor(() => readConversationState(conv.client.conversation).login?.terminal?.state === 'running', 5000, 'the card shows the login terminal');
  const loginSessionId = readConversationState(conv.client.conversation).login!.terminal!.sessionId!;
  const row = readListedSessions(listView()).find((r) => r.id === loginSessionId);
  assert.ok(row && row.kind === 'terminal' && row.name === 'first login', JSON.stringify(row));
  const terminal = await open(server.sessions.get(loginSessionId)!, 'phone-terminal', server.linkOf(loginSessionId));
  await waitFor(() => terminal.text().includes('Type the code'), 10_000, 'the login program asks');
  await terminal.client.sendIntent({ type: 'input', data: 'ok\r' });
  await waitFor(() => readConversationState(conv.client.conversation).login?.terminal?.state === 'succeeded', 10_000, 'the card says logged in');
  assert.ok(conv.client.conversation.entries.toArray().some((e) => entryText(e) === 'Logged in. Start a new session to use the login.'));

  const again = await start({ agent: 'locked', name: 'second' });
  const second = await open(again, 'phone-second');
  await waitFor(() => readStatus(second.client.conversation) === 'idle', 15_000, 'the agent starts now');
});

test('a prompt refused for want of a login shows the card; the session stays up', async () => {
  const managed = newest('locked')!;
  const conv = await open(managed, 'phone-authfail');
  await waitFor(() => readStatus(conv.client.conversation) === 'idle', 15_000, 'ready');
  await conv.client.sendIntent({ type: 'prompt', text: 'authfail' });
  await waitFor(() => readConversationState(conv.client.conversation).login !== null, 10_000, 'the login card');
  await waitFor(() => readStatus(conv.client.conversation) === 'idle', 5000, 'still up');
  const notice = conv.client.conversation.entries.toArray().map((e) => readEntry(e)).filter((e) => e.type === 'notice').at(-1);
  assert.match(notice?.type === 'notice' ? notice.text : '', /needs a login/);
  await conv.client.sendIntent({ type: 'prompt', text: 'echo logged in after all' });
  await waitFor(() => readConversationState(conv.client.conversation).login === null, 10_000, 'a prompt that works clears the card');
});

test('--json: a start that needs a login prints an error event naming the methods; a set variable logs in', async () => {
  const needs = startCli(['remote-control', '--json', '--local', '--port', '0', '--config', config, '--agent', 'locked'], { SCRIPTED_AGENT_HOME: mkdtempSync(join(tmpdir(), 'tether-login-cli-')), SCRIPTED_API_KEY: '' }, folder);
  assert.equal(await needs.exited, 1);
  const error = needs.events.find((e) => e.event === 'error') as { code?: string; login?: { methods: Array<{ name: string; envVar: string | null }>; hint: string } } | undefined;
  assert.equal(error?.code, 'AGENT_LOGIN_REQUIRED');
  assert.deepEqual(error?.login?.methods.map((m) => [m.name, m.envVar]), [['Use SCRIPTED_API_KEY', 'SCRIPTED_API_KEY'], ['Log in to Scripted', null], ['Log in with a browser', null]]);
  assert.match(needs.stderr(), /Use SCRIPTED_API_KEY \(set SCRIPTED_API_KEY\)/);
  assert.match(needs.stderr(), /To log in: type ok in the login terminal/);

  const keyed = startCli(['remote-control', '--json', '--local', '--port', '0', '--config', config, '--agent', 'locked'], { SCRIPTED_AGENT_HOME: mkdtempSync(join(tmpdir(), 'tether-login-cli-')), SCRIPTED_API_KEY: 'sk-test' }, folder);
  const ready = await keyed.event('ready');
  const device = await joinClient(String(ready.url), 'keyed');
  clients.push(device);
  await waitFor(() => readStatus(device.client.conversation) === 'idle', 10_000, 'started with the variable');
  assert.equal(readConversationMeta(device.client.conversation).authMethods.find((m) => m.id === 'scripted-key')?.ready, true);
  keyed.child.kill('SIGTERM');
  assert.equal(await keyed.exited, 0);
});

test('resume: the sheet\'s list of earlier sessions, the history shown, session/close when a session ends', async () => {
  const first = await start({ agent: 'scripted', name: 'yesterday' });
  const conv = await open(first, 'phone-yesterday');
  await waitFor(() => readStatus(conv.client.conversation) === 'idle', 15_000, 'ready');
  await conv.client.sendIntent({ type: 'prompt', text: 'title Yesterday\'s refactor' });
  await conv.client.sendIntent({ type: 'prompt', text: 'echo remember me' });
  await waitFor(() => conv.client.conversation.entries.toArray().some((e) => entryText(e) === 'You said: remember me'), 10_000, 'answered');
  const agentSessionId = readConversationMeta(conv.client.conversation).agentSessionId!;
  assert.ok(agentSessionId);
  assert.equal((await phone.client.sendIntent({ type: 'end-session', sessionId: first.id })).ok, true);
  const stored = JSON.parse(readFileSync(join(agentHome, 'sessions', `${agentSessionId}.json`), 'utf8')) as { closedAt: string | null };
  assert.ok(stored.closedAt, 'the agent was told: session/close');

  assert.equal((await phone.client.sendIntent({ type: 'list-agent-sessions', agent: 'scripted' })).ok, true);
  await waitFor(() => readAgentSessions(listView(), 'scripted')?.state === 'listed', 15_000, 'the agent listed its sessions');
  const listed = readAgentSessions(listView(), 'scripted')!;
  assert.equal(listed.folder, folder);
  assert.deepEqual(listed.sessions.find((s) => s.sessionId === agentSessionId)?.title, 'Yesterday\'s refactor');

  const resumed = await start({ agent: 'scripted', resume: agentSessionId });
  const later = await open(resumed, 'phone-today');
  await waitFor(() => readStatus(later.client.conversation) === 'idle', 15_000, 'resumed');
  const shown = later.client.conversation.entries.toArray().map((e) => readEntry(e));
  assert.ok(shown.some((e) => e.type === 'user' && e.text === 'echo remember me' && e.by === 'earlier session'), 'the earlier prompt');
  assert.ok(shown.some((e) => e.type === 'agent' && e.text === 'You said: remember me'), 'the earlier answer');
  assert.equal(readConversationMeta(later.client.conversation).resumedFrom, agentSessionId);
  await later.client.sendIntent({ type: 'prompt', text: 'echo and today' });
  await waitFor(() => later.client.conversation.entries.toArray().some((e) => entryText(e) === 'You said: and today'), 10_000, 'it goes on');

  const unknown = await start({ agent: 'scripted', resume: 'no-such-session' });
  const failed = await open(unknown, 'phone-unknown');
  await waitFor(() => readStatus(failed.client.conversation) === 'ended', 15_000, 'an unknown session cannot be resumed');
  assert.match(String(readConversationState(failed.client.conversation).endedReason), /session\/load failed: Resource not found/);
});
