/**
 * One device's subscription to one session, on one channel number of its connection: Yjs sync (the device
 * sends its state vector, the host answers with what it misses, then streams updates), intents in and
 * replies out, and flow control — a device that falls behind stops receiving individual updates and later
 * gets one diff from where it fell behind, so a slow phone never grows the host's memory.
 */
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { PeerLink } from '../../protocol/peer-link.js';
import { encodeChannelFrame, FrameTag } from '../../protocol/frames.js';
import { decodeSync, encodeStep2, encodeStep2Update, encodeUpdate, isValidStateVector } from '../../protocol/sync.js';
import { AppliedSchema, decodeJson, encodeJson, type ChannelEnd, type ChannelOpened } from '../../protocol/messages.js';
import type { Presence } from '../../protocol/presence.js';
import { TetherError } from '../../protocol/errors.js';
import { ID_PATTERN } from '../../protocol/ids.js';
import { fromUtf8, toBase64Url, utf8 } from '../../protocol/encoding.js';
import type { Actor, SessionCore, Subscriber } from './session-core.js';
import { traceHop } from '../echo-trace.js';
import { DeviceBacklog } from './device-backlog.js';
import { processMemoryRelease } from '../memory-release.js';

/** Presence frames as JSON, by frame object (the core hands the same object to all devices of a role). */
const presenceJson = new WeakMap<Presence, string>();

/** Stop sending individual updates to a device once it is this far behind (device-backlog.ts)... */
const LAG_BYTES = 2 * 1024 * 1024;
/** ...and send it one catch-up diff once its backlog is below this. */
const CATCH_UP_BYTES = 256 * 1024;
/** Most sync requests one subscription answers: a device asks once per (re)open, so more is a flood. */
const MAX_SYNC_REQUESTS = 4;
/**
 * A keystroke's reply waits for its echo (at most this long): sent at once, it goes out while the program
 * echoes and holds the echo up by a send on each side (~0.2 ms measured). Nobody waits on these replies:
 * they only settle the device's outbox, and a device that reconnects before one arrives sends the
 * keystroke again, which the host recognises by its id. A device's ping is answered after them.
 */
const KEYSTROKE_REPLY_HOLD_MS = 200;

/** A session channel of one device connection. */
export class SessionChannel implements Subscriber {
  private synced = false;
  private lagging = false;
  private syncRequests = 0;
  private ended = false;
  /** The last presence frame sent, as JSON. */
  private lastPresence: string | null = null;
  /** Replies to keystrokes, held until the next sync frame (their echo) or KEYSTROKE_REPLY_HOLD_MS. */
  private heldReplies: Uint8Array[] = [];
  private heldTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly backlog: DeviceBacklog;

  constructor(
    readonly channel: number,
    readonly sessionId: string,
    readonly core: SessionCore,
    /** The device as the host currently records it (its role can change while the channel is open). */
    private readonly actorOf: () => Actor,
    private readonly link: PeerLink,
    private readonly log: Logger,
    /** Called once when the subscription ends, for the connection to forget it. */
    private readonly onEnded: (channel: SessionChannel) => void,
  ) {
    this.backlog = new DeviceBacklog(link);
  }

  get actor(): Actor {
    return this.actorOf();
  }

  /** Subscribes and tells the device the channel is live, and what it may do in this session. */
  open(): void {
    // The host's state vector lets a device whose replica is ahead of it (it saw updates a crashed host
    // never stored) notice, drop the replica and sync from nothing.
    const opened: ChannelOpened = { sessionId: this.sessionId, role: this.core.roleIn(this.actor.role), stateVector: toBase64Url(Y.encodeStateVector(this.core.doc)) };
    this.send(FrameTag.opened, encodeJson(opened));
    this.core.subscribe(this);
  }

  /** The device's role changed: tell it again what it may do here (it does not sync again). */
  reopen(): void {
    if (this.ended) return;
    const opened: ChannelOpened = { sessionId: this.sessionId, role: this.core.roleIn(this.actor.role) };
    this.send(FrameTag.opened, encodeJson(opened));
    this.core.updateSubscriber(this);
  }

  deliver(update: Uint8Array, before: Map<number, number>): void {
    if (!this.synced || this.lagging || this.link.destroyed) return;
    if (this.backlog.bytes <= LAG_BYTES) {
      const frame = encodeUpdate(update);
      traceHop('update-encoded');
      this.send(FrameTag.sync, frame);
      traceHop('frame-sent');
      this.sendHeldReplies();
      return;
    }
    // Too far behind: skip individual updates and send one diff from here once the backlog drains.
    this.lagging = true;
    const resumeFrom = Y.encodeStateVector(before);
    this.log.debug({ behind: this.backlog.bytes, channel: this.channel }, 'device lagging; will catch up with one diff');
    void this.backlog.whenBelow(CATCH_UP_BYTES).then(() => {
      this.lagging = false;
      if (!this.ended && !this.link.destroyed) this.send(FrameTag.sync, encodeUpdate(Y.encodeStateAsUpdate(this.core.doc, resumeFrom)));
    });
  }

  presence(presence: Presence): void {
    if (this.ended) return;
    // The list's frames carry the host's devices, re-sent on every change anywhere: send only news.
    // One frame object goes to every device of a role: it is encoded once.
    let json = presenceJson.get(presence);
    if (json === undefined) presenceJson.set(presence, (json = JSON.stringify(presence)));
    if (json === this.lastPresence) return;
    this.lastPresence = json;
    this.send(FrameTag.presence, utf8(json));
  }

  drained(): Promise<void> {
    return this.link.whenBelow(0);
  }

  /** Ends the subscription for good, telling the device why. */
  end(err: TetherError): void {
    if (this.ended) return;
    this.sendHeldReplies();
    const end: ChannelEnd = err.toJSON();
    this.send(FrameTag.end, encodeJson(end));
    this.detach();
  }

  /** Forgets the subscription without a word (the device unsubscribed, or its connection is gone). */
  detach(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.heldTimer) clearTimeout(this.heldTimer);
    this.heldReplies = [];
    this.core.unsubscribe(this);
    this.onEnded(this);
  }

  /** A sync frame from the device: only step 1 (its state vector) is allowed. */
  onSync(body: Uint8Array): void {
    const msg = decodeSync(body);
    if (msg.type !== 'step1') throw new TetherError('FORBIDDEN_WRITE');
    if (!isValidStateVector(msg.stateVector)) throw new TetherError('FRAME_MALFORMED', 'bad state vector');
    if (++this.syncRequests > MAX_SYNC_REQUESTS) throw new TetherError('FRAME_MALFORMED', 'too many sync requests on one channel');
    // A device that does not read what it asked for gets nothing more queued until it does.
    if (this.backlog.bytes > LAG_BYTES) {
      this.log.debug({ behind: this.backlog.bytes }, 'sync request deferred until the device catches up');
      void this.backlog.whenBelow(CATCH_UP_BYTES).then(() => {
        if (!this.ended && !this.link.destroyed) this.answerSync(msg.stateVector);
      });
      return;
    }
    this.answerSync(msg.stateVector);
  }

  private answerSync(stateVector: Uint8Array): void {
    const queuedBefore = this.link.pendingBytes;
    if (Y.decodeStateVector(stateVector).size === 0) {
      // A new device: what was written since the cached full encoding, then that encoding as step 2.
      // In this order the device is complete when step 2 arrives (Yjs holds the newer part as pending
      // until the older part it builds on is applied), so "live" always means caught up.
      const [full, since] = this.core.full();
      if (since) this.send(FrameTag.sync, encodeUpdate(since));
      this.send(FrameTag.sync, encodeStep2Update(full));
    } else {
      this.send(FrameTag.sync, encodeStep2(this.core.doc, stateVector));
    }
    this.synced = true;
    // Debug: where a device that never becomes live stopped (the churn test prints these lines).
    this.log.debug({ bytes: this.link.pendingBytes - queuedBefore, queuedBefore, closed: this.link.destroyed }, 'sync answered');
  }

  /** An applied frame from the device: how much of this channel's sync it has applied. */
  onApplied(body: Uint8Array): void {
    this.backlog.onApplied(decodeJson(AppliedSchema, body).bytes);
  }

  /** An intent frame from the device. */
  onIntent(body: Uint8Array): void {
    let raw: unknown;
    try {
      raw = JSON.parse(fromUtf8(body));
    } catch (err) {
      throw new TetherError('INTENT_INVALID', 'intent is not UTF-8 JSON', { cause: err });
    }
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || typeof id !== 'string' || !ID_PATTERN.test(id)) {
      // Without an id there is nothing to reply to: a protocol violation.
      throw new TetherError('INTENT_INVALID', 'intent must be an object with a 128-bit id');
    }
    const keystroke = (raw as { type?: unknown }).type === 'input';
    void this.core.handleIntent(this.actor, id, raw as Record<string, unknown>).then((reply) => {
      if (this.ended) return;
      if (keystroke && reply.ok) this.holdReply(encodeJson(reply));
      else this.send(FrameTag.reply, encodeJson(reply));
    });
  }

  private holdReply(payload: Uint8Array): void {
    this.heldReplies.push(payload);
    this.heldTimer ??= setTimeout(() => this.sendHeldReplies(), KEYSTROKE_REPLY_HOLD_MS);
  }

  /** Sends the held keystroke replies now (after an echo, or before a pong). */
  sendHeldReplies(): void {
    if (this.heldReplies.length === 0) return;
    if (this.heldTimer) clearTimeout(this.heldTimer);
    this.heldTimer = null;
    const held = this.heldReplies;
    this.heldReplies = [];
    for (const payload of held) this.send(FrameTag.reply, payload);
  }

  private send(tag: number, payload: Uint8Array): void {
    if (this.link.destroyed) return;
    this.link.sendFrame(encodeChannelFrame(tag, this.channel, payload));
    if (tag === FrameTag.sync) {
      this.backlog.sentSync(payload.length);
      // A lagging device's catch-up comes after the output: the burst is over once it is sent too.
      processMemoryRelease.note(payload.length);
    }
  }
}
