/**
 * Conversation sessions with a real ACP agent (the scripted fixture, a child process over stdio) and
 * Node devices over real WebRTC: streaming, tool calls and diffs, permissions answered from any device
 * (first applied wins), stop, the prompt queue, joining mid-turn, modes, images and file access.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHost, joinClient, type TestHost, type TestClient } from '../helpers/terminal-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { waitFor } from '../helpers/wait-for.js';
import { entries, idle, last, lastText, prompt, view } from '../helpers/conversation-client.js';
import { entryText, pendingPermissions, readConversationMeta, readEntry, readStatus } from '../../protocol/conversation-doc.js';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-conv-')));
writeFileSync(join(folder, 'notes.md'), 'first line\nsecond line\n');
let host: TestHost;
let phone: TestClient;
let laptop: TestClient;
const extra: TestClient[] = [];

before(async () => {
  host = await startTestHost(['--agent', SCRIPTED_AGENT], { cwd: folder });
  phone = await joinClient(host.ready.url, 'phone');
  laptop = await joinClient(host.ready.url, 'laptop');
});
after(async () => {
  for (const c of [phone, laptop, ...extra]) c?.close();
  await host?.close();
});

test('the agent is ready and its modes are known', async () => {
  await idle(phone);
  assert.equal(view(phone).meta.get('kind'), 'conversation');
  assert.deepEqual(readConversationMeta(view(phone)).modes.map((m) => m.id), ['ask', 'code']);
  assert.equal(view(phone).meta.get('promptImages'), true);
});

test('a prompt from the phone streams into one entry on every device', async () => {
  const before = entries(laptop).length;
  await prompt(phone, 'stream 200');
  const expected = Array.from({ length: 200 }, (_, i) => `w${i} `).join('');
  await waitFor(() => lastText(phone) === expected && lastText(laptop) === expected, 15_000, 'streamed answer on both');
  await idle(laptop);
  assert.equal(entries(laptop).length - before, 2, 'one user entry and one agent entry, not one per chunk');
  const user = last(laptop, 'user')!;
  assert.equal(user.get('text'), 'stream 200');
  assert.equal(user.get('by'), 'phone');
});

test('a tool call shows its diff before approval; approving on one device resolves it everywhere', async () => {
  await prompt(phone, 'edit src/app.ts');
  await waitFor(() => pendingPermissions(view(laptop)).length === 1, 10_000, 'permission request on the laptop');
  // The phone's replica is updated on its own: seeing the request on the laptop does not mean the phone has it yet.
  await waitFor(() => readStatus(view(phone)) === 'awaiting-permission', 10_000, 'the phone shows the agent awaiting permission');
  const tool = readEntry(last(laptop, 'tool')!);
  assert.ok(tool.type === 'tool');
  assert.equal(tool.kind, 'edit');
  const diff = tool.content[0]!;
  assert.ok(diff.type === 'diff');
  assert.equal(diff.path, join(folder, 'src/app.ts'));
  assert.equal(diff.newText, 'new line\n');
  const request = readEntry(pendingPermissions(view(phone))[0]!);
  assert.ok(request.type === 'permission');
  assert.deepEqual(request.options.map((o) => o.name), ['Allow once', 'Allow always', 'Reject']);
  const reply = await phone.client.sendIntent({ type: 'permission', requestId: request.requestId, optionId: 'allow-once' });
  assert.equal(reply.ok, true);
  await waitFor(() => last(laptop, 'permission')!.get('status') === 'answered', 5000, 'laptop sees it answered');
  const answered = readEntry(last(laptop, 'permission')!);
  assert.ok(answered.type === 'permission' && answered.answer);
  assert.equal(answered.answer.by, 'phone');
  assert.equal(answered.answer.name, 'Allow once');
  await waitFor(() => lastText(laptop) === 'edit applied' && last(laptop, 'tool')!.get('status') === 'completed', 10_000, 'edit completed');
  await idle(phone);
});

test('two devices answering at once: exactly one applies, the other is told', async () => {
  await prompt(laptop, 'permission');
  await waitFor(() => pendingPermissions(view(phone)).length === 1 && pendingPermissions(view(laptop)).length === 1, 10_000, 'request on both');
  const requestId = String(pendingPermissions(view(phone))[0]!.get('requestId'));
  const [a, b] = await Promise.all([
    phone.client.sendIntent({ type: 'permission', requestId, optionId: 'reject-once' }),
    laptop.client.sendIntent({ type: 'permission', requestId, optionId: 'allow-always' }),
  ]);
  const oks = [a, b].filter((r) => r.ok);
  const refused = [a, b].filter((r) => !r.ok);
  assert.equal(oks.length, 1);
  assert.equal(refused.length, 1);
  assert.equal(!refused[0]!.ok && refused[0]!.error.code, 'PERMISSION_ANSWERED');
  assert.match(!refused[0]!.ok ? refused[0]!.error.message : '', /already answered by (phone|laptop)/);
  const winner = a.ok ? 'reject-once' : 'allow-always';
  await waitFor(() => lastText(phone) === `permission: ${winner}`, 10_000, 'agent got the winning answer');
  await idle(phone);
});

test('stop mid-stream cancels the turn and its pending permission; the state returns to idle', async () => {
  await prompt(phone, 'stream 2000 5');
  await waitFor(() => lastText(laptop).length > 30, 10_000, 'streaming under way');
  const reply = await laptop.client.sendIntent({ type: 'stop' });
  assert.equal(reply.ok, true);
  await waitFor(() => readStatus(view(phone)) === 'idle', 2000, 'idle within 2 s of stop');
  const frozen = lastText(phone);
  assert.ok(!frozen.includes('w1999'), 'the stream was cut short');
  await prompt(phone, 'slowpermission');
  await waitFor(() => pendingPermissions(view(laptop)).length === 1, 10_000, 'pending request');
  await phone.client.sendIntent({ type: 'stop' });
  await waitFor(() => last(laptop, 'permission')!.get('status') === 'cancelled', 5000, 'request cancelled by stop');
  await idle(laptop);
  assert.equal(lastText(laptop), 'permission: cancelled');
});

test('prompts sent while the agent works queue, can be edited or removed, and run in order', async () => {
  await prompt(phone, 'stream 40 20');
  await waitFor(() => readStatus(view(laptop)) === 'working', 5000, 'working');
  await prompt(laptop, 'echo one');
  await prompt(phone, 'echo two');
  await prompt(laptop, 'echo three');
  await waitFor(() => view(phone).queue.length === 3, 5000, 'three queued on the phone');
  const queued = view(phone).queue.toArray();
  assert.deepEqual(queued.map((q) => q.get('text')), ['echo one', 'echo two', 'echo three']);
  const edit = await phone.client.sendIntent({ type: 'queue-edit', queueId: String(queued[0]!.get('id')), text: 'echo uno' });
  const remove = await laptop.client.sendIntent({ type: 'queue-remove', queueId: String(queued[1]!.get('id')) });
  assert.equal(edit.ok && remove.ok, true);
  await idle(laptop);
  const answers = entries(laptop).filter((e) => e.get('type') === 'agent').slice(-2).map(entryText);
  assert.deepEqual(answers, ['You said: uno', 'You said: three']);
  const gone = await phone.client.sendIntent({ type: 'queue-remove', queueId: String(queued[2]!.get('id')) });
  assert.equal(!gone.ok && gone.error.code, 'QUEUE_ITEM_UNKNOWN');
});

test('a device that joins mid-turn sees the turn so far, then the rest', async () => {
  await prompt(phone, 'stream 150 10');
  await waitFor(() => lastText(phone).includes('w20 '), 10_000, 'turn under way');
  const late = await joinClient(host.ready.url, 'tablet');
  extra.push(late);
  assert.ok(lastText(late).startsWith('w0 w1 w2 '), 'late device has the beginning of the answer');
  await waitFor(() => lastText(late).endsWith('w149 '), 15_000, 'late device sees the end');
  assert.equal(lastText(late), lastText(phone));
  assert.ok(entries(late).some((e) => e.get('type') === 'user' && e.get('text') === 'stream 200'), 'and the earlier history');
  await idle(late);
});

test('modes: switching works, an unknown mode is refused', async () => {
  assert.equal((await phone.client.sendIntent({ type: 'set-mode', modeId: 'ask' })).ok, true);
  await waitFor(() => view(laptop).meta.get('currentModeId') === 'ask', 5000, 'mode on laptop');
  await prompt(laptop, 'mode');
  await waitFor(() => lastText(laptop) === 'mode: ask', 10_000, 'agent in ask mode');
  const bad = await phone.client.sendIntent({ type: 'set-mode', modeId: 'yolo' });
  assert.equal(!bad.ok && bad.error.code, 'MODE_UNKNOWN');
  await idle(phone);
});

test('an image pasted into a prompt reaches the agent', async () => {
  const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
  const reply = await phone.client.sendIntent({ type: 'prompt', text: 'image', images: [{ mimeType: 'image/png', data: png }] });
  assert.equal(reply.ok, true);
  await waitFor(() => lastText(laptop) === 'images: 1 image/png', 10_000, 'agent counted the image');
  assert.equal(last(laptop, 'user')!.get('images'), 1);
  await idle(phone);
});

test('file requests are served inside the session folder and refused outside it', async () => {
  await prompt(phone, 'read notes.md');
  await waitFor(() => lastText(phone).startsWith('read'), 10_000, 'read answered');
  assert.equal(lastText(phone), 'read: first line');
  await prompt(phone, 'write out.txt hello');
  await waitFor(() => lastText(phone).startsWith('wrote') || lastText(phone).startsWith('write error'), 10_000, 'write answered');
  assert.equal(readFileSync(join(folder, 'out.txt'), 'utf8'), 'hello');
  await prompt(phone, 'readabs /etc/hostname');
  await waitFor(() => lastText(phone).startsWith('read error'), 10_000, 'outside read refused');
  assert.match(lastText(phone), /outside the session folder/);
  await prompt(phone, 'read ../escape.txt');
  await waitFor(() => /^read error/.test(lastText(phone)) && !lastText(phone).includes('/etc/hostname'), 10_000, 'relative escape refused');
  await idle(phone);
});

test('invalid intents are refused with a code and change nothing', async () => {
  const before = JSON.stringify(view(laptop).entries.toJSON());
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ type: 'prompt', text: '   ' }, 'INTENT_INVALID'],
    [{ type: 'permission', requestId: 'nope', optionId: 'allow-once' }, 'PERMISSION_UNKNOWN'],
    [{ type: 'input', data: 'ls\r' }, 'WRONG_SESSION_KIND'],
    [{ type: 'prompt', text: 'x', images: [{ mimeType: 'image/svg+xml', data: 'AAAA' }] }, 'INTENT_INVALID'],
  ];
  for (const [body, code] of cases) {
    const reply = await phone.client.sendIntent(body as never);
    assert.equal(!reply.ok && reply.error.code, code, JSON.stringify(body));
  }
  assert.equal(JSON.stringify(view(laptop).entries.toJSON()), before);
});

test('when the agent crashes, devices see it with its stderr and the session stays readable', async () => {
  await prompt(phone, 'crash');
  await waitFor(() => readStatus(view(laptop)) === 'ended', 10_000, 'ended on laptop');
  assert.match(String(view(laptop).state.get('stderrTail')), /fatal: scripted crash line 5/);
  assert.match(String(view(laptop).state.get('endedReason')), /exited with code 3/);
  const after = await phone.client.sendIntent({ type: 'prompt', text: 'echo hello?' });
  assert.equal(!after.ok && after.error.code, 'SESSION_ENDED');
  const reader = await joinClient(host.ready.url, 'reader');
  extra.push(reader);
  assert.ok(entries(reader).length > 10, 'history readable by a new device');
  assert.equal(readStatus(view(reader)), 'ended');
});
