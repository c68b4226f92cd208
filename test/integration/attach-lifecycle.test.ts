/**
 * `tether attach` at its edges, as a user meets them in a real PTY: a malformed link is refused at once
 * (exit 2, no "connecting…"); the link can come from $TETHER_LINK or standard input, out of `ps`; a
 * session removed on the host ends the attach with the reason; a host that is gone ends it too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { spawn as spawnPty } from '@lydell/node-pty';
import { parseCli, resolveProgram, type RemoteControlCommand } from '../../host/cli-args.js';
import { BUILTIN_PRESETS } from '../../host/agent-presets.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { SessionServer, type ServerReady } from '../../host/session-server.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { packageRoot } from '../../host/package-paths.js';
import { startPtyCli, type PtyCli } from '../helpers/pty-cli.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { settledOr, waitFor } from '../helpers/wait-for.js';

/** The scripted ACP agent's command line (SCRIPTED_AGENT is `acp:<line>`). */
const SCRIPTED_AGENT_LINE = SCRIPTED_AGENT.replace(/^acp:/, '');

let server: SessionServer;
let ready: ServerReady;
const ptys: PtyCli[] = [];
const hosts: CliHost[] = [];

before(async () => {
  const config = parseCli(['remote-control', 'attach-edges', '--local', '--port', '0', '--', '/bin/sh'], { ...process.env, SHELL: '/bin/sh', PS1: '$ ' }, process.cwd()) as RemoteControlCommand;
  server = new SessionServer(config, { log: pino({ level: 'silent' }, new Writable({ write: (_c, _e, d) => d() })), wrtc: nodeWebRtc, clientDir: null });
  ready = await server.start();
});
after(async () => {
  for (const p of ptys) p.kill();
  for (const h of hosts) h.kill();
  await server?.close();
});

test('a malformed link is refused at once: one line, exit 2, never "connecting…"', async () => {
  for (const link of ['not a link', 'http://127.0.0.1:1/s/short#key', `${ready.first!.url.split('#')[0]}#not-a-key`]) {
    const cli = startPtyCli(['attach', link], process.cwd());
    ptys.push(cli);
    assert.equal(await cli.exited, 2, cli.text());
    assert.doesNotMatch(cli.text(), /connecting/);
    assert.match(cli.text(), /\((BAD_FLAG|KEY_REJECTED)\)/);
  }
});

test('the link from $TETHER_LINK and from standard input (hidden on a terminal)', async () => {
  const viaEnv = spawnPty(process.execPath, [join(packageRoot(), 'bin', 'tether.js'), 'attach'], {
    cols: 100, rows: 40, cwd: process.cwd(), name: 'xterm-256color',
    env: { ...process.env, TETHER_LINK: ready.first!.url } as Record<string, string>,
  });
  let envOut = '';
  viaEnv.onData((d) => (envOut += d));
  try {
    await waitFor(() => /connected/.test(envOut), 15_000, 'attach via TETHER_LINK');
  } finally {
    viaEnv.kill('SIGKILL');
  }

  const viaStdin = startPtyCli(['attach', '-'], process.cwd());
  ptys.push(viaStdin);
  await viaStdin.waitFor(/Session link \(input hidden\)/);
  viaStdin.type(`${ready.first!.url}\r`);
  await viaStdin.waitFor(/connected/);
  assert.ok(!viaStdin.text().includes(ready.first!.url.split('#')[1]!), 'the key is not echoed');
  viaStdin.type('\x1d');
  assert.equal(await viaStdin.exited, 0);
});

test('a session removed on the host ends the attach with the reason (exit 1)', async () => {
  // A conversation stays readable after it ends (a terminal's attach ends with its program), so removal is what ends it.
  const chat = await server.startSession({ name: 'doomed', program: resolveProgram(`acp:${SCRIPTED_AGENT_LINE}`, null, process.env, BUILTIN_PRESETS) });
  const cli = startPtyCli(['attach', chat.url], process.cwd());
  ptys.push(cli);
  await cli.waitFor(/\/stop, \/quit/);
  await server.endSession(chat.id);
  await server.removeSession(chat.id);
  assert.equal(await cli.exited, 1);
  assert.match(cli.text(), /removed on the host \(SESSION_REMOVED\)/);
});

test('a host that is gone ends the attach: it says so instead of reconnecting forever (exit 1)', async () => {
  const host = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
  hosts.push(host);
  const url = String((await host.event('ready')).url);
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'tether.js'), 'attach', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.write(`${url}\n`);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor(() => /connected/.test(out), 15_000, 'attached');
  host.child.kill('SIGKILL');
  assert.equal(await settledOr(exited, 30_000, 'still running'), 1, out);
  assert.match(out, /cannot reach the host .*is tether still running there\? .*\(HOST_UNREACHABLE\)/s);
});
