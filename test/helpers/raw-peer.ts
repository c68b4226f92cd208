/**
 * A hand-driven device for protocol tests: does the real signaling dance (join, MAC-signed offer,
 * verified answer) and hands back the open PeerLink, so a test can send any frame it likes.
 */
import { io, type Socket } from 'socket.io-client';
import { PeerLink } from '../../protocol/peer-link.js';
import { MAX_HOST_FRAME_BYTES, type Frame } from '../../protocol/frames.js';
import { SignalEvents, type SignalAck } from '../../protocol/signaling.js';
import { signSdp, verifySdp } from '../../protocol/mac.js';
import { newId } from '../../protocol/ids.js';
import { parseSessionUrl } from '../../protocol/session-url.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import type { TetherError } from '../../protocol/errors.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { waitFor } from './wait-for.js';

/** An open data channel to the host, with everything it received. */
export interface RawPeer {
  link: PeerLink;
  frames: Frame[];
  closedWith: () => TetherError | null | undefined;
  close(): void;
}

/** Connects to a session as a raw peer (no hello sent). */
export async function connectRawPeer(url: string): Promise<RawPeer> {
  const { origin, sessionId, key } = parseSessionUrl(url);
  const socket: Socket = io(origin, { transports: ['websocket'] });
  const peerId = newId();
  const ack = (await socket.timeout(5000).emitWithAck(SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId, peerId })) as SignalAck;
  if (!ack.ok) throw new Error(`join failed: ${ack.error.code}`);
  const link = new PeerLink({ initiator: true, wrtc: nodeWebRtc, maxInboundFrame: MAX_HOST_FRAME_BYTES });
  const frames: Frame[] = [];
  let closed: TetherError | null | undefined;
  link.on('frame', (f) => frames.push(f));
  link.on('close', (err) => {
    closed = err;
    socket.disconnect();
  });
  link.on('sdp', (sdp) => {
    socket.emit(SignalEvents.toHost, { sessionId, peerId, payload: { kind: 'offer', sdp: sdp.sdp, mac: signSdp(key, 'offer', sessionId, peerId, sdp.sdp) } });
  });
  socket.on(SignalEvents.fromHost, (msg: { payload: { kind: string; sdp: string; mac: string } }) => {
    if (msg.payload.kind === 'answer' && verifySdp(key, 'answer', sessionId, peerId, msg.payload.sdp, msg.payload.mac)) {
      link.applyRemoteSdp({ type: 'answer', sdp: msg.payload.sdp });
    }
  });
  await waitFor(() => link.open || link.destroyed, 10_000, 'raw peer to open');
  if (!link.open) throw new Error('raw peer did not open');
  return {
    link,
    frames,
    closedWith: () => closed,
    close: () => {
      link.destroy(null);
      socket.disconnect();
    },
  };
}
