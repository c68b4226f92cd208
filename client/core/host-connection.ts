/**
 * A device's one connection to a host, shared by every session it opens there (the session list and each
 * session are channels on it). Each attempt runs the signaling handshake (signaling-handshake.ts: knock,
 * the host's fresh nonce, an authenticated offer and answer); this file takes the answered link on to
 * hello (pairing: the device's public key in, the host's key pinned), liveness (the host pings; silence
 * means the host is unreachable) and reconnects. Only what the host says over the authenticated channel,
 * or signs, is final; anything from the signal server alone is advice.
 */
import { EventEmitter } from 'events';
import { io, type Socket } from 'socket.io-client';
import { PeerLink } from '../../protocol/peer-link.js';
import { decodeChannelPayload, encodeChannelFrame, encodeJsonChannelFrame, FrameTag, MAX_CHANNELS, MAX_HOST_FRAME_BYTES, type Frame } from '../../protocol/frames.js';
import { ChannelEndSchema, ChannelOpenedSchema, decodeJson, encodeJson, ErrorFrameSchema, HelloVersionSchema, HostHelloSchema, NoticeSchema, type Applied, type ClientHello, type HostHello, type Notice } from '../../protocol/messages.js';
import { SignalEvents, HostEnvelopeSchema, SessionBackSchema } from '../../protocol/signaling.js';
import { keyId } from '../../protocol/auth-digests.js';
import { TetherError, type ErrorCode } from '../../protocol/errors.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import type { Role } from '../../protocol/roles.js';
import type { CredentialStore, StoredCredential } from './credential-store.js';
import { mergeIceServers, type IceServer } from '../../protocol/ice-servers.js';
import { milestone } from './milestone.js';
import { SignalingAttempt } from './signaling-handshake.js';
import type { WebRtcImplementation } from '../../protocol/data-channel-peer.js';

/** Connection states a UI shows. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'failed' | 'closed';

/** Errors after which retrying cannot help: the user must act. */
const FATAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'KEY_MISSING',
  'LINK_EXPIRED',
  'DEVICE_REVOKED',
  'DEVICE_DENIED',
  'DEVICE_UNKNOWN',
  'DEVICES_FULL',
  'CLIENT_TOO_OLD',
  'HOST_TOO_OLD',
  'SERVER_TOO_OLD',
  'BAD_FLAG',
  // The host refused this device's name: the same name would be refused again.
  'NAME_INVALID',
]);
/** Codes an unauthenticated message may carry without being believed: retried slowly instead. */
const SLOW_RETRY_MS = 5_000;
/**
 * A signaling connection attempt that has not opened in this long is started afresh: after a cut, a
 * new attempt's first SYN goes out at once instead of waiting out the kernel's doubling retransmits.
 * Each attempt in a row that fails waits twice as long, up to `signalConnectTimeoutMaxMs`.
 */
const SIGNAL_CONNECT_TIMEOUT_MS = 1_500;
const HELLO_TIMEOUT_MS = 5_000;
/**
 * Once the host's answer is in, the channel must open within this: a connection that fails without
 * saying so on this side (seen with libdatachannel under churn: the host saw it fail, the device never
 * heard) would otherwise leave the device connecting for good.
 */
const OPEN_TIMEOUT_MS = 10_000;
/** A device tells the host how much sync it applied each time this much more was (well under its 2 MiB lag). */
const APPLIED_REPORT_BYTES = 128 * 1024;
/** No frame from the host for this long: probe it... */
const HOST_QUIET_MS = 2_000;
/** ...and declare it unreachable after this long (the host pings every second). */
const HOST_SILENCE_MS = 2_500;
const LIVENESS_CHECK_MS = 250;
/**
 * Retries are capped at one second: after the network returns a device is live again within about a
 * second however long the outage was (the host's return is also announced: SignalEvents.sessionBack).
 */
const DEFAULT_BACKOFF_MAX_MS = 1_000;
/** A signaling socket connected this recently is trusted when the network changes. */
const FRESH_SOCKET_MS = 2_000;

/** Options of a host connection. */
export interface HostConnectionOptions {
  /** Signal server origin (and path prefix). */
  origin: string;
  /** The session id the link named: the signal server routes by it. */
  entrySessionId: string;
  /** The link's pairing token, if it had one. */
  token: string | null;
  /** Where this device keeps its key and credentials; null never pairs. */
  credentials: CredentialStore | null;
  deviceName: string;
  deviceKind: 'browser' | 'terminal';
  /** The Node WebRTC implementation (host/node-webrtc.ts); omitted in browsers. */
  wrtc?: WebRtcImplementation;
  /** STUN/TURN servers of this device, used with those the signal server and the host hand out. */
  iceServers?: IceServer[];
  /** 'relay' sends everything through TURN (tests; hiding this device's addresses). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * Ask the host for deflated frames (protocol/frame-compression.ts): the browser does, its data channel
   * being the narrowest part of the path; `tether attach` does not (on loopback or a LAN its channel is
   * wide and both ends' CPU is what limits it).
   */
  deflate?: boolean;
  /** Reconnect backoff: first delay and cap. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /**
   * The longest a signaling connection attempt may take before it is started afresh (default 1.5 s, no
   * growth). Browsers need more: Chromium holds back a page's new WebSockets by 1–5 s once many have
   * failed, and an attempt given up before then is one more failure (see client/web/main.ts).
   */
  signalConnectTimeoutMaxMs?: number;
}

/** Receives the session frames of one channel. */
export interface ChannelHandler {
  /**
   * The channel is (again) subscribed on a live connection, with this device's role and the host's state
   * vector of the document (base64url; absent from older hosts).
   */
  onOpened(role: Role, stateVector: string | undefined): void;
  /**
   * The channel's open is being sent ahead of the host's hello (the data channel just opened): a sync
   * request to send right behind it, or null to wait for onOpened as usual.
   */
  syncAhead?(): Uint8Array | null;
  onFrame(tag: number, body: Uint8Array): void;
  /** The host ended the subscription for good. */
  onEnd(err: TetherError): void;
}

interface HostConnectionEvents {
  state: [ConnectionState, TetherError | null];
  /** The host's hello on each (re)connect. */
  hello: [HostHello];
  notice: [Notice];
  /**
   * The host removed this device (revoked, or denied while it waited): its credential is forgotten;
   * whatever the device kept for this host (replicas, queued prompts) must be wiped.
   */
  revoked: [TetherError];
}

/** One live connection (and its retries) to a host. */
export class HostConnection extends EventEmitter<HostConnectionEvents> {
  state: ConnectionState = 'connecting';
  /** The error behind the current state (fatal when state is 'failed'). */
  error: TetherError | null = null;
  /** This attempt's peer id (changes on every reconnect). */
  peerId: string | null = null;
  /** The host's hello on the current connection. */
  hostHello: HostHello | null = null;
  /** Bytes received from the host over the data channel, all connections together (tag and payload). */
  bytesIn = 0;

  private socket: Socket | null = null;
  private peer: PeerLink | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private helloTimer: ReturnType<typeof setTimeout> | null = null;
  private livenessTimer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private lastCheck = 0;
  private everLive = false;
  private socketConnectedAt = 0;
  /** Signaling connection attempts that failed in a row (each next one is given longer). */
  private socketFailures = 0;
  private starting = false;
  private readonly channels = new Map<number, { sessionId: string; handler: ChannelHandler }>();
  /** The signaling exchange of the attempt under way. */
  private pending: SignalingAttempt | null = null;
  /**
   * A link made ahead, while the signaling socket opens and the host is asked for its challenge: gathering
   * ICE candidates is the slowest step of an offer. Used if the challenge brings the STUN/TURN servers it
   * gathered with (`servers`), else dropped. Its offer is MAC'd with the challenge's nonce like any other.
   */
  private ahead: { link: PeerLink; servers: string; sdp: string | null } | null = null;
  /**
   * The channels subscribed on the current link, with the bytes of sync applied on each since (told to
   * the host in `applied` frames, so it can send a device that falls behind the newest state instead).
   */
  private readonly opensSent = new Map<number, { applied: number; reported: number }>();
  /** The STUN/TURN servers of the last challenge: the next link ahead gathers with them. */
  private lastIce: IceServer[] | null = null;

  constructor(private readonly options: HostConnectionOptions) {
    super();
    // Every session open on this connection listens to it (state, notice, revoked): up to MAX_CHANNELS
    // listeners per event is the design, not a leak.
    this.setMaxListeners(MAX_CHANNELS + 8);
  }

  /** The signal server's origin this connection goes through (replicas and credentials are kept per origin). */
  get origin(): string {
    return this.options.origin;
  }

  /** Starts connecting (idempotent). A link without a token, on a device with no credential, fails at once. */
  start(): void {
    if (this.socket || this.starting || this.state === 'closed' || this.state === 'failed') return;
    if (this.options.token === null) {
      this.starting = true;
      void this.hasCredential().then((has) => {
        this.starting = false;
        if (this.state === 'closed') return;
        if (has) this.open();
        else this.attemptFailed(new TetherError('KEY_MISSING'), false);
      });
      return;
    }
    this.open();
  }

  private open(): void {
    milestone('signal-connecting');
    // The device key signs the offer or goes in the hello: made or read now, not at that moment.
    void this.options.credentials?.signer().catch(() => null);
    const url = new URL(this.options.origin);
    this.socket = io(url.origin, {
      path: `${url.pathname.replace(/\/+$/, '')}/socket.io`,
      transports: ['websocket'],
      reconnectionDelay: this.options.backoffInitialMs ?? 250,
      reconnectionDelayMax: Math.min(this.options.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS, DEFAULT_BACKOFF_MAX_MS),
      timeout: SIGNAL_CONNECT_TIMEOUT_MS,
    });
    this.socket.on(SignalEvents.fromHost, (msg: unknown) => this.onFromHost(msg));
    this.socket.on(SignalEvents.sessionBack, (msg: unknown) => {
      // The host registered again (it restarted, or came back from a stop): try now instead of at the
      // next retry — on this socket, which has just shown that it works.
      const back = SessionBackSchema.safeParse(msg);
      if (back.success && back.data.sessionId === this.options.entrySessionId) this.retryOnThisSocket();
    });
    this.socket.on('connect', () => {
      milestone('signal-open');
      this.socketConnectedAt = Date.now();
      this.socketFailures = 0;
      this.socket?.io.timeout(SIGNAL_CONNECT_TIMEOUT_MS);
      if (!this.peer && !this.pending && this.state !== 'live' && this.state !== 'failed' && this.state !== 'closed') this.retryNow();
    });
    this.socket.on('connect_error', () => {
      this.socketFailures++;
      const cap = Math.max(SIGNAL_CONNECT_TIMEOUT_MS, this.options.signalConnectTimeoutMaxMs ?? SIGNAL_CONNECT_TIMEOUT_MS);
      this.socket?.io.timeout(Math.min(cap, SIGNAL_CONNECT_TIMEOUT_MS * 2 ** this.socketFailures));
      if (this.state !== 'live' && this.state !== 'failed' && this.state !== 'closed') {
        this.setState(this.state, new TetherError('SIGNAL_UNREACHABLE'));
      }
    });
    this.livenessTimer = setInterval(() => this.checkLiveness(), LIVENESS_CHECK_MS);
    this.connect();
  }

  /** Subscribes a channel to `sessionId`; its handler hears its frames. Returns the channel number. */
  openChannel(sessionId: string, handler: ChannelHandler): number {
    let ch = 0;
    while (this.channels.has(ch)) ch++;
    if (ch >= MAX_CHANNELS) throw new TetherError('CHANNEL_UNKNOWN', 'too many sessions open on one connection');
    this.channels.set(ch, { sessionId, handler });
    if (this.state === 'live' && this.peer) this.sendOpen(this.peer, ch, false);
    return ch;
  }

  /** Unsubscribes a channel. */
  closeChannel(ch: number): void {
    if (!this.channels.delete(ch)) return;
    this.opensSent.delete(ch);
    if (this.state === 'live') this.sendChannel(FrameTag.end, ch, encodeJson({ code: 'PEER_CLOSED', message: 'closed by the device' }));
  }

  /** Sends a session frame on a channel (dropped when not live; the channel re-syncs on reconnect). */
  sendChannel(tag: number, ch: number, body: Uint8Array): boolean {
    if (this.state !== 'live' || !this.peer) return false;
    this.peer.sendFrame(encodeChannelFrame(tag, ch, body));
    return true;
  }

  /** Sends a session frame whose body is `value` as JSON, as sendChannel does. */
  sendChannelJson(tag: number, ch: number, value: unknown): boolean {
    if (this.state !== 'live' || !this.peer) return false;
    this.peer.sendFrame(encodeJsonChannelFrame(tag, ch, value));
    return true;
  }

  /** Try again now if not live (the network came back, the page became visible); probe if live. */
  nudge(): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    if (this.state === 'live') {
      this.peer?.send(FrameTag.ping, new Uint8Array(0));
      return;
    }
    this.attempt = 0;
    if (this.peer) return; // an adopted connection is opening: let it
    // A socket that connected moments ago is fresh, and an attempt on it is under way: let it be.
    if (this.socket?.connected && Date.now() - this.socketConnectedAt < FRESH_SOCKET_MS) {
      if (!this.pending) this.retryNow();
      return;
    }
    // The network changed: an attempt under way may be waiting on a dead socket. Abandon it (its own
    // timers clean it up) and start afresh on a fresh signaling socket — also when the socket is still
    // connecting: its first SYN may have gone out while the link was down, and socket.io would wait for
    // the kernel to resend it (1 s) or for its own connect timeout (1.5 s) instead of trying again now.
    this.pending = null;
    // Candidates gathered before the change may name addresses this device no longer has.
    this.dropLinkAhead();
    this.socket?.disconnect();
    this.socket?.connect();
    this.retryNow();
  }

  /** The host is back, as this socket was just told: an attempt at once, without a new socket. */
  private retryOnThisSocket(): void {
    if (this.state === 'live' || this.state === 'failed' || this.state === 'closed') return;
    this.attempt = 0;
    // An attempt under way is a retry whose join raced the host's return: it is let be (failing, it is
    // retried at once, the count of attempts being back at zero).
    if (this.peer || this.pending) return;
    this.retryNow();
  }

  /**
   * Drops the current data channel as a network fault would; the client reconnects and resumes
   * by state vector. (A "reconnect now" for UIs, and how tests cut a connection.)
   */
  dropConnection(): void {
    this.peer?.destroy(new TetherError('PEER_CLOSED', 'connection dropped'));
  }

  /** Disconnects for good, telling the host this device is leaving. */
  close(): void {
    if (this.state === 'closed') return;
    this.clearTimers();
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = null;
    this.setState('closed', null);
    const peer = this.peer;
    this.peer = null;
    this.pending = null;
    this.dropLinkAhead();
    if (peer?.open) {
      peer.send(FrameTag.bye, new Uint8Array(0));
      // The bye leaves before the channel closes.
      peer.end(null);
    } else peer?.destroy(null);
    this.socket?.disconnect();
  }

  private setState(state: ConnectionState, error: TetherError | null): void {
    this.state = state;
    this.error = error;
    this.emit('state', state, error);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.retryTimer = null;
    this.helloTimer = null;
  }

  private retryNow(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  /** Judges the host by how long it has been silent; a late check (we were asleep or busy) probes first. */
  private checkLiveness(): void {
    const now = Date.now();
    const late = this.lastCheck !== 0 && now - this.lastCheck > LIVENESS_CHECK_MS * 3;
    this.lastCheck = now;
    if (this.state !== 'live' || !this.peer) return;
    if (late) {
      // Our own timers stalled: the silence may be ours. Probe and judge on the next checks.
      this.lastHeard = Math.max(this.lastHeard, now - HOST_QUIET_MS);
      this.peer.send(FrameTag.ping, new Uint8Array(0));
      return;
    }
    const silent = now - this.lastHeard;
    if (silent > HOST_SILENCE_MS) this.peer.destroy(new TetherError('HOST_UNREACHABLE'));
    else if (silent > HOST_QUIET_MS) this.peer.send(FrameTag.ping, new Uint8Array(0));
  }

  /** One connection attempt: join, knock, offer, await the authenticated answer, hello. */
  private connect(): void {
    const socket = this.socket;
    if (!socket || this.state === 'closed' || this.state === 'failed' || this.pending || this.peer) return;
    this.makeLinkAhead();
    if (!socket.connected) return; // 'connect' will call us again
    this.startAttempt(socket);
  }

  /** Starts gathering for the next attempt's offer now, with the servers the last challenge named. */
  private makeLinkAhead(): void {
    if (this.ahead) return;
    const servers = this.lastIce ?? mergeIceServers(this.options.iceServers);
    const ahead: { link: PeerLink; servers: string; sdp: string | null } = { link: this.newLink(servers), servers: JSON.stringify(servers), sdp: null };
    ahead.link.on('sdp', (sdp) => (ahead.sdp = sdp.sdp));
    ahead.link.on('close', () => {
      if (this.ahead === ahead) this.ahead = null;
    });
    this.ahead = ahead;
  }

  private dropLinkAhead(): void {
    const ahead = this.ahead;
    this.ahead = null;
    ahead?.link.destroy(null);
  }

  private async hasCredential(): Promise<boolean> {
    const list = await this.options.credentials?.credentials(this.options.origin).catch(() => []);
    return (list?.length ?? 0) > 0;
  }

  /** Starts this attempt's signaling handshake (signaling-handshake.ts) on the connected socket. */
  private startAttempt(socket: Socket): void {
    const attempt: SignalingAttempt = new SignalingAttempt(socket, this.options, {
      isCurrent: () => this.pending === attempt,
      attemptsFailed: () => this.attempt,
      makeLink: (iceServers, onSdp, onClose) => this.makeLink(iceServers, onSdp, onClose),
      failed: (err, slow, advisory) => {
        this.pending = null;
        this.attemptFailed(err, slow, advisory);
      },
      answered: (peer, credential) => {
        this.pending = null;
        this.adopt(peer, credential);
      },
      revoked: (err) => this.emit('revoked', err),
    });
    this.peerId = attempt.peerId;
    this.pending = attempt;
    attempt.start();
  }

  /**
   * The offering link of this attempt — the one made ahead if it gathers with these servers, else a new
   * one; `onSdp` hears its offer, `onClose` its end until it is adopted.
   */
  private makeLink(iceServers: IceServer[], onSdp: (sdp: string) => void, onClose: (err: TetherError | null) => void): PeerLink {
    this.lastIce = iceServers;
    const ahead = this.ahead;
    this.ahead = null;
    let peer: PeerLink;
    if (ahead && !ahead.link.destroyed && ahead.servers === JSON.stringify(iceServers)) {
      peer = ahead.link;
      peer.removeAllListeners('sdp');
      peer.removeAllListeners('close');
      if (ahead.sdp !== null) {
        const sdp = ahead.sdp;
        queueMicrotask(() => onSdp(sdp));
      } else peer.on('sdp', (sdp) => onSdp(sdp.sdp));
    } else {
      ahead?.link.destroy(null);
      peer = this.newLink(iceServers);
      peer.on('sdp', (sdp) => onSdp(sdp.sdp));
    }
    peer.on('close', (err) => {
      if (this.peer !== peer) onClose(err); // once adopted, its close is handled there
    });
    return peer;
  }

  private newLink(iceServers: IceServer[]): PeerLink {
    return new PeerLink({
      initiator: true,
      wrtc: this.options.wrtc,
      iceServers,
      iceTransportPolicy: this.options.iceTransportPolicy,
      maxInboundFrame: MAX_HOST_FRAME_BYTES,
      acceptDeflated: this.options.deflate === true,
    });
  }

  /** The answer checked out: this link is the connection now. */
  private adopt(peer: PeerLink, credential: StoredCredential | null): void {
    this.peer = peer;
    this.opensSent.clear();
    peer.removeAllListeners('close');
    const openTimer = setTimeout(() => peer.fail(new TetherError('CONNECT_TIMEOUT', 'the connection to the host did not open')), OPEN_TIMEOUT_MS);
    peer.once('close', () => clearTimeout(openTimer));
    peer.on('open', () => {
      clearTimeout(openTimer);
      milestone('channel-open');
      void this.sendHello(peer, credential).then(() => {
        // The host reads frames in order and answers the hello first: the channels' opens (and a fresh
        // replica's sync request) go right behind it instead of a round trip later. The link is already
        // the authenticated host's (its answer was MAC'd or signed), and they say nothing it does not know.
        if (this.peer === peer && !peer.destroyed) for (const ch of this.channels.keys()) this.sendOpen(peer, ch, true);
      });
      this.helloTimer = setTimeout(() => peer.fail(new TetherError('HELLO_TIMEOUT')), HELLO_TIMEOUT_MS);
    });
    let helloSeen = false;
    peer.on('frame', (frame) => {
      this.lastHeard = Date.now();
      this.bytesIn += frame.payload.length + 1;
      try {
        helloSeen = this.onFrame(peer, frame, helloSeen, credential);
      } catch (err) {
        peer.fail(err instanceof TetherError ? err : new TetherError('FRAME_MALFORMED', String(err)));
      }
    });
    peer.on('close', (err) => {
      if (this.peer !== peer) return;
      this.peer = null;
      if (this.helloTimer) clearTimeout(this.helloTimer);
      this.attemptFailed(this.error && FATAL_CODES.has(this.error.code) ? this.error : (err ?? new TetherError('PEER_CLOSED')), false);
    });
  }

  private async sendHello(peer: PeerLink, credential: StoredCredential | null): Promise<void> {
    // A device that connected with a token offers its public key, to be recognised without it next time.
    const signer = credential ? null : await this.options.credentials?.signer().catch(() => null);
    const hello: ClientHello = {
      type: 'hello',
      v: PROTOCOL_VERSION,
      side: 'client',
      deviceName: this.options.deviceName,
      deviceKind: this.options.deviceKind,
      ...(signer ? { publicKey: signer.publicKey } : {}),
      ...(this.options.deflate === true ? { deflate: true } : {}),
    };
    peer.sendJson(FrameTag.hello, hello);
  }

  /** Handles one frame from the host; returns whether hello has been seen. */
  private onFrame(peer: PeerLink, frame: Frame, helloSeen: boolean, credential: StoredCredential | null): boolean {
    if (frame.tag === FrameTag.error) {
      const e = decodeJson(ErrorFrameSchema, frame.payload);
      this.error = new TetherError(e.code, e.message);
      if (e.code === 'DEVICE_REVOKED' || e.code === 'DEVICE_DENIED') {
        const hostKey = credential?.hostKey ?? this.hostHello?.hostKey;
        if (hostKey) void this.options.credentials?.forget(this.options.origin, keyId(hostKey));
        this.emit('revoked', this.error);
      }
      return helloSeen;
    }
    if (!helloSeen) {
      if (frame.tag !== FrameTag.hello) throw new TetherError('HELLO_EXPECTED');
      const probe = decodeJson(HelloVersionSchema, frame.payload, 'FRAME_MALFORMED');
      if (probe.v !== PROTOCOL_VERSION) throw new TetherError(probe.v > PROTOCOL_VERSION ? 'CLIENT_TOO_OLD' : 'HOST_TOO_OLD');
      const hello = decodeJson(HostHelloSchema, frame.payload);
      if (credential && hello.hostKey !== credential.hostKey) throw new TetherError('MAC_INVALID', 'the host presented a different key than the one this device paired with');
      if (this.helloTimer) clearTimeout(this.helloTimer);
      this.helloTimer = null;
      this.hostHello = hello;
      if (hello.paired && this.options.credentials) {
        void this.options.credentials.save(this.options.origin, {
          hostKeyId: keyId(hello.hostKey),
          hostKey: hello.hostKey,
          credentialId: hello.deviceId,
          hostName: hello.hostName,
          pairedAt: Date.now(),
        });
      }
      this.becameLive(peer, hello);
      return true;
    }
    switch (frame.tag) {
      case FrameTag.ping:
        peer.send(FrameTag.pong, frame.payload.subarray(0, 16));
        return true;
      case FrameTag.pong:
        return true;
      case FrameTag.notice:
        this.emit('notice', decodeJson(NoticeSchema, frame.payload));
        return true;
      case FrameTag.sync:
      case FrameTag.reply:
      case FrameTag.presence:
      case FrameTag.opened:
      case FrameTag.end: {
        const { channel, body } = decodeChannelPayload(frame.payload);
        const c = this.channels.get(channel);
        if (!c) return true; // a channel this device just closed
        if (frame.tag === FrameTag.opened) {
          const opened = decodeJson(ChannelOpenedSchema, body);
          c.handler.onOpened(opened.role, opened.stateVector);
        }
        else if (frame.tag === FrameTag.end) {
          this.channels.delete(channel);
          this.opensSent.delete(channel);
          const end = decodeJson(ChannelEndSchema, body);
          c.handler.onEnd(new TetherError(end.code, end.message));
        } else {
          c.handler.onFrame(frame.tag, body);
          if (frame.tag === FrameTag.sync) this.applied(peer, channel, body.length);
        }
        return true;
      }
      default:
        throw new TetherError('FRAME_UNKNOWN_TAG', `unknown frame tag ${frame.tag}`);
    }
  }

  private becameLive(peer: PeerLink, hello: HostHello): void {
    milestone('hello');
    this.attempt = 0;
    this.everLive = true;
    this.lastHeard = Date.now();
    this.setState('live', null);
    this.emit('hello', hello);
    for (const ch of this.channels.keys()) if (!this.opensSent.has(ch)) this.sendOpen(peer, ch, false);
  }

  /** `bytes` of sync were applied on `ch`: tells the host every APPLIED_REPORT_BYTES. */
  private applied(peer: PeerLink, ch: number, bytes: number): void {
    const count = this.opensSent.get(ch);
    if (!count) return;
    count.applied += bytes;
    if (count.applied - count.reported < APPLIED_REPORT_BYTES) return;
    count.reported = count.applied;
    const applied: Applied = { bytes: count.applied };
    peer.sendFrame(encodeChannelFrame(FrameTag.applied, ch, encodeJson(applied)));
  }

  /** Subscribes channel `ch` on `peer` (once per link); `ahead`: before the host's hello. */
  private sendOpen(peer: PeerLink, ch: number, ahead: boolean): void {
    const c = this.channels.get(ch);
    if (!c || this.opensSent.has(ch)) return;
    this.opensSent.set(ch, { applied: 0, reported: 0 });
    peer.sendJson(FrameTag.open, { ch, sessionId: c.sessionId });
    const sync = ahead ? (c.handler.syncAhead?.() ?? null) : null;
    if (sync) peer.sendFrame(encodeChannelFrame(FrameTag.sync, ch, sync));
  }

  private onFromHost(raw: unknown): void {
    const parsed = HostEnvelopeSchema.safeParse(raw);
    const pending = this.pending;
    if (!parsed.success || !pending) return;
    const msg = parsed.data;
    if (msg.peerId !== pending.peerId || msg.sessionId !== this.options.entrySessionId) return;
    pending.receive(msg.payload);
  }

  /**
   * Decides between giving up and retrying with backoff. `advisory`: the error came unauthenticated (the
   * signal server could have made it up), so even a fatal code only slows the retries.
   */
  private attemptFailed(err: TetherError, slow: boolean, advisory = false): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    if (FATAL_CODES.has(err.code) && !advisory) {
      this.clearTimers();
      this.dropLinkAhead();
      this.setState('failed', err);
      return;
    }
    this.setState(this.everLive ? 'reconnecting' : 'connecting', err);
    const initial = this.options.backoffInitialMs ?? 250;
    const cap = this.options.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS;
    // The first retry is immediate: a dropped channel usually means the network blinked.
    const base = slow ? SLOW_RETRY_MS * Math.min(6, 1 + this.attempt) : this.attempt === 0 ? 0 : Math.min(cap, initial * 2 ** (this.attempt - 1));
    this.attempt++;
    // Wide jitter: devices that lost the host together do not all come back in the same instant.
    const delay = base * (0.5 + Math.random());
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }
}
