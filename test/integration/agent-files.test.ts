/**
 * Agent file access end to end: the scripted ACP agent (a real agent process) asks tether to write
 * through a dangling symlink in the session folder; tether refuses with PATH_OUTSIDE_SESSION and
 * nothing is created outside. (Every other case is tested on host/session-files.ts directly.)
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHost, joinClient, type TestHost, type TestClient } from '../helpers/terminal-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { waitFor } from '../helpers/wait-for.js';
import { entryText, readStatus } from '../../protocol/conversation-doc.js';

let host: TestHost | undefined;
let phone: TestClient | undefined;
after(async () => {
  phone?.close();
  await host?.close();
});

test('a write through a dangling symlink in the session folder is refused and creates nothing outside', async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'tether-agent-files-')));
  const folder = join(root, 'session');
  mkdirSync(folder);
  symlinkSync(join(root, 'escaped.txt'), join(folder, 'link.txt'));
  host = await startTestHost(['--agent', SCRIPTED_AGENT], { cwd: folder });
  phone = await joinClient(host.ready.url, 'phone');
  const device = phone;
  const answer = (): string => {
    const agent = device.client.conversation.entries.toArray().filter((e) => e.get('type') === 'agent').at(-1);
    return agent ? entryText(agent) : '';
  };
  await waitFor(() => readStatus(device.client.conversation) === 'idle', 15_000, 'agent ready');
  for (const [text, expected] of [
    ['write link.txt pwned', /^write error: .*PATH_OUTSIDE_SESSION/],
    ['write inside.txt fine', /^wrote$/],
  ] as const) {
    assert.equal((await device.client.sendIntent({ type: 'prompt', text })).ok, true);
    await waitFor(() => /^(wrote|write error)/.test(answer()) && readStatus(device.client.conversation) === 'idle', 15_000, `answer to "${text}"`);
    assert.match(answer(), expected, text);
    if (text.startsWith('write link')) assert.equal(existsSync(join(root, 'escaped.txt')), false, 'nothing was created outside the folder');
  }
  assert.equal(readFileSync(join(folder, 'inside.txt'), 'utf8'), 'fine');
});
