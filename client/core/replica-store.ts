/**
 * Where a device keeps its replica of each session's document between visits (the browser: IndexedDB),
 * so a page opened while the host is unreachable shows the last synced state, and a device that rejoins
 * loads its replica first and syncs only what it missed. Node clients keep replicas in memory only.
 */
import * as Y from 'yjs';

/** A stored replica, open. */
export interface ReplicaHandle {
  /** When the replica was last known to be in step with the host (ms since epoch), null if never. */
  readonly lastSyncedAt: number | null;
  /** Records that the replica is in step with the host now. */
  setSynced(at: number): void;
  /**
   * Keeps an update from the host, as it came (the document it was applied to is not watched: Yjs would
   * encode every applied update again for a watcher, a long history's whole first sync on the main thread).
   */
  store(update: Uint8Array): void;
  /** The replica was dropped (the host's document is behind it): forget it and store `doc` from now on. */
  replace(doc: Y.Doc): Promise<void>;
  /** Stops storing (what is stored stays). */
  close(): void;
}

/** Opens stored replicas. */
export interface ReplicaStore {
  /** Loads the stored replica of `sessionId` into `doc` and keeps storing `doc`'s updates. */
  open(origin: string, sessionId: string, doc: Y.Doc): Promise<ReplicaHandle>;
}

/** Replicas kept in memory across clients of one process (tests; a Node device that rejoins). */
export class MemoryReplicaStore implements ReplicaStore {
  private readonly stored = new Map<string, { doc: Y.Doc | null; update: Uint8Array | null; lastSyncedAt: number | null }>();

  open(origin: string, sessionId: string, doc: Y.Doc): Promise<ReplicaHandle> {
    const key = `${origin} ${sessionId}`;
    const entry = this.stored.get(key) ?? { doc: null, update: null, lastSyncedAt: null };
    this.stored.set(key, entry);
    // Encoded when the previous client let go of it (cheaper than on every update).
    const previous = entry.doc ? Y.encodeStateAsUpdate(entry.doc) : entry.update;
    if (previous) Y.applyUpdate(doc, previous, this);
    entry.doc = doc;
    return Promise.resolve({
      get lastSyncedAt() {
        return entry.lastSyncedAt;
      },
      setSynced: (at: number) => void (entry.lastSyncedAt = at),
      store: () => undefined, // the document itself is kept
      replace: (next: Y.Doc) => {
        entry.doc = next;
        return Promise.resolve();
      },
      close: () => {
        if (entry.doc) entry.update = Y.encodeStateAsUpdate(entry.doc);
        entry.doc = null;
      },
    });
  }
}
