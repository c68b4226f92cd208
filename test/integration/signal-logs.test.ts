/**
 * The signal server never logs a link's key, the host's owner secret or an SDP: its trace-level log is
 * captured while a real host (standalone server via --signal) serves a real device over real WebRTC.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { SessionServer } from '../../host/session-server.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { parseSessionUrl } from '../../protocol/session-url.js';
import { SignalEvents } from '../../protocol/signaling.js';
import { joinClient, type TestClient } from '../helpers/terminal-host.js';
import { startSignalFixture, type SignalFixture } from '../helpers/signal-sockets.js';

let fixture: SignalFixture;
let host: SessionServer;
let client: TestClient | null = null;
let logText = '';
const secrets: string[] = [];
const sdps: string[] = [];

before(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logText += chunk.toString();
      done();
    },
  });
  fixture = await startSignalFixture({ logger: pino({ level: 'trace' }, sink) });
  // Observe what the server receives, to know exactly which secrets and SDPs must not reach its log.
  fixture.server.io.on('connection', (socket) => {
    socket.onAny((event: string, msg: { owner?: string; payload?: { sdp?: string } }) => {
      if (event === SignalEvents.hostRegister && msg?.owner) secrets.push(msg.owner);
      if (msg?.payload?.sdp) sdps.push(msg.payload.sdp);
    });
  });
  const config = parseCli(['remote-control', 'logs', '--signal', fixture.origin, '--spawn', 'session', '--json', '--', '/bin/sh'], { ...process.env, PS1: '$ ' }, process.cwd()) as RemoteControlCommand;
  host = new SessionServer(config, { log: pino({ level: 'silent' }), wrtc: nodeWebRtc, clientDir: null });
});
after(async () => {
  client?.close();
  await host.close();
  await fixture.close();
});

test('a whole join leaves no key, owner secret or SDP in the server log', async () => {
  const ready = await host.start();
  const url = ready.first!.url;
  client = await joinClient(url, 'log watcher');
  client.close();
  client = null;
  const { token: key } = parseSessionUrl(url);
  assert.ok(key);
  assert.ok(secrets.length >= 1, 'the host registered with an owner secret');
  assert.ok(sdps.length >= 2, 'an offer and an answer went through');
  assert.ok(logText.includes('client joined'), 'the log was captured at trace level');
  assert.ok(!logText.includes(key), 'no session key');
  for (const secret of secrets) assert.ok(!logText.includes(secret), 'no owner secret');
  for (const line of ['v=0', 'a=fingerprint', 'a=ice-ufrag', 'a=ice-pwd', 'm=application']) assert.ok(!logText.includes(line), `no SDP line ${line}`);
  for (const sdp of sdps) {
    const fingerprint = /a=fingerprint:\S+ (\S+)/.exec(sdp)?.[1];
    if (fingerprint) assert.ok(!logText.includes(fingerprint), 'no DTLS fingerprint');
  }
});
