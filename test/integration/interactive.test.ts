/**
 * Interactive mode, driven through a real PTY like a user at the keyboard: the chat with an ACP agent,
 * /remote-control mid-session (a device that joins sees the earlier history), prompts and approvals
 * interchangeable between the terminal and devices; and a shared raw terminal with its key chord.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESSION_URL_PATTERN, startPtyCli, type PtyCli } from '../helpers/pty-cli.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { waitFor } from '../helpers/wait-for.js';
import { assertApprovalShowsCommand, assertNoAgentEscapes } from '../helpers/agent-escapes.js';
import { entryText, pendingPermissions, readEntry } from '../../protocol/conversation-doc.js';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-interactive-')));
const running: PtyCli[] = [];
const clients: TestClient[] = [];
after(() => {
  for (const c of clients) c.close();
  for (const p of running) p.kill();
});

const URL_PATTERN = SESSION_URL_PATTERN;

test('chat: keyboard and devices are interchangeable; /remote-control shares the history so far', async () => {
  const cli = startPtyCli(['--agent', SCRIPTED_AGENT, '--local', '--port', '0'], folder);
  running.push(cli);
  await cli.waitFor(/\/help for commands/);
  cli.type('echo from keyboard\r');
  await cli.waitFor(/You said: from keyboard/);
  assert.ok(!URL_PATTERN.test(cli.text()), 'not shared until asked');

  cli.type('/remote-control teamwork\r');
  const url = (await cli.waitFor(URL_PATTERN))[1]!;
  const phone = await joinClient(url, 'phone');
  clients.push(phone);
  const history = phone.client.conversation.entries.toArray();
  assert.ok(history.some((e) => e.get('type') === 'user' && e.get('text') === 'echo from keyboard' && e.get('by') === 'host terminal'), 'earlier prompt visible');
  assert.ok(history.some((e) => entryText(e) === 'You said: from keyboard'), 'earlier answer visible');
  assert.equal(phone.client.conversation.meta.get('name'), 'teamwork');
  await cli.waitFor(/phone joined/);

  const reply = await phone.client.sendIntent({ type: 'prompt', text: 'echo from phone' });
  assert.equal(reply.ok, true);
  await cli.waitFor(/› echo from phone\s+\(phone\)/);
  await cli.waitFor(/You said: from phone/);

  await phone.client.sendIntent({ type: 'prompt', text: 'permission' });
  await cli.waitFor(/\[1\] Allow once\s+\[2\] Allow always\s+\[3\] Reject/);
  await waitFor(() => pendingPermissions(phone.client.conversation).length === 1, 5000, 'phone sees the request');
  cli.type('2\r');
  await waitFor(() => pendingPermissions(phone.client.conversation).length === 0, 5000, 'resolved on the phone');
  const answered = phone.client.conversation.entries.toArray().filter((e) => e.get('type') === 'permission').at(-1)!;
  const read = readEntry(answered);
  assert.deepEqual(read.type === 'permission' ? { ...read.answer, at: 0 } : null, { optionId: 'allow-always', name: 'Allow always', by: 'host terminal', byDeviceId: 'local', at: 0 });
  await cli.waitFor(/permission: allow-always/);

  cli.type('/quit\r');
  assert.equal(await cli.exited, 0);
});

test('chat: escape sequences from the agent never reach the terminal; a spoofed tool title shows its command', async () => {
  const cli = startPtyCli(['--agent', SCRIPTED_AGENT, '--local', '--port', '0'], folder);
  running.push(cli);
  await cli.waitFor(/\/help for commands/);
  cli.type('escapes\r');
  await cli.waitFor(/\[1\] Allow once/);
  assertApprovalShowsCommand(cli.raw(), cli.text());
  assert.match(cli.text(), /Plan step hidden/);
  assert.match(cli.text(), /Clipboard and a link end/);
  assertNoAgentEscapes(cli.raw());
  cli.type('1\r');
  await cli.waitFor(/answered: allow-once/);

  cli.type('crashansi\r');
  await cli.waitFor(/stack line/);
  assert.match(cli.text(), /fatal: coloured crash/);
  assertNoAgentEscapes(cli.raw());
  cli.type('/quit\r');
  assert.equal(await cli.exited, 0);
});

test('raw terminal: --rc shares from the start; typing works from both sides; Ctrl-] q quits', async () => {
  const cli = startPtyCli(['--rc', 'shell-demo', '--local', '--port', '0', '--', '/bin/sh'], folder);
  running.push(cli);
  const url = (await cli.waitFor(URL_PATTERN))[1]!;
  const laptop = await joinClient(url, 'laptop');
  clients.push(laptop);
  cli.type('echo local-$((40+2))\r');
  await waitFor(() => laptop.text().includes('local-42'), 10_000, 'device sees what the keyboard typed');
  await laptop.client.sendIntent({ type: 'input', data: 'echo remote-$((50+5))\r' });
  await cli.waitFor(/remote-55/);
  cli.type('\x1dq');
  assert.equal(await cli.exited, 0);
});
