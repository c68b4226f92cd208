/**
 * A benchmark device holding a server's session list: the real SessionClient on the server's link,
 * reading the list document; notes when each session's row first appeared, and lets a benchmark
 * wait (event-driven) until a row reaches a state.
 */
import type * as Y from 'yjs';
import { SessionClient } from '../client/core/session-client.js';
import type { HostConnection } from '../client/core/host-connection.js';
import { readListedSessions, sessionListDocView, type SessionListDocView } from '../protocol/session-list-doc.js';
import type { IntentReply } from '../protocol/messages.js';
import { newId } from '../protocol/ids.js';
import { nodeWebRtc } from '../host/node-webrtc.js';
import { Conditions } from './wait.js';

/** One device on the session list. */
export class ListDevice {
  readonly client: SessionClient;
  readonly view: SessionListDocView;
  /** Session name → when its row first appeared in this replica (performance.now()). */
  readonly rowSeenAt = new Map<string, number>();
  private readonly conditions: Conditions;

  /** Joins the list at `serverUrl` with a connection of its own, or opens it on a device's existing connection. */
  constructor(target: string | { connection: HostConnection; sessionId: string }) {
    this.client = new SessionClient(typeof target === 'string' ? { url: target, wrtc: nodeWebRtc, deviceName: 'bench-list', deviceKind: 'terminal' } : target);
    this.view = sessionListDocView(this.client.doc);
    this.conditions = new Conditions(() => `list client state ${this.client.state}`);
    this.client.doc.on('afterTransaction', () => {
      const now = performance.now();
      for (const row of this.view.sessions.values()) {
        const name = String(row.get('name'));
        if (!this.rowSeenAt.has(name)) this.rowSeenAt.set(name, now);
      }
      this.conditions.notify();
    });
    this.client.on('state', () => this.conditions.notify());
  }

  /** Starts joining. */
  start(): this {
    this.client.start();
    return this;
  }

  get live(): boolean {
    return this.client.state === 'live';
  }

  /** A session's row, by id. */
  row(sessionId: string): Y.Map<unknown> | undefined {
    return this.view.sessions.get(sessionId);
  }

  /** A session's state as the list shows it ('' when it has no row). */
  state(sessionId: string): string {
    return String(this.row(sessionId)?.get('state') ?? '');
  }

  /** The id of the session named `name` in the list, or null while it has no row. */
  idOf(name: string): string | null {
    return readListedSessions(this.view).find((s) => s.name === name)?.id ?? null;
  }

  /** Asks the server to start a session. */
  startSession(name: string, agent: string): Promise<IntentReply> {
    return this.client.sendIntent({ type: 'start-session', name, agent });
  }

  /** Resolves as soon as `predicate` holds (checked on every list update). */
  until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return this.conditions.until(predicate, timeoutMs, what);
  }

  close(): void {
    this.client.close();
    this.conditions.clear();
  }
}
