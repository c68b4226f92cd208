/**
 * One WebRTC peer connection carrying one ordered data channel, on the standard RTCPeerConnection API:
 * the browser's own, or node-datachannel's polyfill in Node (host/node-webrtc.ts). Candidates are not
 * trickled: the offer and the answer are sent once, with every candidate inside, so the whole SDP can be
 * MAC'd or signed. Replaces simple-peer, whose Node stream machinery (readable-stream, Buffer and process
 * shims) was a fifth of the page's startup script for the handful of calls used here.
 */

/** The RTCPeerConnection constructor to use (Node passes node-datachannel's; browsers have their own). */
export interface WebRtcImplementation {
  RTCPeerConnection: new (config?: RTCConfiguration) => RTCPeerConnection;
}

/** Why a connection failed, in the words of the layer that failed. */
export type PeerFailure = 'ice' | 'connection' | 'channel' | 'negotiation';

/** What the peer tells its owner; nothing is called after close(). */
export interface DataChannelPeerEvents {
  /** The local offer or answer, with every gathered candidate, to be delivered to the other side. */
  sdp(description: { type: 'offer' | 'answer'; sdp: string }): void;
  /** The data channel is open. */
  open(): void;
  /** One message from the other side. */
  message(data: Uint8Array): void;
  /** The data channel closed (the other side left, or the channel was closed here). */
  closed(): void;
  /** The connection failed; `message` says how. */
  failed(kind: PeerFailure, message: string): void;
}

export interface DataChannelPeerOptions {
  /** The initiator creates the data channel and makes the offer. */
  initiator: boolean;
  config: RTCConfiguration;
  /** After the first local candidate, how long to wait for the rest before sending the SDP anyway. */
  iceCompleteTimeoutMs: number;
  /** If set, the SDP also goes once no new candidate came for this long (candidates come in bursts). */
  iceQuietMs?: number;
  /** Omitted in browsers. */
  wrtc?: WebRtcImplementation;
}

/** A channel stuck in "closing" this long is treated as closed (Chromium can leave it there). */
const CHANNEL_CLOSING_TIMEOUT_MS = 5000;

export class DataChannelPeer {
  /** Null when the implementation refused the configuration (reported as a failed negotiation). */
  private readonly pc: RTCPeerConnection | null;
  private channel: RTCDataChannel | null = null;
  private iceComplete = false;
  private iceCompleteTimer: ReturnType<typeof setTimeout> | null = null;
  private iceQuietTimer: ReturnType<typeof setTimeout> | null = null;
  private closingTimer: ReturnType<typeof setInterval> | null = null;
  /** Called once gathering is complete (or timed out): sends the local SDP. */
  private onIceComplete: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly options: DataChannelPeerOptions,
    private readonly events: DataChannelPeerEvents,
  ) {
    const Implementation = options.wrtc?.RTCPeerConnection ?? globalThis.RTCPeerConnection;
    let pc: RTCPeerConnection | null = null;
    let channel: RTCDataChannel | null = null;
    try {
      if (typeof Implementation !== 'function') throw new Error('this browser has no WebRTC');
      pc = new Implementation(options.config);
      if (options.initiator) channel = pc.createDataChannel('tether', { ordered: true });
    } catch (err) {
      // ICE servers come from the host and the signal server: one the implementation refuses (a TURN URL
      // without credentials) fails this attempt like any other failure, on a later turn, never by a throw.
      try {
        pc?.close();
      } catch {
        // Never opened: nothing to close.
      }
      this.pc = null;
      setTimeout(() => this.fail('negotiation', `could not create the connection: ${(err as Error).message}`), 0);
      return;
    }
    this.pc = pc;
    pc.onicecandidate = (event) => {
      if (event.candidate) this.candidateGathered();
      else this.iceGathered();
    };
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete') this.iceGathered();
    };
    pc.oniceconnectionstatechange = () => {
      const state = pc.iceConnectionState;
      if (state === 'failed') this.fail('ice', 'ICE connection failed');
      else if (state === 'closed') this.fail('ice', 'ICE connection closed');
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') this.fail('connection', 'connection failed');
    };
    if (channel) {
      this.useChannel(channel);
      // The offer is made on a later task: creating it in the same task as the channel crashed Chrome (simple-peer's experience).
      setTimeout(() => void this.negotiate('offer'), 0);
    } else {
      pc.ondatachannel = (event) => {
        // One channel per connection: a second one the other side opens is closed, never read.
        if (this.channel) event.channel.close();
        else this.useChannel(event.channel);
      };
    }
  }

  /** Applies the other side's offer (then answers it) or answer. */
  async applyRemote(description: { type: 'offer' | 'answer'; sdp: string }): Promise<void> {
    if (this.closed || !this.pc) return;
    try {
      await this.pc.setRemoteDescription(description);
    } catch (err) {
      this.fail('negotiation', `the other side's ${description.type} was refused: ${(err as Error).message}`);
      return;
    }
    if (description.type === 'offer') await this.negotiate('answer');
  }

  /** Sends one message; throws when the channel is not open. */
  send(data: Uint8Array): void {
    if (!this.channel) throw new Error("data channel readyState is not 'open'");
    this.channel.send(data as Uint8Array<ArrayBuffer>);
  }

  /** Bytes the channel has accepted but not yet handed to the network. */
  get bufferedAmount(): number {
    return this.channel?.bufferedAmount ?? 0;
  }

  /** The connection's standard stats, as a list. */
  async stats(): Promise<Array<Record<string, unknown>>> {
    const reports: Array<Record<string, unknown>> = [];
    if (!this.pc) return reports;
    (await this.pc.getStats()).forEach((report: Record<string, unknown>) => reports.push(report));
    return reports;
  }

  /** Closes the data channel only: its pending messages go out first, and the close is reported as closed(). */
  closeChannel(): void {
    try {
      this.channel?.close();
    } catch {
      // Already closing or closed.
    }
  }

  /** Closes the channel and the connection at once; no event is reported after this. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearIceTimers();
    if (this.closingTimer) clearInterval(this.closingTimer);
    this.onIceComplete = null;
    const channel = this.channel;
    this.channel = null;
    if (channel) {
      channel.onopen = channel.onmessage = channel.onclose = channel.onerror = null;
      try {
        channel.close();
      } catch {
        // Already closed.
      }
    }
    const pc = this.pc;
    if (!pc) return;
    pc.onicecandidate = pc.onicegatheringstatechange = pc.oniceconnectionstatechange = pc.onconnectionstatechange = pc.ondatachannel = null;
    try {
      pc.close();
    } catch {
      // Already closed.
    }
  }

  private useChannel(channel: RTCDataChannel): void {
    if (this.closed) return;
    this.channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => {
      if (!this.closed) this.events.open();
    };
    channel.onmessage = (event: MessageEvent) => {
      if (!this.closed) this.events.message(asBytes(event.data));
    };
    channel.onclose = () => {
      if (!this.closed) this.events.closed();
    };
    channel.onerror = (event: Event) => {
      const error = (event as Event & { error?: { message?: string } }).error;
      this.fail('channel', error?.message ?? 'data channel error');
    };
    let closingSeen = false;
    this.closingTimer = setInterval(() => {
      if (this.closed || channel.readyState !== 'closing') closingSeen = false;
      else if (closingSeen) this.events.closed();
      else closingSeen = true;
    }, CHANNEL_CLOSING_TIMEOUT_MS);
    // An interval must never keep Node alive on its own.
    (this.closingTimer as { unref?: () => void }).unref?.();
  }

  /** Makes the local offer or answer and sends it once every candidate is gathered. */
  private async negotiate(type: 'offer' | 'answer'): Promise<void> {
    const pc = this.pc;
    if (this.closed || !pc) return;
    try {
      const made = type === 'offer' ? await pc.createOffer() : await pc.createAnswer();
      if (this.closed) return;
      await pc.setLocalDescription({ type: made.type, sdp: withoutTrickle(made.sdp ?? '') });
    } catch (err) {
      this.fail('negotiation', `could not make the ${type}: ${(err as Error).message}`);
      return;
    }
    const send = (): void => {
      if (this.closed) return;
      try {
        this.events.sdp({ type, sdp: pc.localDescription?.sdp ?? '' });
      } catch (err) {
        // The SDP could not be sent on (signed, emitted): this attempt fails, it does not throw.
        this.fail('negotiation', `could not send the ${type}: ${(err as Error).message}`);
      }
    };
    if (this.iceComplete) send();
    else this.onIceComplete = send;
  }

  /** One more local candidate: the SDP waits for the rest, up to iceCompleteTimeoutMs after the first. */
  private candidateGathered(): void {
    if (this.iceComplete || this.closed) return;
    this.iceCompleteTimer ??= setTimeout(() => this.iceGathered(), this.options.iceCompleteTimeoutMs);
    if (this.options.iceQuietMs === undefined) return;
    if (this.iceQuietTimer) clearTimeout(this.iceQuietTimer);
    this.iceQuietTimer = setTimeout(() => this.iceGathered(), this.options.iceQuietMs);
  }

  private clearIceTimers(): void {
    if (this.iceCompleteTimer) clearTimeout(this.iceCompleteTimer);
    if (this.iceQuietTimer) clearTimeout(this.iceQuietTimer);
    this.iceCompleteTimer = this.iceQuietTimer = null;
  }

  private iceGathered(): void {
    if (this.iceComplete || this.closed) return;
    this.iceComplete = true;
    this.clearIceTimers();
    const send = this.onIceComplete;
    this.onIceComplete = null;
    send?.();
  }

  private fail(kind: PeerFailure, message: string): void {
    if (!this.closed) this.events.failed(kind, message);
  }
}

/** The SDP without `a=ice-options:trickle`: the other side gets every candidate at once. */
function withoutTrickle(sdp: string): string {
  return sdp.replace(/a=ice-options:trickle\s\n/g, '');
}

/** A data channel message as bytes; a text message becomes its UTF-8 bytes (and is refused as a frame). */
function asBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new TextEncoder().encode(String(data));
}
