/**
 * What this page does when the host removes this device (revoked, or denied while waiting): the
 * credential is already forgotten by the connection; here everything else kept for that host is wiped.
 * Stores that keep data per host (replicas and queued prompts in IndexedDB) register a wipe with
 * onDeviceRevoked, and deviceRevoked runs them all.
 */

type Wipe = (origin: string) => void | Promise<void>;
const wipes = new Set<Wipe>();

/** Registers a wipe to run when a host at `origin` removes this device; returns a function that unregisters. */
export function onDeviceRevoked(wipe: Wipe): () => void {
  wipes.add(wipe);
  return () => wipes.delete(wipe);
}

/** Runs every registered wipe for `origin`; a failing one does not stop the others. */
export async function deviceRevoked(origin: string): Promise<void> {
  await Promise.all([...wipes].map(async (w) => {
    try {
      await w(origin);
    } catch (err) {
      console.warn('tether: a wipe after revocation failed', err);
    }
  }));
}
