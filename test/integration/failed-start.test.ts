/**
 * A start that fails says why and leaves nothing running: the `--json` error event (with the agent's
 * own words), the whole process group of the agent stopped whether the start was asked for on the
 * command line or by a device, and the session's row ended with the reason.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { waitFor } from '../helpers/wait-for.js';
import { processesMatching } from '../helpers/processes.js';
import { readListedSessions, sessionListDocView } from '../../protocol/session-list-doc.js';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-failed-start-')));
const running: CliHost[] = [];
const clients: TestClient[] = [];
after(() => {
  for (const c of clients) c.close();
  for (const h of running) h.kill();
});


/** An agent that starts a grandchild (named by `marker`) and exits before answering initialize. */
const dyingWithChild = (marker: string): string => `sh -c 'sleep 1000; : ${marker}' & exit 5`;

test('--json: a failed start prints an error event, then exits 1; no process of the agent is left', async () => {
  const marker = `failed-start-cli-${process.pid}`;
  const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', `acp:${dyingWithChild(marker)}`], {}, folder);
  running.push(cli);
  assert.equal(await cli.exited, 1);
  const error = cli.events.find((e) => e.event === 'error');
  assert.ok(error, `an error event (stdout events: ${JSON.stringify(cli.events)}; stderr: ${cli.stderr()})`);
  assert.equal(error.code, 'AGENT_FAILED');
  assert.match(String(error.message), /exited with code 5 during initialize/);
  await waitFor(() => processesMatching(marker).length === 0, 3000, `no leftover process: ${processesMatching(marker).join('; ')}`);
});

test('a session a device starts whose agent fails to start leaves no process running', async () => {
  const marker = `failed-start-device-${process.pid}`;
  const config = join(folder, 'config.json');
  writeFileSync(config, JSON.stringify({ presets: { broken: { command: ['/bin/sh', '-c', dyingWithChild(marker)] } } }));
  const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--config', config, '--no-create-session-in-dir'], {}, folder);
  running.push(cli);
  const ready = await cli.event('ready');
  const phone = await joinClient(String(ready.serverUrl), 'phone');
  clients.push(phone);
  const reply = await phone.client.sendIntent({ type: 'start-session', agent: 'broken' });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  const view = sessionListDocView(phone.client.doc);
  await waitFor(() => readListedSessions(view).some((s) => s.state === 'ended'), 10_000, 'the session row ends');
  const row = readListedSessions(view)[0]!;
  assert.match(String(row.endedReason), /exited with code 5 during initialize/);
  await waitFor(() => processesMatching(marker).length === 0, 3000, `no leftover process: ${processesMatching(marker).join('; ')}`);
  cli.child.kill('SIGTERM');
  assert.equal(await cli.exited, 0);
});

test('the agent\'s error data reaches --json: session/new failing says what the agent said', async () => {
  const marker = `failed-start-new-${process.pid}`;
  const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', `${SCRIPTED_AGENT} --fail-new --child ${marker}`], {}, folder);
  running.push(cli);
  assert.equal(await cli.exited, 1);
  const error = cli.events.find((e) => e.event === 'error');
  assert.ok(error, cli.stderr());
  assert.equal(error.code, 'AGENT_FAILED');
  assert.match(String(error.message), /session\/new failed: Internal error/);
  assert.match(String(error.detail), /scripted session\/new failure: the model server is unreachable/);
  assert.match(cli.stderr(), /the model server is unreachable/, 'the detail is on stderr too');
  await waitFor(() => processesMatching(marker).length === 0, 3000, `no leftover process (the grandchild too): ${processesMatching(marker).join('; ')}`);
});
