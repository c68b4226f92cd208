/**
 * `tether attach` as a user runs it, in a real PTY: a shared terminal (raw, Ctrl-] detaches), a
 * conversation (chat), and a server's session list (printed with a link per session).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { SessionServer, type ServerReady } from '../../host/session-server.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { clientDir } from '../../host/package-paths.js';
import { startPtyCli, type PtyCli } from '../helpers/pty-cli.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { assertApprovalShowsCommand, assertNoAgentEscapes } from '../helpers/agent-escapes.js';

let server: SessionServer;
let ready: ServerReady;
const ptys: PtyCli[] = [];

before(async () => {
  const config = parseCli(['remote-control', 'attach-demo', '--local', '--port', '0', '--allow-agent', 'shell', '--agent', SCRIPTED_AGENT], { ...process.env, SHELL: '/bin/sh', PS1: '$ ' }, process.cwd()) as RemoteControlCommand;
  server = new SessionServer(config, { log: pino({ level: 'silent' }, new Writable({ write: (_c, _e, d) => d() })), wrtc: nodeWebRtc, clientDir: clientDir() });
  ready = await server.start();
});
after(async () => {
  for (const p of ptys) p.kill();
  await server?.close();
});

test('attach to a conversation: a chat where prompts and answers work', async () => {
  const cli = startPtyCli(['attach', ready.first!.url], process.cwd());
  ptys.push(cli);
  await cli.waitFor(/\/stop, \/quit/);
  cli.type('echo from attach\r');
  await cli.waitFor(/You said: from attach/);
  cli.type('permission\r');
  await cli.waitFor(/\[1\] Allow once/);
  cli.type('1\r');
  await cli.waitFor(/permission: allow-once/);
  cli.type('/quit\r');
  assert.equal(await cli.exited, 0);
});

test('attach to a shared terminal: raw typing, Ctrl-] detaches', async () => {
  const shell = await server.startSession({ name: 'sh', agent: 'shell' });
  const cli = startPtyCli(['attach', shell.url], process.cwd());
  ptys.push(cli);
  await cli.waitFor(/connected/);
  cli.type('echo attached-$((6*7))\r');
  await cli.waitFor(/attached-42/);
  cli.type('\x1d');
  await cli.waitFor(/detached/);
  assert.equal(await cli.exited, 0);
});

test('attach to the session list prints every session with its attach command', async () => {
  const cli = startPtyCli(['attach', ready.serverUrl], process.cwd());
  ptys.push(cli);
  assert.equal(await cli.exited, 0);
  assert.match(cli.text(), /attach-demo: 2 sessions/);
  assert.match(cli.text(), /tether attach 'http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{22}\?k=[tc]#[A-Za-z0-9_-]{43}'/);
});

test('attach chat: escape sequences from the agent never reach the terminal; a spoofed tool title shows its command', async () => {
  const cli = startPtyCli(['attach', ready.first!.url], process.cwd());
  ptys.push(cli);
  await cli.waitFor(/\/stop, \/quit/);
  cli.type('escapes\r');
  await cli.waitFor(/\[1\] Allow once/);
  assertApprovalShowsCommand(cli.raw(), cli.text());
  assert.match(cli.text(), /Clipboard and a link end/);
  assertNoAgentEscapes(cli.raw());
  cli.type('2\r');
  await cli.waitFor(/answered: reject-once/);
  cli.type('/quit\r');
  assert.equal(await cli.exited, 0);
});

test('the session list printout shows names without their escape sequences or bidi overrides', async () => {
  // The host's own API takes any name; names from devices are validated before they get this far.
  await server.startSession({ name: 'evil\x1b]52;c;cHduZWQ=\x07\u202e name\u009b2J', agent: 'shell' });
  const cli = startPtyCli(['attach', ready.serverUrl], process.cwd());
  ptys.push(cli);
  assert.equal(await cli.exited, 0);
  assert.match(cli.text(), /^ {2}evil name · shell · /m);
  assert.doesNotMatch(cli.raw(), /\x1b\]|\u202e|\u009b/);
});
