/**
 * Garbage on a data channel: the offending device is closed with an error code; the session and
 * every other device carry on, and the document is unchanged.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { deflateRawSync } from 'node:zlib';
import * as encoding from 'lib0/encoding';
import { concatBytes } from '../../protocol/encoding.js';
import { startTestHost, joinClient, type TestHost, type TestClient } from '../helpers/terminal-host.js';
import { connectRawPeer, RAW_HELLO, type RawPeer } from '../helpers/raw-peer.js';
import { waitFor } from '../helpers/wait-for.js';
import { decodeChannelPayload, encodeChannelFrame, FrameTag, MAX_CLIENT_FRAME_BYTES } from '../../protocol/frames.js';
import { ChannelEndSchema, decodeJson, encodeJson, ErrorFrameSchema, IntentReplySchema } from '../../protocol/messages.js';
import { encodeUpdate, encodeStep1 } from '../../protocol/sync.js';
import { newId } from '../../protocol/ids.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import type { ErrorCode, TetherError } from '../../protocol/errors.js';
import { SessionClient, type ConnectionState } from '../../client/core/session-client.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';

let host: TestHost;
let bystander: TestClient;
const raws: RawPeer[] = [];

before(async () => {
  host = await startTestHost(['/bin/sh']);
  bystander = await joinClient(host.ready.url, 'bystander');
  await waitFor(() => bystander.text().endsWith('$ '), 10_000, 'first prompt');
});
after(async () => {
  for (const r of raws) r.close();
  bystander?.close();
  await host?.close();
});

const hello = RAW_HELLO;

async function rawPeer(sayHello: boolean): Promise<RawPeer> {
  const raw = await connectRawPeer(host.ready.url);
  raws.push(raw);
  if (sayHello) {
    await raw.sayHello();
    await raw.openSession(0);
  }
  return raw;
}

/** Sends a session frame on channel 0. */
function onChannel(raw: RawPeer, tag: number, payload: Uint8Array): void {
  raw.link.sendFrame(encodeChannelFrame(tag, 0, payload));
}

/** The JSON replies the raw peer received on its channels. */
function replies(raw: RawPeer): ReturnType<typeof decodeJson<unknown>>[] {
  return raw.frames.filter((f) => f.tag === FrameTag.reply).map((f) => decodeJson(IntentReplySchema, decodeChannelPayload(f.payload).body));
}

/** The session's content apart from the device list (which rightly loses the closed peer). */
function sessionContent(): string {
  const view = host.terminal.writer.view;
  return JSON.stringify([view.meta.toJSON(), view.term.toJSON(), view.output.toArray()]);
}

/** Asserts the raw peer got an ERROR frame with `code` and was closed, the session is unchanged, and the bystander still works. */
async function expectClosedWith(raw: RawPeer, code: ErrorCode, contentBefore: string): Promise<void> {
  await waitFor(() => raw.link.destroyed, 5000, `peer closed with ${code}`);
  const errorFrame = raw.frames.find((f) => f.tag === FrameTag.error);
  assert.ok(errorFrame, 'an ERROR frame was sent before closing');
  assert.equal(decodeJson(ErrorFrameSchema, errorFrame.payload).code, code);
  assert.equal(sessionContent(), contentBefore, 'the session document is unchanged');
  const marker = `alive-${Math.random().toString(36).slice(2, 8)}`;
  const reply = await bystander.client.sendIntent({ type: 'input', data: `echo ${marker}\r` });
  assert.equal(reply.ok, true);
  // Wait for the prompt too, so no late output lands inside the next case's snapshot.
  await waitFor(() => bystander.text().split(marker).length >= 3 && bystander.text().endsWith('$ '), 10_000, 'bystander still served');
}

const cases: Array<{ name: string; hello: boolean; send: (raw: RawPeer) => void; code: ErrorCode }> = [
  { name: 'a first frame that is not hello', hello: false, code: 'HELLO_EXPECTED', send: (r) => onChannel(r, FrameTag.intent, encodeJson({ id: newId(), type: 'input', data: 'x' })) },
  { name: 'a hello that is not JSON', hello: false, code: 'FRAME_MALFORMED', send: (r) => r.link.send(FrameTag.hello, new Uint8Array([0xff, 0xfe, 0x00])) },
  { name: 'a hello whose device name carries an escape sequence', hello: false, code: 'NAME_INVALID', send: (r) => r.link.sendJson(FrameTag.hello, { ...hello, deviceName: 'evil\x1b]52;c;cHduZWQ=\x07' }) },
  { name: 'a hello whose device name carries a bidi override', hello: false, code: 'NAME_INVALID', send: (r) => r.link.sendJson(FrameTag.hello, { ...hello, deviceName: 'evil\u202eexe.txt' }) },
  { name: 'a hello from a newer protocol', hello: false, code: 'HOST_TOO_OLD', send: (r) => r.link.sendJson(FrameTag.hello, { ...hello, v: PROTOCOL_VERSION + 1 }) },
  { name: 'an unknown tag', hello: true, code: 'FRAME_UNKNOWN_TAG', send: (r) => r.link.send(0x42, new Uint8Array([1, 2, 3])) },
  { name: 'a deflated frame (only devices may ask for them)', hello: true, code: 'FRAME_MALFORMED', send: (r) => {
    const inner = encodeChannelFrame(FrameTag.intent, 0, encodeJson({ id: newId(), type: 'input', data: 'x'.repeat(4000) }));
    const length = encoding.encode((e) => encoding.writeVarUint(e, inner.length));
    r.link.send(FrameTag.deflated, concatBytes([length, deflateRawSync(inner)]));
  } },
  { name: 'an oversized frame', hello: true, code: 'FRAME_TOO_LARGE', send: (r) => onChannel(r, FrameTag.intent, new Uint8Array(MAX_CLIENT_FRAME_BYTES + 10)) },
  { name: 'a document write from a client', hello: true, code: 'FORBIDDEN_WRITE', send: (r) => {
    const evil = new Y.Doc();
    evil.getArray<string>('output').push(['forged history']);
    onChannel(r, FrameTag.sync, encodeUpdate(Y.encodeStateAsUpdate(evil)));
  } },
  { name: 'a garbage sync message', hello: true, code: 'FRAME_MALFORMED', send: (r) => onChannel(r, FrameTag.sync, new Uint8Array([9, 9, 9])) },
  { name: 'an intent without an id', hello: true, code: 'INTENT_INVALID', send: (r) => onChannel(r, FrameTag.intent, encodeJson({ type: 'input', data: 'ls\r' })) },
  { name: 'an empty frame', hello: true, code: 'FRAME_MALFORMED', send: (r) => r.link.send(FrameTag.fragmentEnd, new Uint8Array(0)) },
  { name: 'a session frame without a channel number', hello: true, code: 'FRAME_MALFORMED', send: (r) => r.link.send(FrameTag.sync, new Uint8Array(0)) },
  { name: 'a channel number out of range', hello: true, code: 'FRAME_MALFORMED', send: (r) => {
    // Built by hand: encodeChannelFrame refuses a channel out of range.
    const head = encoding.encode((e) => {
      encoding.writeUint8(e, FrameTag.sync);
      encoding.writeVarUint(e, 300);
    });
    r.link.sendFrame(concatBytes([head, encodeStep1(new Y.Doc())]));
  } },
  { name: 'an open for a channel out of range', hello: true, code: 'FRAME_MALFORMED', send: (r) => r.link.sendJson(FrameTag.open, { ch: 256, sessionId: r.sessionId }) },
  { name: 'sync requests repeated without end', hello: true, code: 'FRAME_MALFORMED', send: (r) => {
    for (let i = 0; i < 10; i++) onChannel(r, FrameTag.sync, encodeStep1(new Y.Doc()));
  } },
  { name: 'an applied count that is not a count', hello: true, code: 'FRAME_MALFORMED', send: (r) => onChannel(r, FrameTag.applied, encodeJson({ bytes: -1 })) },
  { name: 'an applied frame with more fields', hello: true, code: 'FRAME_MALFORMED', send: (r) => onChannel(r, FrameTag.applied, encodeJson({ bytes: 1, extra: true })) },
  { name: 'a second hello', hello: true, code: 'FRAME_UNKNOWN_TAG', send: (r) => r.link.sendJson(FrameTag.hello, RAW_HELLO) },
];

for (const c of cases) {
  test(`${c.name} closes that peer with ${c.code}; nothing else changes`, async () => {
    const raw = await rawPeer(c.hello);
    const before = sessionContent();
    c.send(raw);
    await expectClosedWith(raw, c.code, before);
    assert.ok(!sessionContent().includes('forged history'));
    assert.ok(!host.terminal.core.devices.some((d) => d.name.startsWith('evil')), 'a refused name is never listed');
  });
}

test('opening a session this host does not serve ends that channel with SESSION_UNKNOWN; the connection stays', async () => {
  const raw = await rawPeer(true);
  raw.link.sendJson(FrameTag.open, { ch: 5, sessionId: newId() });
  await waitFor(() => raw.frames.some((f) => f.tag === FrameTag.end), 5000, 'an end frame');
  const end = decodeChannelPayload(raw.frames.find((f) => f.tag === FrameTag.end)!.payload);
  assert.equal(end.channel, 5);
  assert.equal(decodeJson(ChannelEndSchema, end.body).code, 'SESSION_UNKNOWN');
  // Frames for a channel that is not open are ignored, and channel 0 still works.
  raw.link.sendFrame(encodeChannelFrame(FrameTag.intent, 5, encodeJson({ id: newId(), type: 'input', data: 'x' })));
  onChannel(raw, FrameTag.intent, encodeJson({ id: newId(), type: 'resize', cols: 80, rows: 24 }));
  await waitFor(() => replies(raw).length === 1, 5000, 'a reply on channel 0');
  assert.equal(raw.link.destroyed, false);
});

test('an intent with a bad field gets INTENT_INVALID and the peer stays connected', async () => {
  const raw = await rawPeer(true);
  const id = newId();
  onChannel(raw, FrameTag.intent, encodeJson({ id, type: 'input', data: '' }));
  await waitFor(() => raw.frames.some((f) => f.tag === FrameTag.reply), 5000, 'a reply');
  const reply = replies(raw)[0] as { id: string; ok: boolean; error?: { code: string } };
  assert.equal(reply.id, id);
  assert.equal(reply.ok, false);
  assert.equal(reply.error?.code, 'INTENT_INVALID');
  assert.equal(raw.link.destroyed, false);
});

test('the same intent id sent twice is applied once', async () => {
  const raw = await rawPeer(true);
  const id = newId();
  const intent = { id, type: 'input', data: 'echo once-$((2+3))\r' };
  onChannel(raw, FrameTag.intent, encodeJson(intent));
  onChannel(raw, FrameTag.intent, encodeJson(intent));
  await waitFor(() => replies(raw).length === 2, 5000, 'two replies');
  const got = replies(raw) as Array<{ ok: boolean; duplicate?: boolean }>;
  assert.deepEqual(got.map((r) => r.ok && Boolean(r.duplicate)).sort(), [false, true]);
  await waitFor(() => bystander.text().includes('once-5'), 10_000, 'applied');
  // Give a doubled command time to show up, bounded by the next command's echo.
  await bystander.client.sendIntent({ type: 'input', data: 'echo fence\r' });
  await waitFor(() => /\nfence\r?\n/.test(bystander.text()), 10_000, 'fence');
  assert.equal(bystander.text().split('once-5').length - 1, 1, 'ran exactly once');
});

test('a device whose name is refused stops with NAME_INVALID instead of retrying', async () => {
  const client = new SessionClient({ url: host.ready.url, wrtc: nodeWebRtc, deviceName: 'evil\u202eexe', deviceKind: 'terminal', backoffInitialMs: 50, backoffMaxMs: 500 });
  const states: Array<[ConnectionState, TetherError | null]> = [];
  client.on('state', (state, error) => states.push([state, error]));
  try {
    client.start();
    await waitFor(() => states.some(([state]) => state === 'failed'), 10_000, 'the client gives up');
    assert.equal(states.find(([state]) => state === 'failed')![1]?.code, 'NAME_INVALID');
  } finally {
    client.close();
  }
});
