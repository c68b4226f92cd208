/**
 * The server's status screen on a terminal: names it shows (sessions, agents, devices) reach it without
 * escape sequences, C1 controls or bidi overrides.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { SessionServer } from '../../host/session-server.js';
import { attachStatusScreen } from '../../host/status-screen.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { clientDir } from '../../host/package-paths.js';
import { waitFor } from '../helpers/wait-for.js';

const silent = pino({ level: 'silent' }, new Writable({ write: (_c, _e, d) => d() }));
let server: SessionServer | null = null;
let detach: (() => void) | null = null;
after(async () => {
  detach?.();
  await server?.close();
});

test('session names on the status screen lose escape sequences, C1 controls and bidi overrides', async () => {
  const config = parseCli(['remote-control', 'screen-demo', '--local', '--port', '0', '--allow-agent', 'shell', '--', '/bin/sh'], { ...process.env, PS1: '$ ' }, process.cwd()) as RemoteControlCommand;
  server = new SessionServer(config, { log: silent, wrtc: nodeWebRtc, clientDir: clientDir() });
  let screen = '';
  // A terminal as the status screen sees one: a TTY it writes whole frames to.
  const out = Object.assign(new Writable({ write: (chunk: Buffer, _e, done) => ((screen += chunk.toString()), done()) }), { isTTY: true, columns: 100, rows: 40 });
  const input = Object.assign(new PassThrough(), { isTTY: false });
  detach = attachStatusScreen(server, out as unknown as NodeJS.WriteStream, input as unknown as NodeJS.ReadStream, () => {});
  await server.start();
  // The host's own API takes any name; names from devices are validated before they get this far.
  await server.startSession({ name: 'evil\x1b]52;c;cHduZWQ=\x07\u202e name\u009b2J', agent: 'shell' });
  await waitFor(() => screen.includes('evil name'), 10_000, 'the session on the status screen');
  assert.doesNotMatch(screen, /\x1b\]|\u202e|\u009b/);
});
