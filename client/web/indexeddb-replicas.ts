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

/** Replicas in IndexedDB, one database per origin and session. */
export class IndexedDbReplicas implements ReplicaStore {
  async open(origin: string, sessionId: string, doc: Y.Doc): Promise<ReplicaHandle> {
    const name = `tether-replica ${origin} ${sessionId}`;
    let persistence = new IndexeddbPersistence(name, doc);
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
        persistence = new IndexeddbPersistence(name, next);
        await persistence.whenSynced;
      },
      close() {
        void persistence.destroy();
      },
    };
  }
}
