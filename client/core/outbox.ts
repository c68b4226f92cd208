/**
 * Prompts typed while the host is unreachable wait in a visible outbox (which the user can edit or empty),
 * kept in storage (the browser: IndexedDB) so a reload or a closed tab loses nothing, and are sent when
 * the host is back. Each keeps the intent id it was given, which the host applies once: a prompt lands
 * exactly once across reconnects, host restarts, and two tabs sending the same outbox. Only prompts go
 * here; keystrokes and answers are never replayed later.
 */
import { EventEmitter } from 'events';
import { newId } from '../../protocol/ids.js';
import type { IntentReply, PromptImage } from '../../protocol/messages.js';
import type { SessionClient } from './session-client.js';

/** A prompt waiting to be confirmed by the host. */
export interface OutboxItem {
  /** The prompt intent's id: the host applies it once. */
  id: string;
  text: string;
  images?: PromptImage[];
  createdAt: number;
}

/** Where an outbox is kept, per session. */
export interface OutboxStorage {
  load(sessionKey: string): Promise<OutboxItem[]>;
  put(sessionKey: string, item: OutboxItem): Promise<void>;
  remove(sessionKey: string, id: string): Promise<void>;
  /** Calls `listener` when another tab changed the outbox; returns an unsubscribe. */
  onChange?(sessionKey: string, listener: () => void): () => void;
}

/** Outboxes in memory (Node clients, tests). */
export class MemoryOutboxStorage implements OutboxStorage {
  private readonly items = new Map<string, Map<string, OutboxItem>>();
  load(key: string): Promise<OutboxItem[]> {
    return Promise.resolve([...(this.items.get(key)?.values() ?? [])]);
  }
  put(key: string, item: OutboxItem): Promise<void> {
    let m = this.items.get(key);
    if (!m) this.items.set(key, (m = new Map()));
    m.set(item.id, { ...item });
    return Promise.resolve();
  }
  remove(key: string, id: string): Promise<void> {
    this.items.get(key)?.delete(id);
    return Promise.resolve();
  }
}

interface OutboxEvents {
  /** The waiting prompts changed (added, edited, removed, confirmed). */
  changed: [];
  /** The host answered a prompt from the outbox. */
  settled: [OutboxItem, IntentReply];
}

/** One session's outbox. */
export class Outbox extends EventEmitter<OutboxEvents> {
  private readonly waiting = new Map<string, OutboxItem>();
  private readonly key: string;
  private unsubscribe: (() => void) | null = null;
  private loaded: Promise<void>;

  constructor(
    private readonly client: SessionClient,
    private readonly storage: OutboxStorage,
  ) {
    super();
    this.key = `${client.connection.origin} ${client.sessionId}`;
    this.loaded = this.reload();
    this.unsubscribe = storage.onChange?.(this.key, () => void this.reload()) ?? null;
  }

  /** Prompts waiting for the host, oldest first. */
  get items(): OutboxItem[] {
    return [...this.waiting.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Resolves once the stored outbox was loaded (and its prompts handed to the client). */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** Keeps a prompt, then sends it (now, or when the host is back); resolves with the host's reply. */
  async add(text: string, images: PromptImage[] = []): Promise<IntentReply> {
    const item: OutboxItem = { id: newId(), text, ...(images.length > 0 ? { images } : {}), createdAt: Date.now() };
    await this.storage.put(this.key, item);
    this.waiting.set(item.id, item);
    this.emit('changed');
    return this.send(item);
  }

  /** Changes a waiting prompt's text; false when it was sent already (it cannot be changed any more). */
  async edit(id: string, text: string): Promise<boolean> {
    const item = this.waiting.get(id);
    if (!item || !this.client.withdraw(id)) return false;
    const edited = { ...item, text };
    this.waiting.set(id, edited);
    await this.storage.put(this.key, edited);
    this.emit('changed');
    void this.send(edited);
    return true;
  }

  /** Removes a waiting prompt; false when it was sent already. */
  async remove(id: string): Promise<boolean> {
    if (!this.waiting.has(id) || !this.client.withdraw(id)) return false;
    this.waiting.delete(id);
    await this.storage.remove(this.key, id);
    this.emit('changed');
    return true;
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Sends one prompt with its own id and waits however long it takes; settles it on the host's answer. */
  private async send(item: OutboxItem): Promise<IntentReply> {
    const body = item.images?.length ? { type: 'prompt' as const, text: item.text, images: item.images } : { type: 'prompt' as const, text: item.text };
    const reply = await this.client.sendIntent(body, { id: item.id, queue: true });
    // Withdrawn (edited or removed here or in another tab), or this client closed (the page is leaving):
    // not an answer from the host, so the prompt stays stored.
    if (!reply.ok && (reply.error.code === 'OFFLINE' || this.client.state === 'closed' || this.client.state === 'failed')) return reply;
    const current = this.waiting.get(item.id);
    if (current && current.text === item.text) {
      this.waiting.delete(item.id);
      await this.storage.remove(this.key, item.id);
      this.emit('settled', item, reply);
      this.emit('changed');
    }
    return reply;
  }

  /** Loads the stored outbox (another tab may have changed it) and sends what this tab does not have yet. */
  private async reload(): Promise<void> {
    const stored = await this.storage.load(this.key);
    const ids = new Set(stored.map((i) => i.id));
    for (const item of stored) {
      const mine = this.waiting.get(item.id);
      if (mine && mine.text === item.text) continue;
      if (mine && !this.client.withdraw(item.id)) continue;
      this.waiting.set(item.id, item);
      void this.send(item);
    }
    // Gone from storage: confirmed or removed in another tab.
    for (const id of [...this.waiting.keys()]) if (!ids.has(id) && this.client.withdraw(id)) this.waiting.delete(id);
    this.emit('changed');
  }
}
