/**
 * Two real peers (node-datachannel, as the host and `tether attach` use it) joined by
 * protocol/data-channel-peer.ts alone: one offer and one answer carrying their candidates, messages both
 * ways byte for byte, a close seen by the other side, bad SDP reported as a failure, and no event after
 * close().
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataChannelPeer, type DataChannelPeerEvents, type PeerFailure, type WebRtcImplementation } from '../../protocol/data-channel-peer.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { waitFor } from '../helpers/wait-for.js';

/** One peer and everything it reported. */
class Side {
  readonly sdps: Array<{ type: 'offer' | 'answer'; sdp: string }> = [];
  readonly messages: Uint8Array[] = [];
  readonly failures: Array<{ kind: PeerFailure; message: string }> = [];
  opened = 0;
  closed = 0;
  readonly peer: DataChannelPeer;

  /** Everything reported so far, counted: opens, closes, failures, messages. */
  counts(): number[] {
    return [this.opened, this.closed, this.failures.length, this.messages.length];
  }

  constructor(initiator: boolean, options: { iceServers?: RTCIceServer[]; iceCompleteTimeoutMs?: number } = {}) {
    const events: DataChannelPeerEvents = {
      sdp: (d) => this.sdps.push(d),
      open: () => this.opened++,
      message: (data) => this.messages.push(data.slice()),
      closed: () => this.closed++,
      failed: (kind, message) => this.failures.push({ kind, message }),
    };
    const config = { iceServers: options.iceServers ?? [] };
    this.peer = new DataChannelPeer({ initiator, config, iceCompleteTimeoutMs: options.iceCompleteTimeoutMs ?? 50, wrtc: nodeWebRtc }, events);
  }
}

/**
 * Two peers joined through their SDPs, both open. libdatachannel fails about 1 connect in 50 when a Node
 * peer makes the offer (host/node-webrtc.ts); both sides then report it at once and tether retries, as
 * this does. A connect that stalls without a report fails the test.
 */
async function connectedPair(iceCompleteTimeoutMs?: number): Promise<[Side, Side]> {
  for (let attempt = 1; ; attempt++) {
    const a = new Side(true, { iceCompleteTimeoutMs });
    const b = new Side(false, { iceCompleteTimeoutMs });
    await waitFor(() => a.sdps.length > 0, 5000, 'the offer');
    await b.peer.applyRemote(a.sdps[0]!);
    await waitFor(() => b.sdps.length > 0, 5000, 'the answer');
    await a.peer.applyRemote(b.sdps[0]!);
    await waitFor(() => (a.opened === 1 && b.opened === 1) || a.failures.length + b.failures.length > 0, 5000, 'both channels open, or a failure reported');
    if (a.opened === 1 && b.opened === 1) return [a, b];
    a.peer.close();
    b.peer.close();
    if (attempt === 3) assert.fail(`three connects failed: ${JSON.stringify([a.failures, b.failures])}`);
  }
}

/** Runs `check` on a connected pair, then closes both peers whatever happened. */
async function withPair(check: (a: Side, b: Side) => Promise<void>, iceCompleteTimeoutMs?: number): Promise<void> {
  const [a, b] = await connectedPair(iceCompleteTimeoutMs);
  try {
    await check(a, b);
  } finally {
    a.peer.close();
    b.peer.close();
  }
}

describe('a data channel peer', () => {
  it('makes one offer and one answer, each carrying its candidates, as soon as gathering completes', async () => {
    // A minute's wait after the first candidate: the SDPs can only come this soon from gathering complete.
    await withPair(async (a, b) => {
      assert.deepEqual(a.sdps.map((d) => d.type), ['offer']);
      assert.deepEqual(b.sdps.map((d) => d.type), ['answer']);
      for (const { sdp } of [...a.sdps, ...b.sdps]) {
        assert.match(sdp, /^a=candidate:/m, 'the SDP carries its candidates');
      }
    }, 60_000);
  });

  it('carries bytes both ways exactly, views into larger buffers included; text arrives as its UTF-8 bytes', async () => {
    await withPair(async (a, b) => {
      const big = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff);
      a.peer.send(big.subarray(3, 60_003));
      b.peer.send(Uint8Array.of(1, 2, 3));
      await waitFor(() => b.messages.length === 1 && a.messages.length === 1, 5000, 'both messages');
      assert.deepEqual(b.messages[0], big.subarray(3, 60_003));
      assert.deepEqual(a.messages[0], Uint8Array.of(1, 2, 3));
      assert.ok(b.peer.bufferedAmount >= 0);
      // A text message (never sent by tether, but a peer may): bytes that the frame decoder then judges.
      const channel = (a.peer as unknown as { channel: RTCDataChannel }).channel;
      channel.send('hé');
      await waitFor(() => b.messages.length === 2, 5000, 'the text message');
      assert.deepEqual(b.messages[1], new TextEncoder().encode('hé'));
    });
  });

  it('reports the other side closing its channel as closed, and nothing after close()', async () => {
    await withPair(async (a, b) => {
      a.peer.closeChannel();
      await waitFor(() => b.closed > 0, 5000, 'the other side to see the close');
      assert.deepEqual(b.failures, []);
      const seen = { a: a.counts(), b: b.counts() };
      a.peer.close();
      b.peer.close();
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual({ a: a.counts(), b: b.counts() }, seen);
      assert.throws(() => a.peer.send(Uint8Array.of(1)), /not 'open'/);
    });
  });

  it('uses one channel: a second one the other side opens is closed and never read', async () => {
    await withPair(async (a, b) => {
      const extra = (a.peer as unknown as { pc: RTCPeerConnection }).pc.createDataChannel('extra');
      let extraClosed = false;
      extra.onclose = () => (extraClosed = true);
      extra.onopen = () => extra.send(Uint8Array.of(9, 9, 9));
      await waitFor(() => extraClosed, 5000, 'the second channel to be closed by the other side');
      a.peer.send(Uint8Array.of(1));
      await waitFor(() => b.messages.length > 0, 5000, 'a message on the first channel');
      assert.deepEqual(b.messages, [Uint8Array.of(1)]);
      assert.equal(b.closed, 0);
    });
  });

  it('reports a configuration the implementation refuses (TURN without credentials) as a failed negotiation, later, not by throwing', async () => {
    const a = new Side(true, { iceServers: [{ urls: 'turn:127.0.0.1:3478' }] });
    try {
      assert.equal(a.failures.length, 0, 'reported on a later turn, as every other failure');
      await waitFor(() => a.failures.length > 0, 5000, 'the failure');
      assert.equal(a.failures[0]!.kind, 'negotiation');
      assert.match(a.failures[0]!.message, /could not create the connection/);
      assert.deepEqual(a.sdps, []);
      assert.throws(() => a.peer.send(Uint8Array.of(1)), /not 'open'/);
      assert.deepEqual(await a.peer.stats(), []);
    } finally {
      a.peer.close();
    }
  });

  it('reports an offer that is not SDP as a failed negotiation, and makes no answer', async () => {
    const b = new Side(false);
    try {
      await b.peer.applyRemote({ type: 'offer', sdp: 'v=0\r\nnot an offer\r\n' });
      assert.equal(b.failures.length, 1);
      assert.equal(b.failures[0]!.kind, 'negotiation');
      assert.match(b.failures[0]!.message, /offer was refused/);
      assert.deepEqual(b.sdps, []);
    } finally {
      b.peer.close();
    }
  });
});
