/**
 * A benchmark device for conversation sessions: the real SessionClient over Node WebRTC (node-datachannel), plus
 * ChunkStamps, which notes when each chunk "w<i> " of the scripted agent's `stream` command first
 * appears in a document — on the host's document or on a device's replica, so the two can be matched
 * chunk by chunk.
 */
import type * as Y from 'yjs';
import { SessionClient } from '../client/core/session-client.js';
import type { HostConnection } from '../client/core/host-connection.js';
import { entryText, readStatus, type ConversationDocView, type ConversationStatus } from '../protocol/conversation-doc.js';
import type { IntentReply } from '../protocol/messages.js';
import { newId } from '../protocol/ids.js';
import { nodeWebRtc } from '../host/node-webrtc.js';
import { Conditions } from './wait.js';
import type { WebRtcImplementation } from '../protocol/data-channel-peer.js';

/** The newest agent message of a conversation, if any (it is the last entry while the agent streams). */
function latestAgentEntry(view: ConversationDocView): Y.Map<unknown> | null {
  const n = view.entries.length;
  for (let i = n - 1; i >= Math.max(0, n - 4); i--) {
    const entry = view.entries.get(i);
    if (entry.get('type') === 'agent') return entry;
  }
  return null;
}

/** When each streamed chunk of the newest agent message first appeared in one document. */
export class ChunkStamps {
  /** stamps[i]: the time chunk "w<i> " was first seen (the clock is the caller's). */
  stamps: number[] = [];
  /** How many agent messages have been seen: a new one starts a new series of stamps. */
  series = 0;
  private entry: Y.Map<unknown> | null = null;
  private scanned = 0;

  constructor(private readonly view: ConversationDocView) {}

  /** Chunks seen of the newest agent message. */
  get count(): number {
    return this.stamps.length;
  }

  /**
   * Looks at the newest agent message and stamps every chunk that appeared since the last look with
   * `at`. A new agent message starts a new series. The text only ever grows at its end.
   */
  observe(at: number): void {
    const entry = latestAgentEntry(this.view);
    if (!entry) return;
    if (entry !== this.entry) {
      this.entry = entry;
      this.scanned = 0;
      this.stamps = [];
      this.series++;
    }
    const text = entryText(entry);
    if (text.length === this.scanned) return;
    const fresh = text.slice(this.scanned);
    this.scanned = text.length;
    for (const m of fresh.matchAll(/w(\d+) /g)) {
      const i = Number(m[1]);
      this.stamps[i] ??= at;
    }
  }
}

/** One Node device joined to a conversation session. */
export class ConversationDevice {
  readonly client: SessionClient;
  /** Arrival (performance.now()) of each chunk of the newest agent message in this replica. */
  readonly chunks: ChunkStamps;
  /** Error codes the client reported along the way, in order. */
  readonly errors: string[] = [];
  private readonly conditions: Conditions;

  /**
   * Joins the session at `url` with a connection of its own, or opens a session on a device's existing
   * connection (server-device.ts). `wrtc` defaults to host/node-webrtc.ts; a benchmark may pass an
   * instrumented copy (webrtc-timeline.ts).
   */
  constructor(target: string | { connection: HostConnection; sessionId: string }, name: string, wrtc: WebRtcImplementation = nodeWebRtc) {
    this.client = new SessionClient(typeof target === 'string' ? { url: target, wrtc, deviceName: name, deviceKind: 'terminal' } : target);
    this.chunks = new ChunkStamps(this.client.conversation);
    this.conditions = new Conditions(() => `client state ${this.client.state}${this.errors.length > 0 ? `; client errors: ${this.errors.join(', ')}` : ''}`);
    this.client.doc.on('afterTransaction', () => {
      this.chunks.observe(performance.now());
      this.conditions.notify();
    });
    this.client.on('state', (_state, error) => {
      if (error) this.errors.push(error.code);
      this.conditions.notify();
    });
  }

  /** Starts joining. */
  start(): this {
    this.client.start();
    return this;
  }

  /** The replica is synced with the host. */
  get live(): boolean {
    return this.client.state === 'live';
  }

  /** The agent's status in the replica. */
  get status(): ConversationStatus {
    return readStatus(this.client.conversation);
  }

  /** Sends a prompt. */
  prompt(text: string): Promise<IntentReply> {
    return this.client.sendIntent({ type: 'prompt', text });
  }

  /** Resolves as soon as `predicate` holds (checked on every document update and state change). */
  until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return this.conditions.until(predicate, timeoutMs, what);
  }

  /** Disconnects. */
  close(): void {
    this.client.close();
    this.conditions.clear();
  }
}
