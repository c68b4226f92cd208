/**
 * Server mode with a real git repository: sessions started from two devices through the session list
 * (worktree and same-dir), capacity, --spawn session, ending with uncommitted changes, renaming, a
 * killed agent that takes nothing else down, and no orphaned processes after shutdown.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { SessionServer } from '../../host/session-server.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { clientDir } from '../../host/package-paths.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { makeRepo, git } from '../helpers/git-repo.js';
import { waitFor } from '../helpers/wait-for.js';
import { sessionListDocView, type SessionListDocView } from '../../protocol/session-list-doc.js';
import { formatSessionUrl, parseSessionUrl } from '../../protocol/session-url.js';
import { SessionClient } from '../../client/core/session-client.js';
import { readTerminal } from '../../protocol/terminal-doc.js';
import { entryText, readStatus } from '../../protocol/conversation-doc.js';

const servers: SessionServer[] = [];
const clients: TestClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.close();
});

function silent(): pino.Logger {
  return pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
}

async function startServer(args: string[], cwd: string): Promise<{ server: SessionServer; serverUrl: string }> {
  const config = parseCli(['remote-control', 'srv', '--local', '--port', '0', ...args], { ...process.env, SHELL: '/bin/sh', PS1: '$ ' }, cwd) as RemoteControlCommand;
  const server = new SessionServer(config, { log: silent(), wrtc: nodeWebRtc, clientDir: clientDir() });
  servers.push(server);
  const ready = await server.start();
  return { server, serverUrl: ready.serverUrl };
}

const list = (c: TestClient): SessionListDocView => sessionListDocView(c.client.doc);
const rows = (c: TestClient): Array<Record<string, unknown>> => [...list(c).sessions.values()].map((r) => r.toJSON());

async function joinAs(url: string, name: string): Promise<TestClient> {
  const c = await joinClient(url, name);
  clients.push(c);
  return c;
}

test('worktree mode: three sessions from two devices get three worktrees on three branches; toggling puts the fourth in the folder; capacity refuses the fifth', async () => {
  const repo = makeRepo();
  const { server, serverUrl } = await startServer(['--spawn', 'worktree', '--capacity', '4', '--no-create-session-in-dir', '--agent', SCRIPTED_AGENT], repo);
  const phone = await joinAs(serverUrl, 'phone');
  const laptop = await joinAs(serverUrl, 'laptop');
  assert.equal(list(phone).meta.get('kind'), 'session-list');
  assert.equal(list(phone).meta.get('spawnMode'), 'worktree');
  const replies = await Promise.all([
    phone.client.sendIntent({ type: 'start-session', name: 'alpha' }),
    laptop.client.sendIntent({ type: 'start-session', name: 'beta' }),
    phone.client.sendIntent({ type: 'start-session' }),
  ]);
  for (const r of replies) assert.equal(r.ok, true, JSON.stringify(r));
  await waitFor(() => rows(laptop).length === 3, 10_000, 'three sessions listed');
  const branches = rows(laptop).map((r) => r.branch as string).sort();
  assert.equal(new Set(branches).size, 3);
  assert.ok(branches.includes('tether/alpha') && branches.includes('tether/beta'));
  const generated = rows(laptop).find((r) => r.name !== 'alpha' && r.name !== 'beta')!;
  assert.match(String(generated.name), /^[a-z0-9-]+-[a-z]+-[a-z]+$/, 'generated <hostname>-<adjective>-<noun>');
  const worktrees = git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9));
  assert.equal(worktrees.length, 4, 'the main folder and three worktrees');
  for (const r of rows(laptop)) {
    assert.ok(String(r.folder).startsWith(join(repo, '.tether', 'worktrees')), String(r.folder));
    assert.ok(existsSync(String(r.folder)));
  }
  assert.equal(git(repo, 'status', '--porcelain'), '', '.tether/ stays out of git status');

  await server.toggleSpawnMode();
  await waitFor(() => list(phone).meta.get('spawnMode') === 'same-dir', 5000, 'devices see the toggle');
  assert.equal((await laptop.client.sendIntent({ type: 'start-session', name: 'delta' })).ok, true);
  await waitFor(() => rows(phone).length === 4, 10_000, 'fourth listed');
  const delta = rows(phone).find((r) => r.name === 'delta')!;
  assert.equal(delta.folder, repo);
  assert.equal(delta.branch, null);

  const fifth = await phone.client.sendIntent({ type: 'start-session', name: 'epsilon' });
  assert.equal(!fifth.ok && fifth.error.code, 'CAPACITY_REACHED');
  assert.equal(!fifth.ok && fifth.error.message, 'capacity reached (4/4)');
  assert.equal(rows(phone).length, 4, 'nothing was reused or added');

  const dup = await phone.client.sendIntent({ type: 'rename-session', sessionId: String(delta.id), name: 'alpha' });
  assert.equal(!dup.ok && dup.error.code, 'NAME_TAKEN');
  assert.equal((await phone.client.sendIntent({ type: 'rename-session', sessionId: String(delta.id), name: 'gamma' })).ok, true);
  await waitFor(() => rows(laptop).some((r) => r.name === 'gamma'), 5000, 'rename seen by the laptop');
});

test('a device holding the server link opens any session on the same connection, and sees it live', async () => {
  const repo = makeRepo();
  const { server, serverUrl } = await startServer(['--agent', SCRIPTED_AGENT], repo);
  const phone = await joinAs(serverUrl, 'phone');
  await waitFor(() => rows(phone).length === 1, 10_000, 'the session in the folder is listed');
  const row = rows(phone)[0]!;
  const opened = new SessionClient({ connection: phone.client.connection, sessionId: String(row.id) });
  opened.start();
  const session = { client: opened };
  await waitFor(() => opened.state === 'live', 10_000, 'the session opened on the list\'s connection');
  assert.equal(server.endpoint.devices.length, 1, 'one connection serves the list and the session');
  await waitFor(() => readStatus(session.client.conversation) === 'idle', 10_000, 'agent ready');
  await session.client.sendIntent({ type: 'prompt', text: 'slowpermission' });
  await waitFor(() => rows(phone)[0]!.state === 'awaiting-permission', 10_000, 'the list shows the session waiting for approval');
  await waitFor(() => phone.client.presence.rows?.find((r) => r.sessionId === row.id)?.devices.includes('phone') === true, 5000, 'the list shows who is in the session');
});

test('--spawn session refuses a second session', async () => {
  const { serverUrl } = await startServer(['--spawn', 'session', '--', '/bin/sh'], makeRepo());
  const phone = await joinAs(serverUrl, 'phone');
  const reply = await phone.client.sendIntent({ type: 'start-session', name: 'another' });
  assert.equal(!reply.ok && reply.error.code, 'SPAWN_REFUSED');
  assert.equal(rows(phone).length, 1);
  const misplaced = await phone.client.sendIntent({ type: 'prompt', text: 'hello' });
  assert.equal(!misplaced.ok && misplaced.error.code, 'WRONG_SESSION_KIND', 'a session intent sent to the list');
  const bad = await phone.client.sendIntent({ type: 'rename-session', sessionId: 'x', name: 'y' } as never);
  assert.equal(!bad.ok && bad.error.code, 'INTENT_INVALID');
});

test('ending a session whose worktree has uncommitted changes is refused unless confirmed', async () => {
  const repo = makeRepo();
  const { serverUrl } = await startServer(['--spawn', 'worktree', '--no-create-session-in-dir', '--', '/bin/sh'], repo);
  const phone = await joinAs(serverUrl, 'phone');
  assert.equal((await phone.client.sendIntent({ type: 'start-session', name: 'dirty' })).ok, true);
  await waitFor(() => rows(phone).length === 1, 10_000, 'listed');
  const row = rows(phone)[0]!;
  writeFileSync(join(String(row.folder), 'scratch.txt'), 'work in progress\n');
  const refused = await phone.client.sendIntent({ type: 'end-session', sessionId: String(row.id), removeWorktree: true });
  assert.equal(!refused.ok && refused.error.code, 'WORKTREE_DIRTY');
  assert.equal(rows(phone)[0]!.state, 'running', 'nothing changed');
  assert.ok(existsSync(join(String(row.folder), 'scratch.txt')));
  const forced = await phone.client.sendIntent({ type: 'end-session', sessionId: String(row.id), removeWorktree: true, force: true });
  assert.equal(forced.ok, true, JSON.stringify(forced));
  await waitFor(() => rows(phone)[0]!.state === 'ended', 5000, 'ended');
  assert.equal(existsSync(String(row.folder)), false, 'worktree removed');
  assert.ok(git(repo, 'branch', '--list', 'tether/dirty').includes('tether/dirty'), 'the branch is kept');
  assert.equal((await phone.client.sendIntent({ type: 'remove-session', sessionId: String(row.id) })).ok, true);
  await waitFor(() => rows(phone).length === 0, 5000, 'removed from the list');
});

test('stale worktree entries are reused, an existing branch is reused, and a detached HEAD works', async () => {
  const repo = makeRepo();
  git(repo, 'branch', 'tether/reused');
  git(repo, 'checkout', '-q', '--detach');
  const { server } = await startServer(['--spawn', 'worktree', '--no-create-session-in-dir', '--', '/bin/sh'], repo);
  const a = await server.startSession({ name: 'reused' });
  assert.equal(a.worktree!.branch, 'tether/reused');
  await server.endSession(a.id);
  await server.removeSession(a.id);
  const again = await server.startSession({ name: 'reused' });
  assert.equal(again.worktree!.path, a.worktree!.path, 'the stale worktree folder is reused');
  mkdirSync(join(repo, '.tether', 'worktrees', 'blocked'), { recursive: true });
  writeFileSync(join(repo, '.tether', 'worktrees', 'blocked', 'x'), 'x');
  await assert.rejects(server.startSession({ name: 'blocked' }), (err: Error & { code?: string }) => err.code === 'WORKTREE_FAILED' && /not a worktree/.test(err.message));
  const ok = await server.startSession({ name: 'after-failure' });
  assert.ok(existsSync(ok.folder), 'the server can still start sessions after a failure');
});

test('worktree mode outside a git repository is a clear error at startup', async () => {
  const notRepo = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  const out = (() => {
    try {
      execFileSync(process.execPath, [join(process.cwd(), 'bin', 'tether.js'), 'remote-control', '--local', '--port', '0', '--spawn', 'worktree', '--', '/bin/sh'], { cwd: notRepo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
      return { status: 0, stderr: '' };
    } catch (err) {
      return err as { status: number; stderr: string };
    }
  })();
  assert.equal(out.status, 1);
  assert.match(out.stderr, /is not inside a git repository.*\(NOT_A_REPOSITORY\)/);
});

test('kill -9 of one agent: its session shows ended, the others carry on; closing leaves no processes', async () => {
  const repo = makeRepo();
  const marker = `srv-marker-${process.pid}-${Date.now()}`;
  const { server, serverUrl } = await startServer(['--no-create-session-in-dir', '--allow-agent', 'shell', '--agent', `${SCRIPTED_AGENT} ${marker}`], repo);
  const phone = await joinAs(serverUrl, 'phone');
  const one = await server.startSession({ name: 'one' });
  const two = await server.startSession({ name: 'two' });
  const shell = await server.startSession({ name: 'three', agent: 'shell' });
  const procs = (): string[] => execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo'));
  await waitFor(() => procs().length >= 2, 10_000, 'agents running');
  // The node process of one agent (its /bin/sh -c parent may have exec'd into it, or still wrap it).
  const victim = Number(procs().find((l) => l.includes('scripted-agent.ts') && !l.includes('/bin/sh'))!.trim().split(/\s+/)[0]);
  process.kill(victim, 'SIGKILL');
  await waitFor(() => rows(phone).filter((r) => r.state === 'ended').length === 1, 10_000, 'one session ended');
  const alive = rows(phone).filter((r) => r.state !== 'ended').map((r) => r.name).sort();
  assert.equal(alive.length, 2);
  const survivor = [one, two].find((m) => !m.ended)!;
  const c = await joinAs(survivor.url, 'phone');
  await c.client.sendIntent({ type: 'prompt', text: 'echo still here' });
  await waitFor(() => c.client.conversation.entries.toArray().some((e) => entryText(e) === 'You said: still here'), 10_000, 'the other agent answers');
  assert.equal(shell.ended, false);
  await server.close();
  await waitFor(() => procs().length === 0, 3000, 'no orphaned agents');
});

test('an agent started from the list is listed at once as starting; one that is not installed is refused with what to install', async () => {
  const { serverUrl } = await startServer(['--no-create-session-in-dir', '--agent', SCRIPTED_AGENT], makeRepo());
  const phone = await joinAs(serverUrl, 'phone');
  const reply = await phone.client.sendIntent({ type: 'start-session', name: 'ready-soon' });
  assert.equal(reply.ok, true);
  await waitFor(() => rows(phone).length === 1, 5000, 'listed');
  await waitFor(() => rows(phone)[0]!.state === 'idle', 15_000, 'the agent finished starting');
  const missing = await phone.client.sendIntent({ type: 'start-session', name: 'no-claude', agent: 'claude' });
  // Checked before anything starts: no Ended card for a command that is not there.
  assert.equal(!missing.ok && missing.error.code, 'AGENT_NOT_FOUND', JSON.stringify(missing));
  assert.match(!missing.ok ? missing.error.message : '', /claude-agent-acp not found: install it with: npm install -g @zed-industries\/claude-agent-acp/);
  assert.equal(rows(phone).some((r) => r.name === 'no-claude'), false);
});

test('an ended session says who ended it: a device by name, the host as "Ended on the host."', async () => {
  const { server, serverUrl } = await startServer(['--agent', SCRIPTED_AGENT, '--allow-agent', 'shell'], makeRepo());
  const phone = await joinAs(serverUrl, 'phone');
  await waitFor(() => rows(phone).length === 1, 10_000, 'listed');
  const first = String(rows(phone)[0]!.id);
  const shell = await server.startSession({ name: 'sh', agent: 'shell' });
  const inShell = new SessionClient({ connection: phone.client.connection, sessionId: shell.id });
  inShell.start();
  await waitFor(() => inShell.state === 'live', 10_000, 'the shell open on the phone');
  assert.equal((await phone.client.sendIntent({ type: 'end-session', sessionId: first })).ok, true);
  await waitFor(() => rows(phone).find((r) => r.id === first)?.endedReason === 'Ended by phone.', 10_000, 'the list says who');
  await server.close();
  await waitFor(() => readTerminal(inShell.view).state === 'exited', 10_000, 'the shell ended on the phone');
  assert.equal(readTerminal(inShell.view).endedReason, 'Ended on the host.');
  // A host shutting down is not final for its devices (it may come back): they keep trying.
  assert.notEqual(inShell.state, 'closed');
});
