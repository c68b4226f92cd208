/**
 * What a command that runs sessions opens at startup: the session store, the watchdog of the programs and
 * agents it starts, and regular pruning of stored sessions. Loaded only by those commands (the store's
 * native module is not needed by `tether attach` or `tether signal`).
 */
import type { Logger } from 'pino';
import type { RemoteControlCommand } from '../cli-args.js';
import { SessionStore } from './session-store.js';
import { ProcessGuard } from './process-guard.js';
import { pruneHistory } from './retention.js';
import { processMemoryRelease, releaseFileMappings } from '../memory-release.js';

/** The open store and watchdog, and how to close them. */
export interface Persistence {
  store: SessionStore;
  guard: ProcessGuard;
  close(): Promise<void>;
}

/** Stored sessions are pruned (--keep-history, --history-limit) at startup and this often after. */
const PRUNE_EVERY_MS = 6 * 3_600_000;

/** The store, the process watchdog and regular pruning, for a command that runs sessions. */
export async function openPersistence(cmd: RemoteControlCommand, log: Logger): Promise<Persistence> {
  const store = SessionStore.open(cmd.stateDir);
  // Every document's writes go through this store: the release after a burst logs with the host.
  processMemoryRelease.log = log.child({ component: 'memory' });
  const stopReleasing = releaseFileMappings(store.file);
  const prune = (): Promise<unknown> =>
    pruneHistory(store, { olderThanMs: cmd.keepHistoryMs, limitBytes: cmd.historyLimitBytes }).then(
      (removed) => removed.length > 0 && log.info({ removed: removed.length }, 'pruned stored sessions'),
      (err: unknown) => log.warn({ err: String(err) }, 'could not prune stored sessions'),
    );
  await prune();
  const timer = setInterval(() => void prune(), PRUNE_EVERY_MS);
  timer.unref();
  const guard = new ProcessGuard(log);
  return {
    store,
    guard,
    async close() {
      clearInterval(timer);
      stopReleasing();
      guard.close();
      await store.close();
    },
  };
}
