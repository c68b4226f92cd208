/**
 * Reads a host's session store as another process would: a test that kills a host with SIGKILL first
 * waits here until what it relies on is on disk (a host writes its updates within FLUSH_MS; a crash loses
 * the rest, by design).
 */
import type * as Y from 'yjs';
import { SessionStore } from '../../host/persist/session-store.js';
import { DocLog } from '../../host/persist/doc-log.js';
import { waitFor } from './wait-for.js';

/** Waits until the stored document `docId` satisfies `stored`. */
export async function waitUntilStoredDoc(stateDir: string, docId: string, stored: (doc: Y.Doc | null) => boolean, label: string): Promise<void> {
  const store = SessionStore.open(stateDir);
  try {
    await waitFor(() => stored(DocLog.load(store, docId)?.doc ?? null), 5000, label);
  } finally {
    await store.close();
  }
}
