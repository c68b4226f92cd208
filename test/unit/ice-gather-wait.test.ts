/**
 * When the offer goes (protocol/data-channel-peer.ts): at once when gathering completes; else once no new
 * candidate came for `iceQuietMs` (candidates come in bursts: Chromium's host candidates within ~1 ms,
 * then nothing until gathering completes ~90 ms later), and `iceCompleteTimeoutMs` after the first at the
 * latest. The browser's RTCPeerConnection is stood in for by one whose candidates the test emits at
 * chosen times on Node's mocked clock: only the timing around them is tether's.
 */
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { DataChannelPeer, type WebRtcImplementation } from '../../protocol/data-channel-peer.js';

/** The last connection made, for the test to emit its candidates. */
let lastPc: ScriptedPeerConnection | null = null;

/** Just enough of RTCPeerConnection for an offer: candidates come when the test says. */
class ScriptedPeerConnection {
  onicecandidate: ((event: { candidate: RTCIceCandidateInit | null }) => void) | null = null;
  onicegatheringstatechange: (() => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  ondatachannel: (() => void) | null = null;
  iceGatheringState: RTCIceGatheringState = 'new';
  localDescription: { type: string; sdp: string } | null = null;
  private readonly lines: string[] = [];

  constructor() {
    lastPc = this;
  }

  createDataChannel(): object {
    return { readyState: 'connecting', close() {} };
  }

  async createOffer(): Promise<{ type: 'offer'; sdp: string }> {
    return { type: 'offer', sdp: 'v=0\r\n' };
  }

  async setLocalDescription(description: { type: string; sdp: string }): Promise<void> {
    this.localDescription = description;
    this.iceGatheringState = 'gathering';
  }

  /** A new local candidate (or, with null, the end of gathering). */
  emit(candidate: string | null): void {
    if (candidate) {
      this.lines.push(`a=candidate:${candidate}`);
      this.localDescription = { type: 'offer', sdp: `v=0\r\n${this.lines.join('\r\n')}\r\n` };
    } else {
      this.iceGatheringState = 'complete';
      this.onicegatheringstatechange?.();
    }
    this.onicecandidate?.({ candidate: candidate ? { candidate } : null });
  }

  close(): void {}
}

const scripted = { RTCPeerConnection: ScriptedPeerConnection } as unknown as WebRtcImplementation;

/** An offering peer and the SDPs it sent, on the mocked clock. */
async function offering(options: { iceCompleteTimeoutMs: number; iceQuietMs?: number }): Promise<{ pc: ScriptedPeerConnection; sdps: string[]; close: () => void }> {
  const sdps: string[] = [];
  const peer = new DataChannelPeer(
    { initiator: true, config: {}, wrtc: scripted, ...options },
    { sdp: (d) => sdps.push(d.sdp), open: () => {}, message: () => {}, closed: () => {}, failed: (kind, message) => assert.fail(`${kind}: ${message}`) },
  );
  mock.timers.tick(0); // the offer is made on a later turn
  for (let i = 0; i < 5; i++) await Promise.resolve(); // createOffer, setLocalDescription
  assert.ok(lastPc?.localDescription, 'the offer is made');
  return { pc: lastPc, sdps, close: () => peer.close() };
}

/** Candidate lines in `sdp`. */
function candidates(sdp: string): number {
  return sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:')).length;
}

describe('when the offer goes', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('once the burst of candidates is over, not a fixed wait after the first', async () => {
    const { pc, sdps, close } = await offering({ iceCompleteTimeoutMs: 50, iceQuietMs: 10 });
    pc.emit('1 1 udp 2113937151 192.0.2.2 40000 typ host');
    mock.timers.tick(1);
    pc.emit('2 1 udp 2113942271 fd00::2 40001 typ host');
    mock.timers.tick(9);
    assert.deepEqual(sdps, [], 'the burst may not be over yet');
    mock.timers.tick(1);
    assert.equal(sdps.length, 1, '10 ms after the last candidate');
    assert.equal(candidates(sdps[0]!), 2);
    mock.timers.tick(100);
    pc.emit(null);
    assert.equal(sdps.length, 1, 'sent once');
    close();
  });

  it('at the latest iceCompleteTimeoutMs after the first candidate, while candidates keep coming', async () => {
    const { pc, sdps, close } = await offering({ iceCompleteTimeoutMs: 50, iceQuietMs: 10 });
    for (let t = 0; t < 49; t += 7) {
      pc.emit(`${t} 1 udp 2113937151 192.0.2.${t} 40000 typ host`);
      mock.timers.tick(7);
    }
    assert.deepEqual(sdps, [], '49 ms after the first, a candidate 7 ms ago');
    mock.timers.tick(1);
    assert.equal(sdps.length, 1);
    assert.equal(candidates(sdps[0]!), 7);
    close();
  });

  it('without a quiet period, iceCompleteTimeoutMs after the first candidate (STUN and TURN answers come later)', async () => {
    const { pc, sdps, close } = await offering({ iceCompleteTimeoutMs: 2000 });
    pc.emit('1 1 udp 2113937151 192.0.2.2 40000 typ host');
    mock.timers.tick(1999);
    assert.deepEqual(sdps, []);
    mock.timers.tick(1);
    assert.equal(sdps.length, 1);
    close();
  });

  it('at once when gathering completes, and never after close()', async () => {
    const first = await offering({ iceCompleteTimeoutMs: 50, iceQuietMs: 10 });
    first.pc.emit('1 1 udp 2113937151 192.0.2.2 40000 typ host');
    first.pc.emit(null);
    assert.equal(first.sdps.length, 1);
    first.close();
    const second = await offering({ iceCompleteTimeoutMs: 50, iceQuietMs: 10 });
    second.pc.emit('1 1 udp 2113937151 192.0.2.2 40000 typ host');
    second.close();
    mock.timers.tick(100);
    assert.deepEqual(second.sdps, []);
  });
});
