/**
 * Join-phase timestamps for diagnosis: wraps a WebRTC implementation's RTCPeerConnection so each
 * connection records when it was created, when ICE gathering completed (with trickle off, the offer
 * waits for this), when ICE connected and when the whole connection (DTLS) was up. Listeners only:
 * nothing about the connection changes.
 */
import type { WebRtcImplementation } from '../protocol/data-channel-peer.js';

/** performance.now() timestamps of one peer connection's milestones. */
export interface PcTimeline {
  created: number;
  gathered?: number;
  iceConnected?: number;
  connected?: number;
}

/** A copy of `wrtc` whose RTCPeerConnection reports each new connection's timeline to `onConnection`. */
export function timedWrtc(wrtc: WebRtcImplementation, onConnection: (timeline: PcTimeline) => void): WebRtcImplementation {
  const Base = wrtc.RTCPeerConnection;
  class TimedPeerConnection extends Base {
    constructor(config?: RTCConfiguration) {
      super(config);
      const timeline: PcTimeline = { created: performance.now() };
      onConnection(timeline);
      this.addEventListener('icegatheringstatechange', () => {
        if (this.iceGatheringState === 'complete') timeline.gathered ??= performance.now();
      });
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected' || this.iceConnectionState === 'completed') timeline.iceConnected ??= performance.now();
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') timeline.connected ??= performance.now();
      });
    }
  }
  return { ...wrtc, RTCPeerConnection: TimedPeerConnection };
}
