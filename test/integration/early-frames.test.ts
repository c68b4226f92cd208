/**
 * A device sends its hello, its channels' opens and a fresh replica's sync requests back to back, without
 * waiting for the host. libdatachannel can hand the host a connection's first messages out of order: the
 * data channel's receive queue is flushed by the thread that sets the message callback (the host's main
 * thread, when it first hears of the channel) and by the network thread as more arrive, and the two can
 * interleave (libdatachannel issue #1508 is the same window for the open callback). A sync request that
 * overtook its open used to be dropped, and the device waited for its first sync for ever (the churn test
 * saw it). The host now holds such frames until what they wait for arrives, bounded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { startTestHost, type TestHost } from '../helpers/terminal-host.js';
import { connectRawPeer, RAW_HELLO, type RawPeer } from '../helpers/raw-peer.js';
import { waitFor } from '../helpers/wait-for.js';
import { decodeChannelPayload, encodeChannelFrame, FrameTag } from '../../protocol/frames.js';
import { decodeJson, ErrorFrameSchema } from '../../protocol/messages.js';
import { encodeStep1 } from '../../protocol/sync.js';

let host: TestHost;
const raws: RawPeer[] = [];

before(async () => {
  host = await startTestHost(['/bin/sh', '-c', 'echo early-frames-output; exec cat']);
});
after(async () => {
  for (const r of raws) r.close();
  await host?.close();
});

async function rawPeer(): Promise<RawPeer> {
  const raw = await connectRawPeer(host.ready.url);
  raws.push(raw);
  return raw;
}

const hello = (raw: RawPeer): void => raw.link.sendJson(FrameTag.hello, RAW_HELLO);
const open = (raw: RawPeer, ch: number): void => raw.link.sendJson(FrameTag.open, { ch, sessionId: raw.sessionId });
const syncRequest = (raw: RawPeer, ch: number): void => raw.link.sendFrame(encodeChannelFrame(FrameTag.sync, ch, encodeStep1(new Y.Doc())));

/** Waits until channel `ch` was opened and its sync answered, then checks the order the host answered in. */
async function expectServed(raw: RawPeer, ch: number): Promise<void> {
  const onChannel = (tag: number): boolean => raw.frames.some((f) => f.tag === tag && decodeChannelPayload(f.payload).channel === ch);
  await waitFor(() => onChannel(FrameTag.sync) || raw.link.destroyed, 10_000, `the sync request on channel ${ch} answered`);
  assert.equal(raw.link.destroyed, false, `the link stays up (closed with ${raw.closedWith()?.code ?? 'nothing'})`);
  const tags = raw.frames.map((f) => f.tag);
  assert.equal(tags[0], FrameTag.hello, 'the host says hello first');
  assert.ok(tags.indexOf(FrameTag.opened) < tags.indexOf(FrameTag.sync), 'opened, then the sync');
}

test('a sync request that arrives before its channel\'s open is answered once the open arrives', async () => {
  const raw = await rawPeer();
  hello(raw);
  syncRequest(raw, 0);
  open(raw, 0);
  await expectServed(raw, 0);
});

test('opens and sync requests that arrive before the hello wait for it', async () => {
  const raw = await rawPeer();
  open(raw, 0);
  syncRequest(raw, 0);
  open(raw, 1);
  hello(raw);
  syncRequest(raw, 1);
  await expectServed(raw, 0);
  await expectServed(raw, 1);
});

test('a device that sends many sync requests for channels it never opens is closed with FRAME_MALFORMED', async () => {
  const raw = await rawPeer();
  hello(raw);
  for (let i = 0; i < 40; i++) syncRequest(raw, 7);
  await waitFor(() => raw.link.destroyed, 5000, 'the peer closed');
  const error = raw.frames.find((f) => f.tag === FrameTag.error);
  assert.ok(error, 'an ERROR frame before the close');
  assert.equal(decodeJson(ErrorFrameSchema, error.payload).code, 'FRAME_MALFORMED');
});

test('a device that sends many frames before its hello is closed with HELLO_EXPECTED', async () => {
  const raw = await rawPeer();
  for (let i = 0; i < 40; i++) open(raw, i);
  await waitFor(() => raw.link.destroyed, 5000, 'the peer closed');
  const error = raw.frames.find((f) => f.tag === FrameTag.error);
  assert.ok(error, 'an ERROR frame before the close');
  assert.equal(decodeJson(ErrorFrameSchema, error.payload).code, 'HELLO_EXPECTED');
});
