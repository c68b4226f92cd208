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

/** Frames the host sent on channel `ch` with `tag`, in order of arrival (indices into raw.frames). */
function framesOn(raw: RawPeer, tag: number, ch: number): number[] {
  return raw.frames.flatMap((f, i) => (f.tag === tag && decodeChannelPayload(f.payload).channel === ch ? [i] : []));
}

/** Waits until channel `ch` was opened and its sync request answered, in that order, on a link still up. */
async function expectServed(raw: RawPeer, ch: number): Promise<void> {
  await waitFor(() => framesOn(raw, FrameTag.sync, ch).length > 0 || raw.link.destroyed, 10_000, `the sync request on channel ${ch} answered`);
  assert.equal(raw.link.destroyed, false, `the link stays up (closed with ${raw.closedWith()?.code ?? 'nothing'})`);
  assert.equal(raw.frames[0]?.tag, FrameTag.hello, 'the host says hello first');
  const opened = framesOn(raw, FrameTag.opened, ch);
  assert.equal(opened.length, 1, `channel ${ch} opened once`);
  assert.ok(opened[0]! < framesOn(raw, FrameTag.sync, ch)[0]!, `channel ${ch}: opened, then the sync`);
}

/** Waits for the link to close and returns the code of the ERROR frame the host sent before. */
async function closedWith(raw: RawPeer): Promise<string | undefined> {
  await waitFor(() => raw.link.destroyed, 5000, 'the peer closed');
  const error = raw.frames.find((f) => f.tag === FrameTag.error);
  return error ? decodeJson(ErrorFrameSchema, error.payload).code : undefined;
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

test('a sync request that overtook both its open and the hello is answered too', async () => {
  const raw = await rawPeer();
  syncRequest(raw, 0);
  open(raw, 0);
  hello(raw);
  await expectServed(raw, 0);
});

test('an open refused (a session this host does not serve) drops the sync request that overtook it; the link stays', async () => {
  const raw = await rawPeer();
  hello(raw);
  syncRequest(raw, 3);
  raw.link.sendJson(FrameTag.open, { ch: 3, sessionId: 'A'.repeat(22) });
  open(raw, 0);
  syncRequest(raw, 0);
  await expectServed(raw, 0);
  assert.equal(framesOn(raw, FrameTag.end, 3).length, 1, 'channel 3 refused');
  assert.equal(framesOn(raw, FrameTag.sync, 3).length, 0, 'nothing synced on channel 3');
});

test('16 frames ahead of the hello are all served; a 17th closes the device with HELLO_EXPECTED', async () => {
  const full = await rawPeer();
  for (let ch = 0; ch < 8; ch++) {
    open(full, ch);
    syncRequest(full, ch);
  }
  hello(full);
  for (let ch = 0; ch < 8; ch++) await expectServed(full, ch);
  const over = await rawPeer();
  for (let ch = 0; ch < 8; ch++) {
    open(over, ch);
    syncRequest(over, ch);
  }
  open(over, 8);
  assert.equal(await closedWith(over), 'HELLO_EXPECTED');
});

test('sync requests for channels a device never opens are held at most 16 at a time: FRAME_MALFORMED past that', async () => {
  const raw = await rawPeer();
  hello(raw);
  for (let i = 0; i < 17; i++) syncRequest(raw, 7);
  assert.equal(await closedWith(raw), 'FRAME_MALFORMED');
});

test('a large frame ahead of what it needs is not held: FRAME_MALFORMED', async () => {
  const raw = await rawPeer();
  hello(raw);
  // Held unchecked it would pin its bytes for the connection's life; no fresh replica's request is this big.
  raw.link.sendFrame(encodeChannelFrame(FrameTag.sync, 9, new Uint8Array(2048)));
  assert.equal(await closedWith(raw), 'FRAME_MALFORMED');
});
