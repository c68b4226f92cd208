/**
 * WebRTC for Node (the host and `tether attach`): libdatachannel through node-datachannel's
 * RTCPeerConnection polyfill, shaped for simple-peer. Chosen over @roamhq/wrtc after measuring both under
 * churn: @roamhq/wrtc segfaults when a device closes while the host is sending (a race in its native
 * RTCDataChannel::Send) and leaks a thread set per closed connection; node-datachannel ran thousands of
 * streaming join/leave cycles with flat threads and memory, and connects in ~10 ms on loopback.
 * Known: when a Node device makes the offer, ~1–2 % of connects fail at once (libdatachannel starts ICE,
 * and so DTLS, before it stores the answer's fingerprint); the device retries at once, so it costs a few ms.
 * A browser offering to the host is not affected (the host is the DTLS server and answers first).
 */
import ndc from 'node-datachannel';
import * as polyfill from 'node-datachannel/polyfill';

// libdatachannel's global resources (threads, certificate) live for the whole process: created once, not per connection.
ndc.preload();

/** What simple-peer receives as `wrtc`. */
interface WebRtcImplementation {
  RTCPeerConnection: typeof polyfill.RTCPeerConnection;
  RTCSessionDescription: typeof polyfill.RTCSessionDescription;
  RTCIceCandidate: typeof polyfill.RTCIceCandidate;
}

/** The polyfill, adjusted where simple-peer expects browser behaviour. */
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
    // The polyfill never fires the end-of-candidates event (candidate: null); with trickle off simple-peer
    // would always wait out its ICE timer. Fire it when gathering completes.
    this.addEventListener('icegatheringstatechange', () => {
      // simple-peer's handler reads only `event.candidate`.
      const handler = (): ((event: { candidate: null }) => void) | null => this.onicecandidate as unknown as ((event: { candidate: null }) => void) | null;
      if (this.iceGatheringState === 'complete') setTimeout(() => handler()?.({ candidate: null }), 0);
    });
  }

  // simple-peer assigns `offer.sdp = …`; the polyfill's descriptions are read-only: hand back plain objects.
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

/** The WebRTC implementation handed to simple-peer in Node. */
export const nodeWebRtc: object = {
  RTCPeerConnection: PeerConnection,
  RTCSessionDescription: polyfill.RTCSessionDescription,
  RTCIceCandidate: polyfill.RTCIceCandidate,
} satisfies WebRtcImplementation;
