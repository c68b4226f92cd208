/**
 * The browser's replica store: each session's document in IndexedDB through y-indexeddb (the Yjs
 * project's own adapter: stores every update, merges them as they pile up), plus when it was last in
 * step with the host, so a page opened while the host is unreachable shows the last state and says how
 * old it is.
 */
import type * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import type { ReplicaHandle, ReplicaStore } from '../core/replica-store.js';

/** "Last synced" is written at most this often (every update would be a write). */
const SYNCED_WRITE_MS = 5_000;

const PREFIX = 'tether-replica';

/** Deletes one database; resolves when done, failed, or waiting on a connection still open elsewhere. */
function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

/** y-indexeddb's handler of a document's updates (not in its typings): appends one update, merging them as they pile up. */
type UpdateHandler = (update: Uint8Array, origin: unknown) => void;
const handlerOf = (p: IndexeddbPersistence): UpdateHandler | undefined => (p as unknown as { _storeUpdate?: UpdateHandler })._storeUpdate;

/**
 * Stops y-indexeddb from watching the document's updates (a watcher makes Yjs encode every applied update
 * again: a 10,000-message first sync cost ~150 ms more before the page could draw); the client hands it
 * the host's updates as they came instead. Should a future y-indexeddb not have that handler, it keeps
 * watching: slower, never unstored.
 */
function storingOnlyWhatIsGiven(p: IndexeddbPersistence): IndexeddbPersistence {
  const handler = handlerOf(p);
  if (handler) p.doc.off('update', handler);
  return p;
}

/** Hands `update` to `p` unless it has let go of its document (destroyed, or closed by this device). */
function storeUpdate(p: IndexeddbPersistence, update: Uint8Array): void {
  const handler = handlerOf(p);
  if (handler && !p.doc.isDestroyed && !(p as unknown as { _destroyed?: boolean })._destroyed) handler(update, 'host');
}

/** Replicas in IndexedDB, one database per origin and session. */
export class IndexedDbReplicas implements ReplicaStore {
  /**
   * Deletes every replica kept for the host at `origin` (it removed this device). A tab that still has one
   * open keeps it until it closes: the deletion completes then.
   */
  static async wipe(origin: string): Promise<void> {
    const all = await indexedDB.databases();
    // The origin, with or without a path prefix (a standalone signal server's), and nothing longer.
    const ofHost = (name: string): boolean => name.startsWith(`${PREFIX} ${origin} `) || name.startsWith(`${PREFIX} ${origin}/`);
    await Promise.all(all.flatMap((d) => (d.name && ofHost(d.name) ? [deleteDatabase(d.name)] : [])));
  }

  async open(origin: string, sessionId: string, doc: Y.Doc): Promise<ReplicaHandle> {
    const name = `${PREFIX} ${origin} ${sessionId}`;
    let persistence = storingOnlyWhatIsGiven(new IndexeddbPersistence(name, doc));
    await persistence.whenSynced;
    const stored: unknown = await persistence.get('lastSyncedAt');
    let written = 0;
    return {
      lastSyncedAt: typeof stored === 'number' ? stored : null,
      setSynced(at) {
        if (at - written < SYNCED_WRITE_MS) return;
        written = at;
        void persistence.set('lastSyncedAt', at);
      },
      async replace(next) {
        await persistence.clearData();
        persistence = storingOnlyWhatIsGiven(new IndexeddbPersistence(name, next));
        await persistence.whenSynced;
      },
      store(update) {
        storeUpdate(persistence, update);
      },
      close() {
        void persistence.destroy();
      },
    };
  }
}
