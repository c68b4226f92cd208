/**
 * The host's end of one device's data channel: hello and version check, Yjs sync (the device sends
 * its state vector, the host answers with what it misses, then streams updates), intents in and
 * replies out, and flow control: a device that falls behind stops receiving individual updates and
 * later gets one diff from where it fell behind, so a slow phone never grows the host's memory.
 */
import { EventEmitter } from 'node:events';
import * as Y from 'yjs';
import type { Logger } from 'pino';
import { PeerLink } from '../protocol/peer-link.js';
import { FrameTag, type Frame } from '../protocol/frames.js';
import { ClientHelloSchema, decodeClientHello, decodeJson, type ClientHello, type HostHello, type IntentReply } from '../protocol/messages.js';
import { decodeSync, encodeStep2, encodeStep2Update, encodeUpdate, isValidStateVector } from '../protocol/sync.js';
import { TetherError } from '../protocol/errors.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { ID_PATTERN } from '../protocol/ids.js';

/** Stop sending individual updates to a device once this much is waiting for it... */
const LAG_BYTES = 2 * 1024 * 1024;
/** ...and send it one catch-up diff once its backlog is below this. */
const CATCH_UP_BYTES = 256 * 1024;
const HELLO_TIMEOUT_MS = 5_000;

/** What a device connection needs from its session. */
export interface DeviceConnectionHost {
  readonly sessionId: string;
  readonly doc: Y.Doc;
  /** The whole document for a device that has nothing yet: a cached encoding and the diff since. */
  fullState(): [Uint8Array, Uint8Array | null];
  /** Validates and applies an intent with a well-formed id; resolves to its reply. */
  handleIntent(peerId: string, id: string, raw: Record<string, unknown>): Promise<IntentReply>;
}

interface DeviceConnectionEvents {
  /** Hello accepted: the device is now a member of the session. */
  joined: [ClientHello];
  close: [TetherError | null];
}

/** One device's data channel, from the host's side. */
export class DeviceConnection extends EventEmitter<DeviceConnectionEvents> {
  hello: ClientHello | null = null;
  private synced = false;
  private lagging = false;
  private helloTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly handlers: Record<number, (payload: Uint8Array) => void> = {
    [FrameTag.sync]: (p) => this.onSync(p),
    [FrameTag.intent]: (p) => this.onIntent(p),
    [FrameTag.error]: (p) => this.log.info({ payload: new TextDecoder().decode(p).slice(0, 200) }, 'device reported an error'),
  };

  constructor(
    readonly peerId: string,
    readonly link: PeerLink,
    private readonly host: DeviceConnectionHost,
    private readonly log: Logger,
  ) {
    super();
    link.on('open', () => {
      const hello: HostHello = { type: 'hello', v: PROTOCOL_VERSION, role: 'host', sessionId: host.sessionId, peerId };
      link.sendJson(FrameTag.hello, hello);
      this.helloTimer = setTimeout(() => link.fail(new TetherError('HELLO_TIMEOUT')), HELLO_TIMEOUT_MS);
    });
    link.on('frame', (frame) => this.onFrame(frame));
    link.on('close', (err) => {
      if (this.helloTimer) clearTimeout(this.helloTimer);
      if (err) this.log.warn({ code: err.code, err: err.message }, 'device connection closed with an error');
      else this.log.info('device connection closed');
      this.emit('close', err);
    });
  }

  /** Forwards a document update (made by the transaction whose prior state is `before`). */
  deliver(update: Uint8Array, before: Map<number, number>): void {
    if (!this.synced || this.lagging || this.link.destroyed) return;
    if (this.link.pendingBytes <= LAG_BYTES) {
      this.link.send(FrameTag.sync, encodeUpdate(update));
      return;
    }
    // Too far behind: skip individual updates and send one diff from here once the backlog drains.
    this.lagging = true;
    const resumeFrom = Y.encodeStateVector(before);
    this.log.debug({ pending: this.link.pendingBytes }, 'device lagging; will catch up with one diff');
    void this.link.whenBelow(CATCH_UP_BYTES).then(() => {
      this.lagging = false;
      if (!this.link.destroyed) this.link.send(FrameTag.sync, encodeUpdate(Y.encodeStateAsUpdate(this.host.doc, resumeFrom)));
    });
  }

  /** Ends the connection (err is sent to the device first when given). */
  close(err: TetherError | null = null): void {
    if (err) this.link.fail(err);
    else this.link.destroy(null);
  }

  private onFrame(frame: Frame): void {
    try {
      if (!this.hello) {
        this.onHello(frame);
        return;
      }
      const handler = this.handlers[frame.tag];
      if (!handler) throw new TetherError('FRAME_UNKNOWN_TAG', `unknown frame tag 0x${frame.tag.toString(16)}`);
      handler(frame.payload);
    } catch (err) {
      this.link.fail(err instanceof TetherError ? err : new TetherError('FRAME_MALFORMED', String(err)));
    }
  }

  private onHello(frame: Frame): void {
    if (frame.tag !== FrameTag.hello) throw new TetherError('HELLO_EXPECTED');
    // Version first, so an older or newer client gets the right code even if its hello differs in shape.
    const probe = decodeJson(ClientHelloSchema.pick({ v: true }).loose(), frame.payload);
    if (probe.v < PROTOCOL_VERSION) throw new TetherError('CLIENT_TOO_OLD');
    if (probe.v > PROTOCOL_VERSION) throw new TetherError('HOST_TOO_OLD');
    const hello = decodeClientHello(frame.payload);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    this.hello = hello;
    this.emit('joined', hello);
  }

  private onSync(payload: Uint8Array): void {
    const msg = decodeSync(payload);
    if (msg.type !== 'step1') throw new TetherError('FORBIDDEN_WRITE');
    if (!isValidStateVector(msg.stateVector)) throw new TetherError('FRAME_MALFORMED', 'bad state vector');
    if (Y.decodeStateVector(msg.stateVector).size === 0) {
      // A new device: what was written since the cached full encoding, then that encoding as step 2.
      // In this order the device is complete when step 2 arrives (Yjs holds the newer part as pending
      // until the older part it builds on is applied), so "live" always means caught up.
      const [full, since] = this.host.fullState();
      if (since) this.link.send(FrameTag.sync, encodeUpdate(since));
      this.link.send(FrameTag.sync, encodeStep2Update(full));
    } else {
      this.link.send(FrameTag.sync, encodeStep2(this.host.doc, msg.stateVector));
    }
    this.synced = true;
  }

  private onIntent(payload: Uint8Array): void {
    let raw: unknown;
    try {
      raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    } catch (err) {
      throw new TetherError('INTENT_INVALID', 'intent is not UTF-8 JSON', { cause: err });
    }
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || typeof id !== 'string' || !ID_PATTERN.test(id)) {
      // Without an id there is nothing to reply to: a protocol violation.
      throw new TetherError('INTENT_INVALID', 'intent must be an object with a 128-bit id');
    }
    void this.host.handleIntent(this.peerId, id, raw as Record<string, unknown>).then((reply) => {
      if (!this.link.destroyed) this.link.sendJson(FrameTag.reply, reply);
    });
  }
}
