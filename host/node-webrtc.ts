/**
 * WebRTC for Node (the host and `tether attach`): libdatachannel through node-datachannel's
 * RTCPeerConnection polyfill, adjusted where it differs from browsers. Chosen over @roamhq/wrtc after
 * measuring both under churn: @roamhq/wrtc segfaults when a device closes while the host is sending (a race
 * in its native RTCDataChannel::Send) and leaks a thread set per closed connection; node-datachannel ran
 * thousands of streaming join/leave cycles with flat threads and memory, and connects in ~10 ms on
 * loopback.
 * Known: when a Node device makes the offer, some connects fail at once: libdatachannel hands the answer to
 * ICE before it stores the answer's fingerprint, and ICE connects at once (the host has been checking the
 * device's candidates since it answered), so the DTLS handshake can find no fingerprint to check and fail;
 * the device then reports "Got a remote candidate without ICE transport" (the failure closed the transports
 * while the answer's candidates were being added). Measured with `npm run churn`: 7 of 60 joins on an idle
 * machine, 192 of 200 with both cores kept busy. The device retries at once, so a join costs a few ms more.
 * A browser offering to the host is not affected. Fixed upstream by libdatachannel PR #1612 (open as of
 * this writing); the two other role choices trade the race for a dropped ClientHello and a 1 s wait.
 */
import ndc from 'node-datachannel';
import * as polyfill from 'node-datachannel/polyfill';
import type { WebRtcImplementation } from '../protocol/data-channel-peer.js';

// libdatachannel's global resources (threads, certificate) live for the whole process: created once, not per connection.
ndc.preload();

/**
 * Connections made and not yet closed by this process, readable without importing this module (which
 * starts libdatachannel's threads) under a global symbol: the test harness's exit guard
 * (test/helpers/exit-guard.ts) tells a connection we forgot to close from libdatachannel's own leftovers.
 */
let openConnections = 0;
(globalThis as Record<symbol, unknown>)[Symbol.for('tether.openPeerConnections')] = (): number => openConnections;

/** The polyfill, adjusted where it differs from a browser's RTCPeerConnection. */
class PeerConnection extends polyfill.RTCPeerConnection {
  constructor(config: RTCConfiguration = {}) {
    // The polyfill passes TURN credentials to libdatachannel inside a URL (turn:user:pass@host), which
    // libdatachannel URL-decodes: encode them, or a coturn REST username ("<expiry>:tether") and a base64
    // credential ("/", "+", "=") are cut at the wrong places.
    super({
      ...config,
      iceServers: config.iceServers?.map((s) => ({
        ...s,
        ...(typeof s.username === 'string' ? { username: encodeURIComponent(s.username) } : {}),
        ...(typeof s.credential === 'string' ? { credential: encodeURIComponent(s.credential) } : {}),
      })),
    });
    this.addEventListener('connectionstatechange', () => {
      if (super.connectionState === 'connected') this.wasConnected = true;
    });
    openConnections++;
  }

  /** True once close() was called here (not by libdatachannel on its own). */
  private closedHere = false;

  /**
   * Closes on the next turn of the event loop: a link closes its data channel and then the connection
   * in one go (data-channel-peer.ts), and the polyfill defers the channel's close to setImmediate. A
   * connection closed before its channel can leave the channel without its native "closed" callback, whose handle then keeps the
   * process alive forever (seen in about 1 in 100 device connections closed by the device).
   */
  override close(): void {
    if (this.closedHere) return;
    this.closedHere = true;
    openConnections--;
    setImmediate(() => super.close());
  }

  /** True once the connection was seen connected. */
  private wasConnected = false;

  /**
   * libdatachannel closes a connection that failed to connect (a DTLS handshake that failed, ICE that gave
   * up) by itself, and its events reach Node after that: a link, which acts on "failed", would hear
   * only "closed" and wait for its connect timeout. A browser connection reaches "closed" only through
   * close(), so a close nobody asked for before the connection was up is reported as what it is: a
   * failure. (Once connected, the other side leaving closes the data channel, which ends the link.)
   */
  override get connectionState(): RTCPeerConnectionState {
    const state = super.connectionState;
    if (state === 'connected') this.wasConnected = true;
    return state === 'closed' && !this.closedHere && !this.wasConnected ? 'failed' : state;
  }

  override get iceConnectionState(): RTCIceConnectionState {
    const state = super.iceConnectionState;
    return state === 'closed' && !this.closedHere && !this.wasConnected ? 'failed' : state;
  }

  // The polyfill's descriptions are read-only objects of its own: hand back plain ones.
  override async createOffer(): Promise<RTCSessionDescriptionInit> {
    const d = await super.createOffer();
    this.offerSet = true;
    return { type: d.type, sdp: d.sdp };
  }

  override async createAnswer(): Promise<RTCSessionDescriptionInit> {
    const d = await super.createAnswer();
    return { type: d.type, sdp: d.sdp };
  }

  /** libdatachannel negotiated the offer itself when the data channel was created. */
  private offerSet = false;

  // Setting the offer libdatachannel already set again races its ICE transport setup ("Got a remote
  // candidate without ICE transport" when the answer arrives): never do it.
  override async setLocalDescription(desc?: RTCSessionDescriptionInit): Promise<void> {
    if (desc?.type === 'offer' && (this.offerSet || this.signalingState === 'have-local-offer')) return;
    return super.setLocalDescription(desc as RTCSessionDescriptionInit);
  }

  /**
   * The answerer takes the DTLS server role (a=setup:passive), so the offerer — which learns the answer
   * last — starts the handshake. Otherwise the answerer's ClientHello can reach an offerer that has no
   * DTLS transport yet, libdatachannel drops it, and the handshake waits a second for the retransmit.
   * This rewrites the local copy only, after the offer's MAC or signature was verified.
   */
  override async setRemoteDescription(desc: RTCSessionDescriptionInit): Promise<void> {
    if (desc.type === 'offer' && typeof desc.sdp === 'string') {
      desc = { type: 'offer', sdp: desc.sdp.replace(/^a=setup:actpass(?=\r?$)/gm, 'a=setup:active') };
    }
    return super.setRemoteDescription(desc);
  }
}

/** The WebRTC implementation the links use in Node (data-channel-peer.ts). */
export const nodeWebRtc: WebRtcImplementation = {
  RTCPeerConnection: PeerConnection as unknown as WebRtcImplementation['RTCPeerConnection'],
};
