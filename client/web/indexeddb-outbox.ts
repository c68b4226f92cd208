/**
 * The browser's outbox storage: prompts waiting for the host, in IndexedDB (one database for all
 * sessions, keyed by session and prompt id), so a reload or a closed tab loses none; other tabs of the
 * same origin hear of changes through a BroadcastChannel and send the same prompts (same ids: the host
 * applies each once).
 */
import * as idb from 'lib0/indexeddb';
import type { OutboxItem, OutboxStorage } from '../core/outbox.js';

const DB = 'tether-outbox';
const STORE = 'prompts';

interface Row extends OutboxItem {
  session: string;
}

/** Outboxes in IndexedDB. */
export class IndexedDbOutbox implements OutboxStorage {
  private db: Promise<IDBDatabase> | null = null;
  private readonly channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(DB) : null;

  private open(): Promise<IDBDatabase> {
    this.db ??= idb.openDB(DB, (db) => idb.createStores(db, [[STORE]]));
    return this.db;
  }

  private async store(): Promise<IDBObjectStore> {
    const [store] = idb.transact(await this.open(), [STORE]);
    return store!;
  }

  async load(session: string): Promise<OutboxItem[]> {
    const rows = (await idb.getAll(await this.store())) as Row[];
    return rows.filter((r) => r.session === session).map(({ session: _s, ...item }) => item);
  }

  async put(session: string, item: OutboxItem): Promise<void> {
    await idb.put(await this.store(), { ...item, session } satisfies Row as unknown as string, `${session} ${item.id}`);
    this.channel?.postMessage(session);
  }

  async remove(session: string, id: string): Promise<void> {
    await idb.del(await this.store(), `${session} ${id}`);
    this.channel?.postMessage(session);
  }

  /** Drops every waiting prompt of this page's origin (its host removed this device). */
  async wipe(): Promise<void> {
    await idb.rtop((await this.store()).clear());
    this.channel?.postMessage(null);
  }

  onChange(session: string, listener: () => void): () => void {
    const onMessage = (event: MessageEvent): void => {
      if (event.data === session) listener();
    };
    this.channel?.addEventListener('message', onMessage);
    return () => this.channel?.removeEventListener('message', onMessage);
  }
}
