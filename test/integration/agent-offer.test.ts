/**
 * What an agent offers beyond prompts, with the scripted agent as a real child process and two Node
 * devices over real WebRTC: slash commands, session settings (changed from one device, live on the
 * other; bad values refused), usage, questions (form and URL; first answer wins; a bad answer refused;
 * Stop cancels), commands run through tether (live output, confined cwd, killed by Stop), and prompt
 * images kept in the document for every device.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHost, joinClient, type TestHost, type TestClient } from '../helpers/terminal-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { waitFor } from '../helpers/wait-for.js';
import { processesMatching } from '../helpers/processes.js';
import { readClientTerminal } from '../../protocol/conversation-terminals.js';
import { entries, idle, last, lastText, prompt, view } from '../helpers/conversation-client.js';
import {
  entryText,
  pendingQuestions,
  readConversationMeta,
  readEntry,
  readStatus,
} from '../../protocol/conversation-doc.js';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-offer-')));
mkdirSync(join(folder, 'sub'));
process.env.SCRIPTED_AGENT_HOME = mkdtempSync(join(tmpdir(), 'tether-offer-agent-home-'));
let host: TestHost;
let phone: TestClient;
let laptop: TestClient;

before(async () => {
  host = await startTestHost(['--agent', SCRIPTED_AGENT], { cwd: folder });
  phone = await joinClient(host.ready.url, 'phone');
  laptop = await joinClient(host.ready.url, 'laptop');
});
after(async () => {
  phone?.close();
  laptop?.close();
  await host?.close();
});

/** Sends `text` and waits for the turn to end; resolves with the answer. */
async function answerTo(c: TestClient, text: string): Promise<string> {
  await prompt(c, text);
  await waitFor(() => {
    const all = entries(c);
    const asked = all.map((e) => e.get('type') === 'user' && entryText(e) === text).lastIndexOf(true);
    return asked >= 0 && all.slice(asked).some((e) => e.get('type') === 'agent') && readStatus(view(c)) === 'idle';
  }, 15_000, `the answer to ${text}`);
  return lastText(c);
}

test('the agent\'s slash commands reach every device; one sent as a prompt runs', async () => {
  await idle(phone);
  await waitFor(() => readConversationMeta(view(laptop)).commands.length === 4, 5000, 'commands on the laptop');
  const commands = readConversationMeta(view(laptop)).commands;
  assert.deepEqual(commands[0], { name: 'echo', description: 'Repeat the text back', hint: 'text to repeat' });
  assert.deepEqual(commands.map((c) => c.name), ['echo', 'plan', 'ask', 'config']);
  await prompt(phone, '/echo from a slash command');
  await waitFor(() => lastText(laptop) === 'You said: from a slash command', 10_000, 'the command ran');
  await idle(phone);
});

test('settings: a change on the phone shows on the laptop; bad values and unknown settings change nothing', async () => {
  const meta = readConversationMeta(view(laptop));
  const model = meta.configOptions.find((o) => o.id === 'model');
  assert.ok(model?.type === 'select');
  assert.equal(model.currentValue, 'scripted-fast');
  assert.deepEqual(model.options.map((o) => [o.value, o.group]), [['scripted-fast', 'Quick'], ['scripted-smart', 'Careful'], ['scripted-huge', 'Careful']]);
  assert.equal(meta.configOptions.find((o) => o.id === 'effort')?.category, 'thought_level');
  assert.equal(meta.configOptions.find((o) => o.id === 'verbose')?.type, 'boolean', 'tether declares boolean settings');

  assert.equal((await phone.client.sendIntent({ type: 'set-config', configId: 'model', value: 'scripted-smart' })).ok, true);
  assert.equal((await phone.client.sendIntent({ type: 'set-config', configId: 'verbose', value: true })).ok, true);
  await waitFor(() => {
    const opts = readConversationMeta(view(laptop)).configOptions;
    return opts.find((o) => o.id === 'model')?.currentValue === 'scripted-smart' && opts.find((o) => o.id === 'verbose')?.currentValue === true;
  }, 5000, 'the laptop sees both changes');
  await prompt(laptop, 'config');
  await waitFor(() => lastText(phone) === 'config: model=scripted-smart effort=medium verbose=true', 10_000, 'the agent uses them');
  await idle(phone);

  const before = JSON.stringify(view(laptop).meta.toJSON());
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ type: 'set-config', configId: 'model', value: 'gpt-imaginary' }, 'CONFIG_VALUE_INVALID'],
    [{ type: 'set-config', configId: 'model', value: true }, 'CONFIG_VALUE_INVALID'],
    [{ type: 'set-config', configId: 'verbose', value: 'yes' }, 'CONFIG_VALUE_INVALID'],
    [{ type: 'set-config', configId: 'temperature', value: 'hot' }, 'CONFIG_OPTION_UNKNOWN'],
  ];
  for (const [body, code] of bad) {
    const reply = await phone.client.sendIntent(body as never);
    assert.equal(!reply.ok && reply.error.code, code, JSON.stringify(body));
  }
  assert.equal(JSON.stringify(view(laptop).meta.toJSON()), before, 'nothing changed');

  // The agent changes a setting itself (config_option_update).
  await prompt(phone, 'setmodel scripted-huge');
  await waitFor(() => readConversationMeta(view(laptop)).configOptions.find((o) => o.id === 'model')?.currentValue === 'scripted-huge', 10_000, 'agent-side change');
  await idle(phone);
});

test('usage: context used of size and the cost reach every device', async () => {
  await prompt(phone, 'usage 53000 200000 0.42 USD');
  await waitFor(() => readConversationMeta(view(laptop)).usage !== null, 10_000, 'usage on the laptop');
  assert.deepEqual(readConversationMeta(view(laptop)).usage, { used: 53000, size: 200000, cost: { amount: 0.42, currency: 'USD' } });
  await idle(phone);
});

test('a question: every device sees the form; a bad answer is refused; the first answer wins', async () => {
  await prompt(laptop, 'ask');
  await waitFor(() => pendingQuestions(view(phone)).length === 1 && pendingQuestions(view(laptop)).length === 1, 10_000, 'the question on both');
  assert.equal(readStatus(view(phone)), 'awaiting-answer');
  const q = readEntry(pendingQuestions(view(phone))[0]!);
  assert.ok(q.type === 'question');
  assert.equal(q.message, 'What should the scripted agent use?');
  assert.deepEqual(q.fields.map((f) => [f.name, f.type, f.required]), [['name', 'string', true], ['color', 'string', true], ['count', 'integer', false], ['agree', 'boolean', false], ['extras', 'multi', false]]);
  const color = q.fields[1]!;
  assert.ok(color.type === 'string' && color.choices);
  assert.deepEqual(color.choices.map((c) => c.value), ['red', 'green', 'blue']);

  const refused: Array<[Record<string, unknown>, string]> = [
    [{ name: 'Ada' }, 'Color: required'],
    [{ name: 'Ada', color: 'purple' }, 'Color: not one of the choices'],
    [{ name: 'Ada', color: 'red', count: 11 }, 'Count: at most 10'],
    [{ name: 'Ada', color: 'red', shoe: 'x' }, 'shoe: not a field of this form'],
  ];
  for (const [content, message] of refused) {
    const reply = await phone.client.sendIntent({ type: 'answer', requestId: q.requestId, action: 'accept', content } as never);
    assert.ok(!reply.ok && reply.error.code === 'ANSWER_INVALID' && reply.error.message === message, JSON.stringify(reply));
  }
  assert.equal(pendingQuestions(view(laptop)).length, 1, 'still open');
  const [a, b] = await Promise.all([
    phone.client.sendIntent({ type: 'answer', requestId: q.requestId, action: 'accept', content: { name: 'Ada', color: 'green', count: 3, agree: true, extras: ['docs'] } }),
    laptop.client.sendIntent({ type: 'answer', requestId: q.requestId, action: 'decline' }),
  ]);
  assert.equal([a, b].filter((r) => r.ok).length, 1);
  const lost = [a, b].find((r) => !r.ok)!;
  assert.equal(!lost.ok && lost.error.code, 'QUESTION_ANSWERED');
  const won = a.ok ? 'accept {"name":"Ada","color":"green","count":3,"agree":true,"extras":["docs"]}' : 'decline';
  await waitFor(() => lastText(laptop) === `answer: ${won}`, 10_000, 'the agent got the winning answer');
  const answered = readEntry(last(laptop, 'question')!);
  assert.ok(answered.type === 'question' && answered.status === 'answered');
  assert.equal(answered.answer?.by, a.ok ? 'phone' : 'laptop');
  await idle(phone);
});

test('a URL question shows only a web link; Stop cancels an open question', async () => {
  await prompt(phone, 'askurl');
  await waitFor(() => pendingQuestions(view(laptop)).length === 1, 10_000, 'URL question');
  const q = readEntry(pendingQuestions(view(laptop))[0]!);
  assert.ok(q.type === 'question' && q.mode === 'url');
  assert.match(String(q.url), /^https:\/\/example\.com\/scripted-consent\?id=/);
  assert.equal((await laptop.client.sendIntent({ type: 'answer', requestId: q.requestId, action: 'accept' })).ok, true);
  await waitFor(() => lastText(phone) === 'answer: accept', 10_000, 'accepted');
  await idle(phone);

  await prompt(phone, 'askone');
  await waitFor(() => pendingQuestions(view(laptop)).length === 1, 10_000, 'one-field question');
  assert.equal((await laptop.client.sendIntent({ type: 'stop' })).ok, true);
  await waitFor(() => last(phone, 'question')!.get('status') === 'cancelled', 5000, 'cancelled by Stop');
  await idle(phone);
  assert.equal(lastText(phone), 'answer: cancel');
});

test('commands the agent runs through tether: live output, the folder as cwd, a cwd outside refused', async () => {
  await prompt(phone, 'term printf "hello from %s\\n" "$SCRIPTED_TERM"; pwd; echo oops >&2; exit 4');
  await waitFor(() => lastText(laptop).startsWith('term:'), 10_000, 'the command ran');
  assert.match(lastText(laptop), /^term: exit 4 signal none truncated false output: /);
  const tool = readEntry(last(laptop, 'tool')!);
  assert.ok(tool.type === 'tool' && tool.content[0]?.type === 'terminal');
  const terminal = readClientTerminal(view(laptop), tool.content[0].terminalId);
  assert.ok(terminal);
  assert.match(terminal.output, /hello from yes\n/);
  assert.ok(terminal.output.includes(`${folder}\n`), 'runs in the session folder');
  assert.match(terminal.output, /oops/);
  assert.equal(terminal.exitCode, 4);
  assert.equal(terminal.running, false);
  assert.equal(tool.status, 'failed');
  await idle(phone);

  assert.ok((await answerTo(phone, 'termin sub pwd')).includes(join(folder, 'sub')), 'a cwd inside the folder');
  assert.match(await answerTo(phone, 'termin /etc pwd'), /^term error: .*outside the session folder/);
  // The agent asked for at most 4096 bytes: the start is dropped, the end kept.
  const long = await answerTo(phone, 'term seq 1 5000');
  assert.match(long, /^term: exit 0 signal none truncated true output: ".*\\n5000\\n"$/);
});

test('Stop kills a command the agent runs, and its whole process group', async () => {
  const marker = `offer-term-${process.pid}`;
  await prompt(phone, `term sh -c 'sleep 300; : ${marker}' & sleep 300; : ${marker}`);
  await waitFor(() => processesMatching(marker).length >= 2, 10_000, 'the command and its child run');
  const stoppedAt = Date.now();
  assert.equal((await laptop.client.sendIntent({ type: 'stop' })).ok, true);
  await idle(phone);
  assert.ok(Date.now() - stoppedAt < 3000, `stopped in ${Date.now() - stoppedAt} ms`);
  await waitFor(() => processesMatching(marker).length === 0, 3000, `nothing left: ${processesMatching(marker).join('; ')}`);
  const tool = readEntry(last(laptop, 'tool')!);
  assert.ok(tool.type === 'tool' && tool.content[0]?.type === 'terminal');
  assert.equal(readClientTerminal(view(laptop), tool.content[0].terminalId)?.signal, 'SIGTERM');
});

test('an image pasted into a prompt is kept in the document: every device sees it', async () => {
  const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
  await phone.client.sendIntent({ type: 'prompt', text: 'image', images: [{ mimeType: 'image/png', data: png }] });
  await waitFor(() => lastText(laptop) === 'images: 1 image/png', 10_000, 'agent counted the image');
  const user = readEntry(last(laptop, 'user')!);
  assert.ok(user.type === 'user');
  assert.deepEqual(user.imageData, [{ mimeType: 'image/png', data: png }]);
  await idle(phone);
});
