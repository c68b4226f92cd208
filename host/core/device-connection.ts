/**
 * The host's end of one device's connection: the device's hello (version check, pairing, who the host
 * says the device is), its session channels (every session of this host it opened), liveness (pings; a
 * device that stops answering is dropped, one that says bye leaves at once), and protocol errors.
 */
import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { PeerLink } from '../../protocol/peer-link.js';
import { decodeChannelPayload, encodeChannelFrame, FrameTag, MAX_CHANNELS, type Frame } from '../../protocol/frames.js';
import {
  ChannelEndSchema,
  decodeClientHello,
  decodeJson,
  encodeJson,
  HelloVersionSchema,
  OpenSessionSchema,
  type ChannelEnd,
  type HostHello,
  type Notice,
} from '../../protocol/messages.js';
import { TetherError } from '../../protocol/errors.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import type { Role } from '../../protocol/roles.js';
import type { Authenticator, DeviceIdentity, Grant } from '../trust/authenticator.js';
import type { Actor, SessionCore } from './session-core.js';
import { SessionChannel } from './session-channel.js';
import { traceHop } from '../echo-trace.js';
import { MAX_LATE_FIRINGS, stallAwareTimeout, STALL_GRACE_MS } from '../../protocol/stall-aware-timeout.js';

const HELLO_TIMEOUT_MS = 5_000;
/**
 * zlib's fastest level for the devices that take deflated frames: measured here on program output and
 * agent text, level 1 deflates ~80 MB/s to a third, level 6 ~54 MB/s to 27 %.
 */
const deflateFast = (bytes: Uint8Array): Uint8Array => deflateRawSync(bytes, { level: 1 });
/** The same on zlib's thread pool, for large frames: the main thread serves every other device meanwhile. */
const deflateRawOffThread = promisify(deflateRaw);
const deflateFastOffThread = (bytes: Uint8Array): Promise<Uint8Array> => deflateRawOffThread(bytes, { level: 1 });
/** The host pings every device this often... */
export const PING_INTERVAL_MS = 1_000;
/** ...and drops one it has heard nothing from for this long. */
export const DEVICE_SILENCE_MS = 6_000;
/** Most session opens a device may ask for per window, against open/close floods. */
const OPENS_PER_WINDOW = 64;
const OPEN_WINDOW_MS = 10_000;

/** What a device connection needs from its host. */
export interface ConnectionHost {
  readonly authenticator: Authenticator;
  readonly hostName: string;
  /** The session list this host serves, if any. */
  readonly listId: string | null;
  /** The VAPID key devices subscribe to this host's notifications with; null: it sends none. */
  readonly pushKey?: string | null;
  /** The session a device may open by this id, or why not. */
  sessionFor(sessionId: string, actor: Actor): SessionCore | TetherError;
}

/** Most session opens held while a device waits for a person to allow it. */
const MAX_HELD_OPENS = 32;
/**
 * Most frames held for what they wait for (see `ahead`): a device sends a hello, its channels' opens and
 * a sync request for each fresh replica back to back, and libdatachannel can hand them over out of order.
 */
const MAX_AHEAD_FRAMES = 16;
/** Largest frame held so: an open is a short JSON object, a fresh replica's sync request a few bytes. */
const MAX_AHEAD_FRAME_BYTES = 1024;

interface DeviceConnectionEvents {
  /** Hello accepted: the device is known (for a device that had to wait: once it was allowed). */
  joined: [Actor];
  /** Hello accepted, but the device waits for a person to allow it; nothing is served until then. */
  waiting: [Actor];
  close: [TetherError | null];
}

/** One device's connection, from the host's side. */
export class DeviceConnection extends EventEmitter<DeviceConnectionEvents> {
  /** Who the device is, once it said hello. */
  actor: Actor | null = null;
  identity: DeviceIdentity | null = null;
  private readonly channels = new Map<number, SessionChannel>();
  /** Cancels the wait for the device's hello. */
  private helloTimer: (() => void) | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = Date.now();
  private opens: number[] = [];
  /** Session opens asked for while the device waited for approval, answered once it is allowed. */
  private held: Uint8Array[] = [];
  /**
   * Frames that arrived before what they build on: opens and sync requests before the hello, sync requests
   * before their channel's open. A device sends them back to back, in order, but libdatachannel flushes a
   * new channel's first messages from two threads at once (the one setting the message callback and the
   * network thread), which can swap them. Held, bounded, until the hello or the open arrives.
   */
  private ahead: Frame[] = [];
  /** Channels this device asked to open on this connection (frames for one it closed are ignored, not held). */
  private readonly everOpened = new Set<number>();
  private readonly handlers: Record<number, (payload: Uint8Array) => void> = {
    [FrameTag.open]: (p) => this.onOpen(p),
    [FrameTag.sync]: (p) => this.onChannelFrame(p, (c, body) => c.onSync(body), FrameTag.sync),
    [FrameTag.intent]: (p) => this.onChannelFrame(p, (c, body) => c.onIntent(body)),
    [FrameTag.applied]: (p) => this.onChannelFrame(p, (c, body) => c.onApplied(body)),
    [FrameTag.end]: (p) => this.onChannelFrame(p, (c, body) => {
      decodeJson(ChannelEndSchema, body);
      c.detach();
    }),
    [FrameTag.ping]: (p) => {
      // A pong follows every reply to what the device sent before its ping, held keystroke replies too.
      for (const c of this.channels.values()) c.sendHeldReplies();
      this.link.send(FrameTag.pong, p.subarray(0, 16));
    },
    [FrameTag.pong]: () => {},
    [FrameTag.bye]: () => this.close(null),
    [FrameTag.error]: (p) => this.log.info({ payload: new TextDecoder().decode(p).slice(0, 200) }, 'device reported an error'),
  };

  constructor(
    readonly peerId: string,
    readonly link: PeerLink,
    private readonly grant: Grant,
    private readonly host: ConnectionHost,
    private readonly log: Logger,
  ) {
    super();
    link.on('open', () => {
      this.helloTimer = stallAwareTimeout(HELLO_TIMEOUT_MS, () => link.fail(new TetherError('HELLO_TIMEOUT')));
    });
    link.on('frame', (frame) => this.onFrame(frame));
    link.on('close', (err) => {
      this.stopTimers();
      for (const c of [...this.channels.values()]) c.detach();
      if (err) this.log.warn({ code: err.code, err: err.message }, 'device connection closed with an error');
      else this.log.info('device connection closed');
      this.emit('close', err);
    });
  }

  /** The credential this connection authenticated with or paired (null for an unpaired device). */
  get credentialId(): string | null {
    return this.identity?.credentialId ?? null;
  }

  /** Sessions this device has open, by id. */
  get openSessions(): string[] {
    return [...this.channels.values()].map((c) => c.sessionId);
  }

  /** Ends the connection (err is sent to the device first when given). */
  close(err: TetherError | null = null): void {
    if (err) this.link.fail(err);
    else this.link.end(null);
  }

  /** Ends this device's channels on one session for good (sharing stopped, session removed…). */
  endSession(core: SessionCore, err: TetherError): void {
    for (const c of [...this.channels.values()]) if (c.core === core) c.end(err);
  }

  /** True while the device waits for a person to allow it. */
  get pending(): boolean {
    return this.identity?.pending === true;
  }

  /**
   * An owner changed this device's role: later intents are checked against it; the device is told, and
   * each open channel says again what the device may do in its session.
   */
  setRole(role: Role): void {
    if (!this.actor || !this.identity) return;
    this.identity = { ...this.identity, role };
    this.actor = { ...this.actor, role };
    const notice: Notice = { type: 'role', role };
    this.link.send(FrameTag.notice, encodeJson(notice));
    for (const c of this.channels.values()) c.reopen();
  }

  /** A person allowed this waiting device with `role`: it joins, and the sessions it asked for open. */
  admit(role: Role): void {
    if (!this.actor || !this.identity?.pending) return;
    const changed = role !== this.identity.role;
    this.identity = { ...this.identity, role, pending: false };
    this.actor = { ...this.actor, role };
    if (changed) this.link.send(FrameTag.notice, encodeJson({ type: 'role', role } satisfies Notice));
    this.emit('joined', this.actor);
    const held = this.held;
    this.held = [];
    try {
      for (const p of held) this.onOpen(p);
    } catch (err) {
      this.link.fail(err instanceof TetherError ? err : new TetherError('FRAME_MALFORMED', String(err)));
    }
  }

  private stopTimers(): void {
    this.helloTimer?.();
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.helloTimer = null;
    this.pingTimer = null;
  }

  private onFrame(frame: Frame): void {
    if (frame.tag === FrameTag.intent) traceHop('host-received');
    this.lastHeard = Date.now();
    try {
      if (this.actor) {
        this.handle(frame);
      } else if (frame.tag === FrameTag.open || frame.tag === FrameTag.sync) {
        this.holdAhead(frame, 'HELLO_EXPECTED');
      } else {
        this.onHello(frame);
        const ahead = this.ahead;
        this.ahead = [];
        for (const f of ahead) this.handle(f);
      }
    } catch (err) {
      this.link.fail(err instanceof TetherError ? err : new TetherError('FRAME_MALFORMED', String(err)));
    }
  }

  private handle(frame: Frame): void {
    // A replay (held frames) stops when an answer in it ended the link (PEER_TOO_SLOW destroys it at once).
    if (this.link.destroyed) return;
    const handler = this.handlers[frame.tag];
    if (!handler) throw new TetherError('FRAME_UNKNOWN_TAG', `unknown frame tag 0x${frame.tag.toString(16)}`);
    handler(frame.payload);
  }

  private holdAhead(frame: Frame, code: 'HELLO_EXPECTED' | 'FRAME_MALFORMED'): void {
    if (this.ahead.length >= MAX_AHEAD_FRAMES) throw new TetherError(code, `more than ${MAX_AHEAD_FRAMES} frames ahead of what they need`);
    if (frame.payload.length > MAX_AHEAD_FRAME_BYTES) throw new TetherError(code, 'a large frame ahead of what it needs');
    // The payload is a view into a message buffer that is not ours to keep.
    this.ahead.push({ tag: frame.tag, payload: frame.payload.slice() });
  }

  private onHello(frame: Frame): void {
    if (frame.tag !== FrameTag.hello) throw new TetherError('HELLO_EXPECTED');
    // Version first, so an older or newer client gets the right code even if its hello differs in shape.
    const probe = decodeJson(HelloVersionSchema, frame.payload);
    if (probe.v < PROTOCOL_VERSION) throw new TetherError('CLIENT_TOO_OLD');
    if (probe.v > PROTOCOL_VERSION) throw new TetherError('HOST_TOO_OLD');
    const hello = decodeClientHello(frame.payload);
    this.helloTimer?.();
    this.helloTimer = null;
    const identity = this.host.authenticator.identify(this.grant, hello);
    this.identity = identity;
    const path = this.link.path;
    this.actor = { peerId: this.peerId, deviceId: identity.deviceId, name: identity.name, kind: identity.kind, role: identity.role, ...(path ? { path } : {}) };
    const reply: HostHello = {
      type: 'hello',
      v: PROTOCOL_VERSION,
      side: 'host',
      peerId: this.peerId,
      deviceId: identity.deviceId,
      role: identity.role,
      hostKey: this.host.authenticator.hostKey,
      hostName: this.host.hostName.slice(0, 128),
      paired: identity.paired,
      ...(this.host.listId ? { listId: this.host.listId } : {}),
      ...(this.host.pushKey ? { pushKey: this.host.pushKey } : {}),
    };
    this.link.send(FrameTag.hello, encodeJson(reply));
    if (hello.deflate === true) this.link.deflateWith(deflateFast, deflateFastOffThread);
    this.startPings();
    if (identity.pending) {
      const notice: Notice = { type: 'pending', message: 'Waiting for the host to allow this device…' };
      this.link.send(FrameTag.notice, encodeJson(notice));
      this.emit('waiting', this.actor);
    } else this.emit('joined', this.actor);
  }

  private startPings(): void {
    let due = Date.now() + PING_INTERVAL_MS;
    let lateInARow = 0;
    this.pingTimer = setInterval(() => {
      const now = Date.now();
      // A check this late means the host itself was not running (load, a collection, a stopped laptop).
      lateInARow = now - due > STALL_GRACE_MS ? lateInARow + 1 : 0;
      due = now + PING_INTERVAL_MS;
      // After a stall the device's frames may be queued behind this timer: it is judged at the next check —
      // unless the host is late at every turn, when waiting for an on-time check would keep it for good.
      const judge = lateInARow === 0 || lateInARow > MAX_LATE_FIRINGS;
      if (judge && now - this.lastHeard > DEVICE_SILENCE_MS) {
        this.link.destroy(new TetherError('PEER_CLOSED', 'the device stopped answering'));
        return;
      }
      this.link.send(FrameTag.ping, new Uint8Array(0));
    }, PING_INTERVAL_MS);
  }

  private onOpen(payload: Uint8Array): void {
    const { ch, sessionId } = decodeJson(OpenSessionSchema, payload);
    // Opens replayed after an answer ended the link (held ones, or those of a device just allowed) open nothing.
    if (this.link.destroyed) return;
    this.everOpened.add(ch);
    // Its sync requests that overtook it (see `ahead`): answered once it is open, else dropped with it.
    const overtook = this.takeAhead(ch);
    if (this.pending) {
      // Nothing is served until a person allows this device; what it asked for opens then.
      if (this.held.length >= MAX_HELD_OPENS) throw new TetherError('RATE_LIMITED', 'too many sessions asked for while waiting for approval');
      this.held.push(payload.slice()); // the device asks for its sync again once the channel opens
      return;
    }
    const now = Date.now();
    this.opens = this.opens.filter((t) => now - t < OPEN_WINDOW_MS);
    if (this.opens.length >= OPENS_PER_WINDOW) throw new TetherError('RATE_LIMITED', 'too many sessions opened too fast');
    this.opens.push(now);
    this.channels.get(ch)?.detach();
    if (this.channels.size >= MAX_CHANNELS) throw new TetherError('FRAME_MALFORMED', 'too many open channels');
    const actor = this.actor!;
    const core = this.host.sessionFor(sessionId, actor);
    if (core instanceof TetherError) {
      // Refused: tell the device on that channel, and keep the connection.
      const end: ChannelEnd = core.toJSON();
      this.link.sendFrame(encodeChannelFrame(FrameTag.end, ch, encodeJson(end)));
      return;
    }
    const channel = new SessionChannel(ch, sessionId, core, () => this.actor ?? actor, this.link, this.log.child({ sessionId, channel: ch }), (c) => {
      if (this.channels.get(c.channel) === c) this.channels.delete(c.channel);
    });
    this.channels.set(ch, channel);
    channel.open();
    for (const f of overtook) this.handle(f);
  }

  /** Takes the held sync requests for channel `ch` out of `ahead`. */
  private takeAhead(ch: number): Frame[] {
    if (this.ahead.length === 0) return [];
    const on = (f: Frame): boolean => f.tag === FrameTag.sync && decodeChannelPayload(f.payload).channel === ch;
    const taken = this.ahead.filter(on);
    this.ahead = this.ahead.filter((f) => !on(f));
    return taken;
  }

  /** `tag`: a sync request, which may arrive before its channel's open (see `ahead`). */
  private onChannelFrame(payload: Uint8Array, handle: (channel: SessionChannel, body: Uint8Array) => void, tag?: number): void {
    const { channel, body } = decodeChannelPayload(payload);
    const c = this.channels.get(channel);
    if (c) handle(c, body);
    else if (tag !== undefined && !this.everOpened.has(channel)) this.holdAhead({ tag, payload }, 'FRAME_MALFORMED');
    // Else a channel the host just ended: the device's frames can cross the end frame on the wire.
  }
}
