/**
 * A hand-driven device for protocol tests: does the real signaling handshake (join, knock, the host's
 * nonce, a token-authenticated offer, the verified answer) and hands back the open PeerLink, so a test
 * can send any frame it likes; `sayHello` and `openSession` do the next steps the way a client does.
 */
import * as Y from 'yjs';
import { io, type Socket } from 'socket.io-client';
import { PeerLink } from '../../protocol/peer-link.js';
import { encodeChannelFrame, FrameTag, MAX_HOST_FRAME_BYTES, type Frame } from '../../protocol/frames.js';
import { SignalEvents, type SignalAck, type SignalPayload } from '../../protocol/signaling.js';
import { tokenId, tokenMac, verifyTokenMac } from '../../protocol/auth-digests.js';
import { newId } from '../../protocol/ids.js';
import { parseSessionUrl } from '../../protocol/session-url.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { encodeStep1 } from '../../protocol/sync.js';
import type { TetherError } from '../../protocol/errors.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { waitFor } from './wait-for.js';

/** The hello a well-behaved terminal client sends. */
export const RAW_HELLO = { type: 'hello', v: PROTOCOL_VERSION, side: 'client', deviceName: 'raw', deviceKind: 'terminal' } as const;

/** An open data channel to the host, with everything it received. */
export interface RawPeer {
  link: PeerLink;
  frames: Frame[];
  /** The session id the link named. */
  sessionId: string;
  /** The peer id it joined with (the host knows its connection by it). */
  peerId: string;
  closedWith: () => TetherError | null | undefined;
  /** Sends hello and waits for the host's. */
  sayHello(): Promise<void>;
  /** Opens `sessionId` (default: the link's) on channel `ch`, asks for the whole document and waits for it. */
  openSession(ch?: number, sessionId?: string): Promise<void>;
  close(): void;
}

/** Connects to a session as a raw peer (no hello sent), retrying a connect that fails at once like clients do. */
export async function connectRawPeer(url: string): Promise<RawPeer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(url);
    } catch (err) {
      if (attempt >= 10) throw err;
    }
  }
}

async function connectOnce(url: string): Promise<RawPeer> {
  const { origin, sessionId, token } = parseSessionUrl(url);
  if (!token) throw new Error('raw peers need a link with a token');
  const socket: Socket = io(origin, { transports: ['websocket'] });
  const peerId = newId();
  const ack = (await socket.timeout(5000).emitWithAck(SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId, peerId })) as SignalAck;
  if (!ack.ok) throw new Error(`join failed: ${ack.error.code}`);
  const link = new PeerLink({ initiator: true, wrtc: nodeWebRtc, maxInboundFrame: MAX_HOST_FRAME_BYTES });
  const frames: Frame[] = [];
  let closed: TetherError | null | undefined;
  let nonce: string | null = null;
  let sdp: string | null = null;
  const offer = (): void => {
    if (!nonce || !sdp) return;
    const mac = tokenMac(token, { kind: 'offer', sessionId, peerId, nonce, body: sdp });
    socket.emit(SignalEvents.toHost, { sessionId, peerId, payload: { kind: 'offer', sdp, nonce, auth: { method: 'token', tokenId: tokenId(token), mac } } });
  };
  link.on('frame', (f) => frames.push(f));
  link.on('close', (err) => {
    closed = err;
    socket.disconnect();
  });
  link.on('sdp', (local) => {
    sdp = local.sdp;
    offer();
  });
  socket.on(SignalEvents.fromHost, (msg: { payload: SignalPayload }) => {
    const p = msg.payload;
    if (p.kind === 'challenge') {
      nonce = p.nonce;
      offer();
    } else if (p.kind === 'answer' && nonce && verifyTokenMac(token, { kind: 'answer', sessionId, peerId, nonce, body: p.sdp }, p.mac)) {
      link.applyRemoteSdp({ type: 'answer', sdp: p.sdp });
    }
  });
  socket.emit(SignalEvents.toHost, { sessionId, peerId, payload: { kind: 'knock' } });
  await waitFor(() => link.open || link.destroyed, 10_000, 'raw peer to open');
  if (!link.open) {
    // Close the failed attempt's peer connection too: an open native one would outlive the test.
    link.destroy(null);
    socket.disconnect();
    throw new Error('raw peer did not open');
  }
  return {
    link,
    frames,
    sessionId,
    peerId,
    closedWith: () => closed,
    async sayHello() {
      link.sendJson(FrameTag.hello, RAW_HELLO);
      await waitFor(() => frames.some((f) => f.tag === FrameTag.hello), 5000, 'host hello');
    },
    async openSession(ch = 0, id = sessionId) {
      const syncs = (): number => frames.filter((f) => f.tag === FrameTag.sync).length;
      const before = syncs();
      link.sendJson(FrameTag.open, { ch, sessionId: id });
      await waitFor(() => frames.some((f) => f.tag === FrameTag.opened), 5000, 'channel opened');
      link.sendFrame(encodeChannelFrame(FrameTag.sync, ch, encodeStep1(new Y.Doc())));
      await waitFor(() => syncs() > before, 5000, 'raw peer synced');
    },
    close: () => {
      link.destroy(null);
      socket.disconnect();
    },
  };
}
