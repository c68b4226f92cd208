/**
 * One peer-to-peer data channel between the host and one device, over data-channel-peer.ts. Adds framing
 * (frames.ts), a bounded send queue with backpressure (the channel's buffer is kept under HIGH_WATER:
 * native stacks drop or stall past their own buffer limits), a connect timeout, and one destroy(err) path
 * that emits 'error' (if any) then 'close'.
 */
import { EventEmitter } from 'events';
import { DataChannelPeer, type WebRtcImplementation } from './data-channel-peer.js';
import { encodeFrame, FrameAssembler, FrameTag, splitFrame, type Frame } from './frames.js';
import { deflateFrame, deflateFrameAsync, inflateFrame, type AsyncDeflate, type Deflate } from './frame-compression.js';
import { TetherError } from './errors.js';
import { encodeJson } from './messages.js';
import { pathOf, type ConnectionPath } from './ice-servers.js';

/** Keep at most this much in the data channel's own buffer. */
export const HIGH_WATER_BYTES = 1024 * 1024;
/**
 * Most bytes queued for one peer before the link gives up on it: senders stop queueing at a few MiB
 * (a lagging device gets one catch-up diff later), so only a peer that never reads gets here.
 */
export const MAX_QUEUED_BYTES = 128 * 1024 * 1024;
/** How often the send queue re-checks the channel buffer (wrtc has no bufferedamountlow event). */
const PUMP_INTERVAL_MS = 15;
/** Frames held while the path of a just opened channel is being read. */
const MAX_EARLY_FRAMES = 64;
/** Most bytes of frames held behind deflated frames still inflating (an honest host's flow control keeps far below). */
const MAX_HELD_BYTES = 64 * 1024 * 1024;
/**
 * Frames of this size or more are deflated off the main thread when the link can (a long session's first
 * sync, a catch-up diff): deflating 4 MB there took tens of ms during which every other device waited.
 */
const ASYNC_DEFLATE_MIN_BYTES = 128 * 1024;
/** How long frames held behind a deflated one may still be delivered after the other side closed. */
const HELD_AFTER_CLOSE_MS = 5_000;
/** How long a closing channel gets to be acknowledged before the connection is torn down anyway. */
const CHANNEL_CLOSE_GRACE_MS = 300;
/** How long an ERROR frame gets to flush before the channel closes anyway. */
const ERROR_FLUSH_MS = 500;
/**
 * With STUN/TURN servers, how long after the first candidate the SDP waits for the rest (it is sent at
 * once when gathering completes): a relay allocation takes a few round trips, but a server
 * that never answers must not hold up every connection for long.
 */
const ICE_GATHER_WAIT_MS = 2000;
/**
 * Without STUN/TURN servers only host candidates exist: the UDP ones arrive within a few ms, the TCP ones
 * ~100 ms later. The SDP goes this long after the first candidate at the latest instead of waiting for
 * them all, and sooner once HOST_CANDIDATE_QUIET_MS pass without another.
 */
const HOST_CANDIDATE_WAIT_MS = 50;
/**
 * Host candidates come in one burst per kind (Chromium: every interface's UDP candidate within ~1 ms; then
 * nothing for ~90 ms): this long without a new one ends the burst. A candidate gathered after the SDP went
 * still works: the other side learns it from this side's connectivity checks (peer-reflexive).
 */
const HOST_CANDIDATE_QUIET_MS = 10;
/** Most time reading the selected path may add before 'open'. */
const PATH_READ_MS = 1000;

/** Options for a link. */
export interface PeerLinkOptions {
  /** The joining device makes the offer (measured: ~10× faster to connect across interfaces). */
  initiator: boolean;
  /** The Node WebRTC implementation, `{ RTCPeerConnection }` (host/node-webrtc.ts); omitted in browsers. */
  wrtc?: WebRtcImplementation;
  /** STUN/TURN servers; none by default so nothing leaves the LAN. */
  iceServers?: RTCIceServer[];
  /** 'relay' uses TURN relays only (hides addresses; tests prove the relay path with it). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Largest inbound logical frame accepted. */
  maxInboundFrame: number;
  /** Deflated frames from the other side are inflated (a device that asks for them); else they are refused. */
  acceptDeflated?: boolean;
  /** Destroy with CONNECT_TIMEOUT if the channel is not open by then. */
  connectTimeoutMs?: number;
}

/** An SDP this link wants delivered to the other side. */
export interface LocalSdp {
  type: 'offer' | 'answer';
  sdp: string;
}

interface PeerLinkEvents {
  sdp: [LocalSdp];
  open: [];
  frame: [Frame];
  error: [TetherError];
  close: [TetherError | null];
}

/** A framed, backpressured data channel to one peer. */
export class PeerLink extends EventEmitter<PeerLinkEvents> {
  private readonly peer: DataChannelPeer;
  private readonly assembler: FrameAssembler;
  private readonly maxInboundFrame: number;
  private readonly acceptDeflated: boolean;
  /** Set once the other side asked for deflated frames: large frames are sent deflated. */
  private deflate: Deflate | null = null;
  private deflateAsync: AsyncDeflate | null = null;
  /** A large frame is being deflated off the main thread: the frames sent meanwhile wait here, in order. */
  private deflating = false;
  private readonly waitingForDeflate: Uint8Array[] = [];
  /**
   * Received frames waiting for a deflated frame before them to inflate, in order (see receive); deflated
   * ones are inflated one at a time, at the head, so at most one frame's inflated bytes exist at once.
   */
  private readonly held: Frame[] = [];
  private heldBytes = 0;
  /** Stops the inflating of a held frame when the link is destroyed. */
  private readonly inflating = new AbortController();
  /** The other side closed while frames were held: the link ends once they are delivered (bounded). */
  private closeAfterHeld: ReturnType<typeof setTimeout> | null = null;
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  /** The channel's bufferedAmount as last read (see pendingBytes). */
  private channelBuffered = 0;
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private closing = false;
  /** This link uses TURN relays only. */
  private readonly relayOnly: boolean;
  /** Both SDPs, to tell which candidates are relays (libdatachannel reports a relayed pair as prflx). */
  private readonly sdpCandidates: string[] = [];
  /** Why end() is closing the link, reported when the close completes. */
  private endError: TetherError | null = null;
  /**
   * Frames that arrived before 'open', which waits for the connection's path to be read: the other side
   * may already have said hello. Replayed right after 'open'.
   */
  private early: Frame[] | null = [];
  /** True once the channel opened. */
  open = false;
  /** True once destroy() ran. */
  destroyed = false;
  /** Which path the data takes (read from the selected candidate pair when the channel opens). */
  path: ConnectionPath | null = null;

  constructor(options: PeerLinkOptions) {
    super();
    this.relayOnly = options.iceTransportPolicy === 'relay';
    this.assembler = new FrameAssembler(options.maxInboundFrame);
    this.maxInboundFrame = options.maxInboundFrame;
    this.acceptDeflated = options.acceptDeflated ?? false;
    this.peer = new DataChannelPeer(
      {
        initiator: options.initiator,
        wrtc: options.wrtc,
        config: { iceServers: options.iceServers ?? [], iceTransportPolicy: options.iceTransportPolicy ?? 'all' },
        ...((options.iceServers?.length ?? 0) > 0
          ? { iceCompleteTimeoutMs: ICE_GATHER_WAIT_MS }
          : { iceCompleteTimeoutMs: HOST_CANDIDATE_WAIT_MS, iceQuietMs: HOST_CANDIDATE_QUIET_MS }),
      },
      {
        sdp: (description) => {
          this.sdpCandidates.push(description.sdp);
          this.emit('sdp', description);
        },
        open: () => {
          if (this.connectTimer) clearTimeout(this.connectTimer);
          this.connectTimer = null;
          // The path is known before 'open', so whoever lists the device lists it with its path.
          void this.readPath().then((path) => {
            this.path = path;
            this.opened();
          });
        },
        message: (data) => this.receive(data),
        closed: () => this.closedByPeer(),
        failed: (kind, message) => {
          // Browsers report the other side's orderly close as "User-Initiated Abort".
          if (kind === 'channel' && /User-Initiated Abort|Close called/i.test(message)) this.closedByPeer();
          else this.destroy(new TetherError('WEBRTC_FAILED', `peer-to-peer connection failed: ${message}`));
        },
      },
    );
    this.connectTimer = setTimeout(
      () => this.destroy(new TetherError('CONNECT_TIMEOUT')),
      options.connectTimeoutMs ?? 15_000,
    );
  }

  private opened(): void {
    if (this.destroyed) return;
    this.open = true;
    this.emit('open');
    const early = this.early ?? [];
    this.early = null;
    for (const frame of early) if (!this.destroyed) this.emit('frame', frame);
    this.pump();
  }

  /** The path of the selected candidate pair, or null when the stats do not say (bounded in time). */
  private readPath(): Promise<ConnectionPath | null> {
    return new Promise((resolve) => {
      if (this.destroyed) return resolve(null);
      // Relay-only can only be relayed (and libdatachannel's stats name its relayed pairs peer-reflexive).
      if (this.relayOnly) return resolve('relay');
      const timer = setTimeout(() => resolve(null), PATH_READ_MS);
      this.peer.stats().then(
        (reports) => {
          clearTimeout(timer);
          resolve(selectedPath(reports as unknown as StatsReport[], candidateTypes(this.sdpCandidates)));
        },
        () => {
          // The connection closed under us: there is no path to report, and 'open' will not matter.
          clearTimeout(timer);
          resolve(null);
        },
      );
    });
  }

  /** Applies the remote side's offer or answer (verify its MAC first). */
  applyRemoteSdp(sdp: LocalSdp): void {
    if (this.destroyed) return;
    this.sdpCandidates.push(sdp.sdp);
    void this.peer.applyRemote(sdp);
  }

  /** Queues one logical frame; fragments and backpressure are handled here. */
  send(tag: number, payload: Uint8Array): void {
    this.sendFrame(encodeFrame(tag, payload));
  }

  /**
   * From now on, large frames are sent deflated with `deflate` (the other side asked for them); with
   * `deflateAsync`, frames of ASYNC_DEFLATE_MIN_BYTES or more are deflated with it, off the main thread.
   */
  deflateWith(deflate: Deflate, deflateAsync?: AsyncDeflate): void {
    this.deflate = deflate;
    this.deflateAsync = deflateAsync ?? null;
  }

  /** Queues one already encoded logical frame (e.g. a session frame with its channel number). */
  sendFrame(frame: Uint8Array): void {
    // Once the other side closed, nothing reaches it (and a failed send must not drop the frames still held).
    if (this.destroyed || this.closing || this.closeAfterHeld) return;
    if (this.queuedBytes + frame.length > MAX_QUEUED_BYTES) {
      this.destroy(new TetherError('PEER_TOO_SLOW', `more than ${MAX_QUEUED_BYTES} bytes waiting for a peer that does not read`));
      return;
    }
    // Counted while they wait, so pendingBytes (flow control, end()'s flush) includes them.
    this.queuedBytes += frame.length;
    if (this.deflating) this.waitingForDeflate.push(frame);
    else this.enqueue(frame);
  }

  /** Deflates a counted frame as the other side asked and hands its messages to the pump (after any deflate off the thread). */
  private enqueue(frame: Uint8Array): void {
    if (this.deflateAsync && frame.length >= ASYNC_DEFLATE_MIN_BYTES) {
      this.deflating = true;
      deflateFrameAsync(frame, this.deflateAsync).then(
        (deflated) => {
          if (this.destroyed) return;
          this.deflating = false;
          this.queueMessages(frame, deflated ?? frame);
          // The frames sent meanwhile, in order; one of them may go off the thread again.
          while (this.waitingForDeflate.length > 0 && !this.deflating) this.enqueue(this.waitingForDeflate.shift()!);
          this.pump();
        },
        (err: unknown) => this.destroy(new TetherError('WEBRTC_FAILED', `could not deflate a frame: ${(err as Error).message}`)),
      );
      return;
    }
    this.queueMessages(frame, this.deflate ? (deflateFrame(frame, this.deflate) ?? frame) : frame);
    this.pump();
  }

  /** Queues `sent` (the frame as it goes: deflated or not) in place of the counted `frame`. */
  private queueMessages(frame: Uint8Array, sent: Uint8Array): void {
    this.queuedBytes -= frame.length;
    for (const message of splitFrame(sent)) {
      this.queue.push(message);
      this.queuedBytes += message.length;
    }
  }

  /** Sends a JSON frame. */
  sendJson(tag: number, value: unknown): void {
    this.send(tag, encodeJson(value));
  }

  /**
   * Bytes not yet delivered to the network: our queue plus the channel's buffer as last read. Reading
   * bufferedAmount crosses into native code (costly), so it is read once per pump cycle.
   */
  get pendingBytes(): number {
    return this.destroyed ? 0 : this.queuedBytes + this.channelBuffered;
  }

  /** Reads the channel's bufferedAmount now. */
  private refreshBuffered(): void {
    if (!this.destroyed) this.channelBuffered = this.peer.bufferedAmount;
  }

  /** Resolves once pendingBytes is at most `bytes` (or the link is gone). */
  whenBelow(bytes: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        this.refreshBuffered();
        if (this.destroyed || this.pendingBytes <= bytes) resolve();
        else setTimeout(check, PUMP_INTERVAL_MS);
      };
      check();
    });
  }

  /** Tells the other side why, then closes: used for protocol errors. */
  fail(err: TetherError): void {
    if (this.destroyed || this.closing) return;
    if (!this.open) {
      this.destroy(err);
      return;
    }
    this.sendJson(FrameTag.error, err.toJSON());
    this.end(err);
  }

  /**
   * Closes gracefully: what was already sent is delivered first, then the data channel closes (its
   * pending messages go out before the close) and the link ends with `err`. Destroying at once instead
   * can drop the last frames (libdatachannel tears SCTP down with its queue), such as an end message.
   */
  end(err: TetherError | null = null): void {
    if (this.destroyed || this.closing) return;
    if (!this.open) {
      this.destroy(err);
      return;
    }
    this.closing = true;
    this.endError = err;
    const deadline = Date.now() + ERROR_FLUSH_MS;
    const wait = (): void => {
      if (this.destroyed) return;
      this.refreshBuffered();
      if (this.pendingBytes > 0 && Date.now() <= deadline) {
        setTimeout(wait, PUMP_INTERVAL_MS);
        return;
      }
      // Close the channel, not the connection: its close is reported (→ destroy), and a timer covers a
      // peer that never acknowledges it.
      this.peer.closeChannel();
      setTimeout(() => this.destroy(err), CHANNEL_CLOSE_GRACE_MS);
    };
    // Never in the same tick as a send: a channel closed synchronously after a send can drop the frame
    // even though bufferedAmount already reads 0 (seen with a hello refused on arrival).
    setTimeout(wait, PUMP_INTERVAL_MS);
  }

  /**
   * The other side closed the channel. What it sent before still counts: frames held behind a deflated
   * one (a last output, an ERROR frame saying why) are delivered first, within HELD_AFTER_CLOSE_MS.
   */
  private closedByPeer(): void {
    if (this.destroyed || this.closeAfterHeld) return;
    if (this.held.length === 0) {
      this.destroy(null);
      return;
    }
    this.closeAfterHeld = setTimeout(() => this.destroy(null), HELD_AFTER_CLOSE_MS);
    (this.closeAfterHeld as { unref?: () => void }).unref?.();
  }

  /** The single end of a link: emits 'error' (when err is given and someone listens) then 'close'. */
  destroy(err: TetherError | null = null): void {
    if (this.destroyed) return;
    // The reason given to end() wins over the channel's own close that it causes.
    err ??= this.endError;
    this.destroyed = true;
    this.open = false;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    if (this.closeAfterHeld) clearTimeout(this.closeAfterHeld);
    this.queue.length = 0;
    this.waitingForDeflate.length = 0;
    this.queuedBytes = 0;
    this.held.length = 0;
    this.heldBytes = 0;
    this.inflating.abort();
    this.peer.close();
    if (err && this.listenerCount('error') > 0) this.emit('error', err);
    this.emit('close', err);
  }

  private receive(data: Uint8Array): void {
    if (this.destroyed || this.closing) return;
    let frame: Frame | null;
    try {
      frame = this.assembler.push(data);
      if (frame?.tag === FrameTag.deflated && !this.acceptDeflated) {
        throw new TetherError('FRAME_MALFORMED', 'a deflated frame, which this side did not ask for');
      }
    } catch (err) {
      this.fail(err instanceof TetherError ? err : new TetherError('FRAME_MALFORMED'));
      return;
    }
    if (!frame) return;
    if (frame.tag !== FrameTag.deflated && this.held.length === 0) {
      this.deliver(frame);
      return;
    }
    // A deflated frame inflates asynchronously; the frames behind it wait so that none overtakes it. They
    // wait as they came (deflated ones still deflated): the bound counts the bytes received.
    this.heldBytes += frame.payload.length;
    if (this.heldBytes > MAX_HELD_BYTES) {
      this.fail(new TetherError('FRAME_TOO_LARGE', `more than ${MAX_HELD_BYTES} bytes waiting behind deflated frames`));
      return;
    }
    this.held.push(frame);
    if (this.held.length === 1) void this.drainHeld();
  }

  /**
   * Delivers the held frames in order, inflating each deflated one when it reaches the head (one at a
   * time); a frame that fails to inflate fails the link. Once the other side has closed, the link ends
   * when the last held frame is delivered.
   */
  private async drainHeld(): Promise<void> {
    while (this.held.length > 0 && !this.destroyed) {
      const head = this.held[0]!;
      let frame = head;
      if (head.tag === FrameTag.deflated) {
        try {
          frame = await inflateFrame(head.payload, this.maxInboundFrame, this.inflating.signal);
        } catch (err) {
          this.fail(err instanceof TetherError ? err : new TetherError('FRAME_MALFORMED'));
          return;
        }
        if (this.destroyed) return;
      }
      this.held.shift();
      this.heldBytes -= head.payload.length;
      try {
        this.deliver(frame);
      } catch (err) {
        // A listener that throws must not stall the frames behind (nothing would drain them): report it apart.
        setTimeout(() => {
          throw err;
        }, 0);
      }
    }
    if (this.closeAfterHeld && this.held.length === 0) this.destroy(null);
  }

  /** Hands a whole frame on, or keeps it until 'open' (see `early`). */
  private deliver(frame: Frame): void {
    if (this.destroyed || this.closing) return;
    if (!this.early) {
      this.emit('frame', frame);
      return;
    }
    // Before 'open' only a hello and a sync request are expected; a flood is a protocol error.
    if (this.early.length >= MAX_EARLY_FRAMES) {
      this.destroy(new TetherError('FRAME_TOO_LARGE', `more than ${MAX_EARLY_FRAMES} frames before the channel opened`));
      return;
    }
    this.early.push(frame);
  }

  private pump(): void {
    if (this.pumpTimer || this.destroyed || !this.open || this.closeAfterHeld) return;
    // channelBuffered only grows between reads (sent bytes are added), so it is an upper bound: the
    // native bufferedAmount is read only when that bound gets near the high-water mark.
    if (this.channelBuffered >= HIGH_WATER_BYTES / 2) this.refreshBuffered();
    while (this.queue.length > 0 && this.channelBuffered < HIGH_WATER_BYTES) {
      const message = this.queue.shift()!;
      this.queuedBytes -= message.length;
      try {
        this.peer.send(message);
      } catch (err) {
        // A channel that is closing under us (the other side left) is an orderly end, not a failure.
        const closing = /readyState is not 'open'|not open|closed/i.test((err as Error).message);
        this.destroy(closing ? null : new TetherError('WEBRTC_FAILED', `send failed: ${(err as Error).message}`, { cause: err }));
        return;
      }
      this.channelBuffered += message.length;
      if (this.channelBuffered >= HIGH_WATER_BYTES / 2) this.refreshBuffered();
    }
    if (this.queue.length > 0) {
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = null;
        this.pump();
      }, PUMP_INTERVAL_MS);
    }
  }
}

/** The fields of a WebRTC stats report this module reads. */
interface StatsReport {
  id: string;
  type: string;
  selectedCandidatePairId?: string;
  selected?: boolean;
  nominated?: boolean;
  state?: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
  candidateType?: string;
  ip?: string;
  port?: number;
}

/** `address:port` → candidate type, from the `a=candidate` lines of SDPs. */
function candidateTypes(sdps: readonly string[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const sdp of sdps) {
    for (const m of sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) (\d+) typ (\S+)/gm)) types.set(`${m[1]}:${m[2]}`, m[3]!);
  }
  return types;
}

/**
 * The path of the selected candidate pair in `reports` (standard stats), or null. A candidate the stats
 * call peer-reflexive but an SDP announced as a relay is a relay (libdatachannel reports TURN pairs so).
 */
function selectedPath(reports: StatsReport[], announced: Map<string, string> = new Map()): ConnectionPath | null {
  const byId = new Map(reports.map((r) => [r.id, r]));
  const transport = reports.find((r) => r.type === 'transport' && r.selectedCandidatePairId);
  const pair = (transport && byId.get(transport.selectedCandidatePairId!))
    ?? reports.find((r) => r.type === 'candidate-pair' && (r.selected === true || (r.nominated === true && r.state === 'succeeded')));
  if (!pair) return null;
  const local = byId.get(pair.localCandidateId ?? '');
  const remote = byId.get(pair.remoteCandidateId ?? '');
  if (!local?.candidateType && !remote?.candidateType) return null;
  const typeOf = (c: StatsReport | undefined): string | undefined => {
    const said = c?.ip !== undefined && c.port !== undefined ? announced.get(`${c.ip}:${c.port}`) : undefined;
    return said === 'relay' ? 'relay' : c?.candidateType;
  };
  return pathOf(typeOf(local), typeOf(remote));
}
