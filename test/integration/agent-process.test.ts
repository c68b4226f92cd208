/**
 * The agent as a process: a missing preset says what to install; Ctrl-C/SIGTERM stop the agent's whole
 * process group (no orphans); a crashing agent is reported with its stderr while the host keeps serving.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { waitFor } from '../helpers/wait-for.js';
import { processesMatching } from '../helpers/processes.js';
import { entryText } from '../../protocol/conversation-doc.js';

const running: CliHost[] = [];
const clients: TestClient[] = [];
after(() => {
  for (const c of clients) c.close();
  for (const h of running) h.kill();
});


test('a preset whose command is missing says what to install, in one line', async () => {
  const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', 'claude'], { PATH: '/nonexistent' });
  running.push(cli);
  assert.equal(await cli.exited, 1);
  assert.equal(cli.stderr().trim(), 'tether: claude-agent-acp not found: install it with: npm install -g @zed-industries/claude-agent-acp (AGENT_NOT_FOUND)');
  assert.deepEqual(
    cli.events.map((e) => [e.event, e.code]),
    [['error', 'AGENT_NOT_FOUND']],
    'no ready event; the error event instead',
  );
});

test('SIGTERM stops a working agent and everything it started within 2 s', async () => {
  const marker = `agent-marker-${process.pid}-${Date.now()}`;
  const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', `${SCRIPTED_AGENT} ${marker}`]);
  running.push(cli);
  const ready = await cli.event('ready');
  assert.equal(ready.kind, 'conversation');
  const phone = await joinClient(String(ready.url), 'phone');
  clients.push(phone);
  await phone.client.sendIntent({ type: 'prompt', text: 'stream 100000 10' });
  await waitFor(() => phone.client.conversation.state.get('status') === 'working', 10_000, 'agent working');
  assert.ok(processesMatching(marker).length > 0, 'agent running');
  const t0 = Date.now();
  cli.child.kill('SIGTERM');
  assert.equal(await cli.exited, 0);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  await waitFor(() => processesMatching(marker).length === 0, 2000, 'no orphaned agent');
});

test('a crashing agent is reported with its stderr; the host keeps serving the conversation', async () => {
  const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', SCRIPTED_AGENT]);
  running.push(cli);
  const ready = await cli.event('ready');
  const phone = await joinClient(String(ready.url), 'phone');
  clients.push(phone);
  await phone.client.sendIntent({ type: 'prompt', text: 'echo before the crash' });
  await waitFor(() => phone.client.conversation.entries.toArray().some((e) => entryText(e) === 'You said: before the crash'), 10_000, 'answer');
  await phone.client.sendIntent({ type: 'prompt', text: 'crash' });
  const exited = await cli.event('session-ended');
  assert.equal(exited.exitCode, 3);
  assert.match(String(exited.stderrTail), /fatal: scripted crash line 1/);
  const health = await fetch(`${String(ready.signal)}/healthz`);
  assert.equal(health.status, 200, 'host still up');
  const reader = await joinClient(String(ready.url), 'reader');
  clients.push(reader);
  assert.ok(reader.client.conversation.entries.toArray().some((e) => entryText(e) === 'You said: before the crash'), 'history readable after the crash');
  assert.equal(cli.child.exitCode, null, 'tether still running');
  cli.child.kill('SIGINT');
  assert.equal(await cli.exited, 0);
});
