/**
 * The browser's replica store: each session's document in IndexedDB through y-indexeddb (the Yjs
 * project's own adapter: stores updates, merging them as they pile up; written in batches during bursts),
 * plus when it was last in step with the host, so a page opened while the host is unreachable shows the
 * last state and says how old it is.
 */
import type * as Y from 'yjs';
import { IndexeddbPersistence, PREFERRED_TRIM_SIZE, storeState } from 'y-indexeddb';
import type { ReplicaHandle, ReplicaStore } from '../core/replica-store.js';
import { ReplicaWriteBatch } from './replica-write-batch.js';

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

/**
 * Stops y-indexeddb from watching the document's updates (a watcher makes Yjs encode every applied update
 * again: a 10,000-message first sync cost ~150 ms more before the page could draw); the client hands the
 * host's updates to storeUpdates as they came instead.
 */
function storingOnlyWhatIsGiven(p: IndexeddbPersistence): IndexeddbPersistence {
  p.doc.off('update', p._storeUpdate);
  return p;
}

/** y-indexeddb's object store of updates. */
const UPDATES_STORE = 'updates';

/**
 * Appends `updates` to `p`'s store in one transaction (y-indexeddb's own handler opens one per update), and
 * has y-indexeddb merge the store once it holds many, as its handler does. Nothing when `p` has let go of
 * its document (destroyed, or closed by this device).
 */
function storeUpdates(p: IndexeddbPersistence, updates: Uint8Array[]): void {
  if (!p.db || p._destroyed || p.doc.isDestroyed) return;
  const transaction = p.db.transaction([UPDATES_STORE], 'readwrite');
  const store = transaction.objectStore(UPDATES_STORE);
  for (const update of updates) store.add(update);
  // Committed now rather than when the page next yields: a write made as the page is hidden or closed
  // (pagehide) may otherwise never be committed.
  transaction.commit();
  p._dbsize += updates.length;
  if (p._dbsize < PREFERRED_TRIM_SIZE) return;
  if (p._storeTimeoutId !== null) clearTimeout(p._storeTimeoutId);
  p._storeTimeoutId = setTimeout(() => {
    void storeState(p, false);
    p._storeTimeoutId = null;
  }, p._storeTimeout);
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
    const batch = new ReplicaWriteBatch((updates) => storeUpdates(persistence, updates));
    // A page being hidden may never run again (a phone's browser discards it): write what waits.
    const onHidden = (): void => {
      if (document.visibilityState === 'hidden') batch.flush();
    };
    const onPageHide = (): void => batch.flush();
    document.addEventListener('visibilitychange', onHidden);
    window.addEventListener('pagehide', onPageHide);
    document.addEventListener('freeze', onPageHide);
    return {
      lastSyncedAt: typeof stored === 'number' ? stored : null,
      setSynced(at) {
        if (at - written < SYNCED_WRITE_MS) return;
        written = at;
        batch.flush(); // what it says it is in step with is stored first
        void persistence.set('lastSyncedAt', at);
      },
      async replace(next) {
        batch.drop();
        await persistence.clearData();
        persistence = storingOnlyWhatIsGiven(new IndexeddbPersistence(name, next));
        await persistence.whenSynced;
      },
      store(update) {
        batch.add(update);
        // A hidden page's timers are throttled (to once a minute, in time): nothing waits for them.
        if (document.visibilityState === 'hidden') batch.flush();
      },
      close() {
        batch.flush();
        document.removeEventListener('visibilitychange', onHidden);
        window.removeEventListener('pagehide', onPageHide);
        document.removeEventListener('freeze', onPageHide);
        void persistence.destroy();
      },
    };
  }
}
