/**
 * The signaling handshake of one attempt to connect to a host: join the link's session on the signal
 * server, knock, take the host's fresh nonce (its challenge), send an offer authenticated with the link's
 * pairing token or this device's credential, and take only an answer the host authenticated the same way.
 * The connection (host-connection.ts) starts one per attempt, hands it what the host sends, and owns the
 * rest: the link once answered, hello, liveness and retries. Only what the host MACs or signs is final;
 * anything from the signal server alone is advice.
 */
import type { Socket } from 'socket.io-client';
import type { PeerLink } from '../../protocol/peer-link.js';
import { SignalEvents, type OfferAuth, type SignalAck, type SignalPayload } from '../../protocol/signaling.js';
import type { AuthContext } from '../../protocol/auth.js';
import { tokenId, tokenMac, verifyTokenMac } from '../../protocol/auth-digests.js';
import { verifyAuthSignature } from '../../protocol/auth-signature.js';
import { newId } from '../../protocol/ids.js';
import { isErrorCode, TetherError } from '../../protocol/errors.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import type { StoredCredential } from './credential-store.js';
import { mergeIceServers, parseIceServers, type IceServer } from '../../protocol/ice-servers.js';
import { stallAwareTimeout } from '../../protocol/stall-aware-timeout.js';
import { milestone } from './milestone.js';
import type { HostConnectionOptions } from './host-connection.js';

/**
 * The signal server answers a join within milliseconds: a join unanswered this long means the signaling
 * socket is dead (a network cut leaves TCP waiting on its own growing backoff), so a fresh one is opened.
 */
const SIGNAL_TIMEOUT_MS = 2_000;
/** A live host answers a knock at once; silence this long means it is stopped (or its link is down). */
const CHALLENGE_TIMEOUT_MS = 2_500;
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** What an attempt reads of the connection's options. */
export type HandshakeOptions = Pick<HostConnectionOptions, 'origin' | 'entrySessionId' | 'token' | 'credentials' | 'iceServers'>;

/** What an attempt asks of the connection it runs for; it reports its outcome here, once. */
export interface HandshakeHooks {
  /** Whether this is still the connection's attempt under way (a network change or close abandons it). */
  isCurrent(): boolean;
  /** Attempts that failed in a row before this one. */
  attemptsFailed(): number;
  /** The offering link, gathering with `iceServers`; `onSdp` hears its offer, `onClose` its end until it is adopted. */
  makeLink(iceServers: IceServer[], onSdp: (sdp: string) => void, onClose: (err: TetherError | null) => void): PeerLink;
  /**
   * The attempt failed (told only while it is current). `slow`: retry slowly; `advisory`: the error came
   * unauthenticated, so it is not believed.
   */
  failed(err: TetherError, slow: boolean, advisory: boolean): void;
  /** The host's answer checked out: `peer` is the connection now, authenticated with `credential` (null: the token). */
  answered(peer: PeerLink, credential: StoredCredential | null): void;
  /** The host no longer knows this device's credential (already forgotten): what it kept for the host must go. */
  revoked(err: TetherError): void;
}

/** One attempt's signaling exchange with the host, through the signal server. */
export class SignalingAttempt {
  /** This attempt's peer id: the signal server routes the host's messages to it by this. */
  readonly peerId = newId();
  /** Hears what the host sends this attempt; set once the signal server has taken the join. */
  private onPayload = (_p: SignalPayload): void => {};

  constructor(
    private readonly socket: Socket,
    private readonly options: HandshakeOptions,
    private readonly hooks: HandshakeHooks,
  ) {}

  /** A message from the host to this attempt (the signal server relays it by peer id). */
  receive(payload: SignalPayload): void {
    this.onPayload(payload);
  }

  /** Joins the link's session on the connected signaling socket, then knocks. */
  start(): void {
    const { socket, peerId } = this;
    const { entrySessionId: sessionId } = this.options;
    const give = (err: TetherError, opts: { slow?: boolean; advisory?: boolean } = {}): void => {
      if (!this.hooks.isCurrent()) return;
      this.hooks.failed(err, opts.slow === true, opts.advisory === true);
    };
    const timer = setTimeout(() => give(new TetherError('CONNECT_TIMEOUT', 'the host did not answer in time')), HANDSHAKE_TIMEOUT_MS);
    socket
      .timeout(SIGNAL_TIMEOUT_MS)
      .emitWithAck(SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId, peerId })
      .then(
        (ack: SignalAck) => {
          if (!this.hooks.isCurrent()) return;
          milestone('signal-joined');
          if (!ack.ok) {
            clearTimeout(timer);
            const err = toError(ack.error);
            // The signal server is not trusted: "no such session" may be a host that is down or restarting.
            if (err.code === 'SESSION_UNKNOWN') return give(new TetherError('HOST_UNREACHABLE', `${ERR_HOST_DOWN} (${err.message})`));
            return give(err, { slow: err.code === 'RATE_LIMITED' });
          }
          void this.handshake(timer, give, parseIceServers(ack.iceServers));
        },
        () => {
          clearTimeout(timer);
          if (!this.hooks.isCurrent()) return;
          // The socket may be dead without knowing it (a cut link): start a fresh one.
          socket.disconnect().connect();
          give(new TetherError('SIGNAL_UNREACHABLE', 'the signal server did not answer'));
        },
      );
  }

  private async handshake(
    timer: ReturnType<typeof setTimeout>,
    give: (err: TetherError, opts?: { slow?: boolean; advisory?: boolean }) => void,
    signalIce: IceServer[],
  ): Promise<void> {
    const { socket, peerId } = this;
    const { entrySessionId: sessionId, origin, token } = this.options;
    // Made once the host's challenge brings its STUN/TURN servers: this side makes the offer.
    let peer: PeerLink | null = null;
    let challenge: { nonce: string; hostKeyId: string } | null = null;
    let offerSdp: string | null = null;
    let auth: { offer: OfferAuth; credential: StoredCredential | null } | null = null;
    let failed = false;
    const fail = (err: TetherError, slow = false, advisory = false): void => {
      // The first reason wins: destroying the link below reports a close that is only a consequence.
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      stopKnockWait();
      give(err, { slow, advisory });
      peer?.destroy(null);
    };
    // Each failed attempt in a row waits longer for the challenge: a host busy with many devices at
    // once (a storm of reconnects) is given time rather than more attempts.
    const knockWait = CHALLENGE_TIMEOUT_MS * Math.min(4, 1 + this.hooks.attemptsFailed());
    // Time this process was not running (a loaded machine, a suspended laptop) does not count: the host's
    // answer may be queued behind the timer.
    const stopKnockWait = stallAwareTimeout(knockWait, () => fail(new TetherError('CONNECT_TIMEOUT', 'the host did not answer (it may be stopped or unreachable)')));
    const sendOffer = async (): Promise<void> => {
      if (!challenge || offerSdp === null || auth) return;
      const ctx: AuthContext = { kind: 'offer', sessionId, peerId, nonce: challenge.nonce, body: offerSdp };
      const credential = (await this.options.credentials?.credentials(origin))?.find((c) => c.hostKeyId === challenge!.hostKeyId) ?? null;
      const signer = credential ? await this.options.credentials!.signer() : null;
      if (credential && signer) {
        auth = { credential, offer: { method: 'device', credentialId: credential.credentialId, sig: await signer.sign(ctx) } };
      } else if (token) {
        auth = { credential: null, offer: { method: 'token', tokenId: tokenId(token), mac: tokenMac(token, ctx) } };
      } else {
        return fail(new TetherError('KEY_MISSING'));
      }
      if (!this.hooks.isCurrent()) return;
      milestone('offer-sent');
      socket.emit(SignalEvents.toHost, { sessionId, peerId, payload: { kind: 'offer', sdp: offerSdp, nonce: challenge.nonce, auth: auth.offer } });
    };
    /** Checks a MAC or signature from the host against what this attempt authenticated with. */
    const fromHost = (kind: AuthContext['kind'], body: string, mac?: string, sig?: string): boolean => {
      if (!challenge || !auth) return false;
      const ctx: AuthContext = { kind, sessionId, peerId, nonce: challenge.nonce, body };
      return auth.credential ? verifyAuthSignature(auth.credential.hostKey, ctx, sig) : token !== null && verifyTokenMac(token, ctx, mac);
    };
    this.onPayload = (payload) => {
      if (payload.kind === 'challenge') {
        if (challenge) return;
        milestone('challenge');
        stopKnockWait();
        challenge = { nonce: payload.nonce, hostKeyId: payload.hostKeyId };
        peer = this.hooks.makeLink(mergeIceServers(this.options.iceServers, payload.iceServers, signalIce), (sdp) => {
          milestone('offer-gathered');
          offerSdp = sdp;
          void sendOffer().catch((err: unknown) => fail(new TetherError('KEY_REJECTED', `could not sign the offer: ${String(err)}`)));
        }, (err) => fail(err ?? new TetherError('PEER_CLOSED')));
      } else if (payload.kind === 'answer') {
        if (!peer) return;
        if (!fromHost('answer', payload.sdp, payload.mac, payload.sig)) {
          return fail(new TetherError('MAC_INVALID', 'the answer from the host failed authentication: the signal server may be tampering with the connection'), true);
        }
        milestone('answer');
        clearTimeout(timer);
        this.hooks.answered(peer, auth!.credential);
        peer.applyRemoteSdp({ type: 'answer', sdp: payload.sdp });
      } else if (payload.kind === 'reject') {
        const err = new TetherError(payload.code, payload.message);
        if (!fromHost('reject', payload.code, payload.mac, payload.sig)) {
          // Anyone could have sent this: show it, but keep trying (slowly), whatever it claims.
          return fail(err, true, true);
        }
        if (auth?.credential && (err.code === 'DEVICE_UNKNOWN' || err.code === 'DEVICE_REVOKED')) {
          void this.options.credentials?.forget(origin, auth.credential.hostKeyId);
          this.hooks.revoked(err);
          // A link with a token can pair this device again, if the token is still good.
          if (token && err.code === 'DEVICE_UNKNOWN') return fail(new TetherError('HANDSHAKE_STALE', 'pairing again with the link'));
        }
        fail(err, err.code === 'KEY_REJECTED' || err.code === 'MAC_INVALID');
      }
    };
    socket.emit(SignalEvents.toHost, { sessionId, peerId, payload: { kind: 'knock' } });
  }
}

const ERR_HOST_DOWN = 'the signal server does not know this session: the host may be stopped or restarting';

function toError(error: { code: string; message: string }): TetherError {
  return new TetherError(isErrorCode(error.code) ? error.code : 'BAD_ENVELOPE', error.message);
}
