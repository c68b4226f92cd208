/**
 * The interactive chat keeps up with the agent, driven through a real PTY: a long answer on one line
 * shows as it streams (not only when the line ends), a prompt typed while the agent works is confirmed
 * as queued, and a number typed for a permission another device already answered is refused rather
 * than sent to the agent as a prompt.
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
import { pendingPermissions, readEntry, readStatus } from '../../protocol/conversation-doc.js';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-chat-keeps-up-')));
const running: PtyCli[] = [];
const clients: TestClient[] = [];
after(() => {
  for (const c of clients) c.close();
  for (const p of running) p.kill();
});

const URL_PATTERN = SESSION_URL_PATTERN;

/** The chat in a PTY, shared (/rc) with a phone that joined. */
async function sharedChat(): Promise<{ cli: PtyCli; phone: TestClient }> {
  const cli = startPtyCli(['--agent', SCRIPTED_AGENT, '--local', '--port', '0'], folder);
  running.push(cli);
  await cli.waitFor(/\/help for commands/);
  cli.type('/rc\r');
  const phone = await joinClient((await cli.waitFor(URL_PATTERN))[1]!, 'phone');
  clients.push(phone);
  return { cli, phone };
}

test('a long one-line answer streams; a prompt sent while the agent works is confirmed as queued', async () => {
  const { cli, phone } = await sharedChat();
  // 400 words on one line, 10 ms apart: about 4 s, far longer than it takes to see the first words.
  cli.type('stream 400 10\r');
  await cli.waitFor(/w0 w1 w2 w3 w4 w5/, 10_000);
  assert.equal(readStatus(phone.client.conversation), 'working', 'the first words show while the turn still runs');
  assert.doesNotMatch(cli.text(), /w399/);
  cli.type('echo after the stream\r');
  await cli.waitFor(/queued/i, 5000);
  assert.equal(readStatus(phone.client.conversation), 'working', 'confirmed while the agent still works');
  await cli.waitFor(/w399/, 15_000);
  await cli.waitFor(/You said: after the stream/, 15_000);
  // Every word printed exactly once, in order, across the wrapped lines. Counted after the prompt: the
  // share link printed before it is random base64url, which can hold "w0" before a "-".
  const text = cli.text();
  const prompt = text.lastIndexOf('› stream 400 10');
  assert.ok(prompt >= 0, 'the typed prompt is echoed in the output');
  const words = text.slice(prompt).match(/w\d+\b/g) ?? [];
  assert.deepEqual(words, Array.from({ length: 400 }, (_, i) => `w${i}`));
  cli.type('/quit\r');
  assert.equal(await cli.exited, 0);
});

test('a number typed for a permission another device answered is refused, not sent as a prompt', async () => {
  const { cli, phone } = await sharedChat();
  cli.type('permission\r');
  await cli.waitFor(/\[1\] Allow once/);
  await waitFor(() => pendingPermissions(phone.client.conversation).length === 1, 5000, 'the phone sees the request');
  const request = readEntry(pendingPermissions(phone.client.conversation)[0]!);
  assert.ok(request.type === 'permission');
  assert.equal((await phone.client.sendIntent({ type: 'permission', requestId: request.requestId, optionId: 'reject-once' })).ok, true);
  await cli.waitFor(/permission: reject-once/);
  cli.type('1\r');
  await cli.waitFor(/already answered by phone/i, 5000);
  const prompts = phone.client.conversation.entries.toArray().filter((e) => e.get('type') === 'user').map((e) => readEntry(e));
  assert.deepEqual(prompts.map((p) => (p.type === 'user' ? p.text : '')), ['permission'], 'no prompt "1" reached the agent');
  cli.type('/quit\r');
  assert.equal(await cli.exited, 0);
});
