/**
 * Deflated frames between two real links (node-datachannel): the frames behind a deflated one wait for
 * it to inflate, and still arrive, in order, when the other side closes the channel meanwhile. The host
 * ends a revoked device with a last ERROR frame and closes: the device must read that error, not a
 * bare close (it would retry instead of forgetting its credential).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync } from 'node:zlib';
import { PeerLink } from '../../protocol/peer-link.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { TetherError } from '../../protocol/errors.js';
import { FrameTag, type Frame } from '../../protocol/frames.js';
import { utf8 } from '../../protocol/encoding.js';

/** Bounds a hang; the links connect in milliseconds. */
const TIMEOUT_MS = 10_000;

/** Two links connected, or null when this attempt failed (libdatachannel fails some connects at once under load). */
async function tryConnect(): Promise<{ sender: PeerLink; receiver: PeerLink } | null> {
  const sender = new PeerLink({ initiator: false, wrtc: nodeWebRtc, maxInboundFrame: 1 << 20 });
  const receiver = new PeerLink({ initiator: true, wrtc: nodeWebRtc, maxInboundFrame: 64 << 20, acceptDeflated: true });
  sender.on('error', () => {});
  receiver.on('error', () => {});
  receiver.on('sdp', (sdp) => sender.applyRemoteSdp(sdp));
  sender.on('sdp', (sdp) => receiver.applyRemoteSdp(sdp));
  const open = (link: PeerLink): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), TIMEOUT_MS);
      link.once('open', () => {
        clearTimeout(timer);
        resolve(true);
      });
      link.once('close', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
  const [a, b] = await Promise.all([open(sender), open(receiver)]);
  if (a && b) return { sender, receiver };
  sender.destroy();
  receiver.destroy();
  return null;
}

/** zlib's raw deflate on its thread pool, as the host deflates large frames. */
const deflateRawOffThread = promisify(deflateRaw);
const deflateOffThread = (bytes: Uint8Array): Promise<Uint8Array> => deflateRawOffThread(bytes, { level: 1 });

/** Two connected links: `sender` deflates for `receiver`, which asked for it (as a host does for a page). */
async function connectedPair(): Promise<{ sender: PeerLink; receiver: PeerLink }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const pair = await tryConnect();
    if (!pair) continue;
    pair.sender.deflateWith((bytes) => deflateRawSync(bytes, { level: 1 }), deflateOffThread);
    return pair;
  }
  throw new Error('the links did not connect in 3 attempts');
}

test('frames behind a deflated frame arrive, in order, though the sender closed right after them', async () => {
  const { sender, receiver } = await connectedPair();
  try {
    const frames: Frame[] = [];
    receiver.on('frame', (frame) => {
      frames.push(frame);
      // As a device does (it reports what it applied): a send to a side that has closed must not end the
      // link before the frames still held are delivered.
      receiver.send(FrameTag.ping, new Uint8Array([frames.length]));
    });
    const closed = new Promise<TetherError | null | string>((resolve) => {
      const timer = setTimeout(() => resolve('no close'), TIMEOUT_MS);
      receiver.once('close', (err) => {
        clearTimeout(timer);
        resolve(err);
      });
    });
    // 8 MB of program output inflates in tens of ms: the channel's close comes long before that.
    const output = utf8('output line of some program 12345\n'.repeat(240_000));
    sender.send(FrameTag.sync, output);
    sender.fail(new TetherError('DEVICE_REVOKED', 'this device was removed'));
    const end = await closed;
    assert.deepEqual(frames.map((f) => f.tag), [FrameTag.sync, FrameTag.error], 'the output, then the error');
    assert.equal(frames[0]!.payload.length, output.length);
    assert.equal(JSON.parse(new TextDecoder().decode(frames[1]!.payload)).code, 'DEVICE_REVOKED');
    assert.equal(end, null, 'then the link closes');
  } finally {
    sender.destroy();
    receiver.destroy();
  }
});

/** Program output that deflates about as real output does (threefold). */
function output(lines: number, tag: string): Uint8Array {
  return utf8(Array.from({ length: lines }, (_, i) => `${tag} ${i} ${((i * 2654435761) % 4294967296).toString(16)}\n`).join(''));
}

/** Resolves once `link` has delivered `n` frames (collected in `into`). */
function frames(link: PeerLink, n: number, into: Frame[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${into.length} of ${n} frames arrived`)), TIMEOUT_MS);
    link.on('frame', (frame) => {
      into.push(frame);
      if (into.length === n) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

test('a large frame is deflated off the main thread, and the frames sent meanwhile keep their order', async () => {
  const { sender, receiver } = await connectedPair();
  try {
    const big = output(200_000, 'big'); // ~3.8 MB: a long session's first sync
    const sent: Array<[number, Uint8Array]> = [
      [FrameTag.sync, big],
      [FrameTag.reply, utf8('{"small":1}')],
      [FrameTag.sync, output(1_000, 'medium')], // deflated at once (under the off-thread size)
      [FrameTag.sync, output(20_000, 'second')], // off the thread too, queued behind the first
      [FrameTag.reply, utf8('{"small":2}')],
    ];
    const got: Frame[] = [];
    const arrived = frames(receiver, sent.length, got);
    sender.send(sent[0]![0], sent[0]![1]);
    // Nothing of it was deflated during that call: it waits, whole, for zlib's thread pool.
    assert.ok(sender.pendingBytes >= big.length, `pending ${sender.pendingBytes} bytes right after sending ${big.length}`);
    for (const [tag, payload] of sent.slice(1)) sender.send(tag, payload);
    await arrived;
    assert.deepEqual(got.map((f) => f.tag), sent.map(([tag]) => tag));
    for (let i = 0; i < sent.length; i++) assert.ok(Buffer.from(got[i]!.payload).equals(Buffer.from(sent[i]![1])), `frame ${i} arrives intact`);
  } finally {
    sender.destroy();
    receiver.destroy();
  }
});
