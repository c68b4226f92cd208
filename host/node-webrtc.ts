/**
 * WebRTC for Node: @roamhq/wrtc (the maintained fork of wrtc, with its binary inside npm packages).
 * A closed RTCPeerConnection keeps its native sockets and event loops (~3–4 file descriptors) until V8
 * collects the JS object, and a quiet process may not collect for a long time: a host that sees many
 * reconnects (a storm of devices, a flaky network) ran out of descriptors. So after enough closes a
 * full collection is requested (at most every few seconds; the flag is set at run time).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import wrtc from '@roamhq/wrtc';

/** Collect once this many peer connections closed since the last collection... */
const CLOSES_PER_COLLECTION = 32;
/** ...but not more often than this. */
const MIN_COLLECTION_INTERVAL_MS = 5_000;

function exposeGc(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch (err) {
    // Not available in this runtime: descriptors are released whenever V8 collects by itself.
    void err;
    return null;
  }
}

const gc = exposeGc();
let closed = 0;
let lastCollection = 0;
let pending: ReturnType<typeof setTimeout> | null = null;

/** Counts a closed peer connection and collects when enough piled up. */
function noteClosed(): void {
  if (!gc || ++closed < CLOSES_PER_COLLECTION || pending) return;
  pending = setTimeout(() => {
    pending = null;
    closed = 0;
    lastCollection = Date.now();
    gc();
  }, Math.max(0, lastCollection + MIN_COLLECTION_INTERVAL_MS - Date.now()));
  pending.unref();
}

type PeerConnectionClass = new (config?: RTCConfiguration) => RTCPeerConnection;
const Base = (wrtc as unknown as { RTCPeerConnection: PeerConnectionClass }).RTCPeerConnection;

/** wrtc's RTCPeerConnection, counting closes. */
class CollectedPeerConnection extends Base {
  private counted = false;
  override close(): void {
    super.close();
    if (this.counted) return;
    this.counted = true;
    noteClosed();
  }
}

/** The wrtc implementation handed to simple-peer in Node. */
export const nodeWebRtc: object = { ...(wrtc as unknown as object), RTCPeerConnection: CollectedPeerConnection };
