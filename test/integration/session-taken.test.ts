/**
 * The untrusted signal server cannot silently take a session away from its host: when another connection
 * proves ownership of one of its session ids (a second copy of the same server, say), the host says so —
 * a `warning` event, which is an `{"event":"error"}` line with --json and a red line on the status screen.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { SessionServer } from '../../host/session-server.js';
import { HostSignalLink } from '../../host/signal-link.js';
import { attachJsonEvents } from '../../host/json-events.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { startSignalFixture, type SignalFixture } from '../helpers/signal-sockets.js';
import { waitFor } from '../helpers/wait-for.js';

let fixture: SignalFixture | null = null;
let server: SessionServer | null = null;
let rival: HostSignalLink | null = null;
after(async () => {
  rival?.close();
  await server?.close();
  await fixture?.close();
});

test('a session taken over by another connection is reported on the host (warning and --json error)', async () => {
  fixture = await startSignalFixture({});
  const config = parseCli(['remote-control', 'taken', '--signal', fixture.origin, '--json', '--', '/bin/sh'], { ...process.env, PS1: '$ ' }, process.cwd()) as RemoteControlCommand;
  server = new SessionServer(config, { log: pino({ level: 'silent' }), wrtc: nodeWebRtc, clientDir: null });
  const out = new PassThrough();
  let json = '';
  out.on('data', (d: Buffer) => (json += d.toString()));
  attachJsonEvents(server, out as unknown as NodeJS.WritableStream);
  const warnings: string[] = [];
  server.on('warning', (err) => warnings.push(err.code));
  await server.start();
  // A second registration of the list's id with the same owner secret (this process's): a takeover.
  rival = new HostSignalLink(fixture.origin, { onSignal: () => undefined, onPeerLeft: () => undefined }, pino({ level: 'silent' }, new Writable({ write: (_c, _e, d) => d() })));
  await rival.connect();
  await rival.register(server.listId);
  await waitFor(() => warnings.includes('SESSION_TAKEN'), 5000, 'the host is told');
  await waitFor(() => /"event":"error","code":"SESSION_TAKEN"/.test(json), 5000, 'the --json error line');
  assert.match(json, /devices cannot reach the session list/);
});
