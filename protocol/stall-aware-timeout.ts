/**
 * A timeout that does not count time this process spent stopped. A timer that fires late means the
 * process did not run for a while (SIGSTOP, a closed laptop lid, a machine too busy to run it), and the
 * answer it waits for may already be queued behind it: it then waits STALL_GRACE_MS more, so pending
 * I/O is read first, before it gives up.
 */

/** How late a timer may fire before the wait counts as stalled, and how long it then waits again. */
export const STALL_GRACE_MS = 500;

/**
 * Late firings in a row after which it times out anyway: a process that is late at every turn (busy for
 * good, not stopped once) must still give up on what never answers.
 */
export const MAX_LATE_FIRINGS = 3;

/** Calls `onTimeout` after `ms` of this process running; returns a function that cancels it. */
export function stallAwareTimeout(ms: number, onTimeout: () => void): () => void {
  let timer: ReturnType<typeof setTimeout>;
  let late = 0;
  const arm = (wait: number): void => {
    const due = Date.now() + wait;
    timer = setTimeout(() => {
      if (Date.now() - due > STALL_GRACE_MS && ++late <= MAX_LATE_FIRINGS) arm(STALL_GRACE_MS);
      else onTimeout();
    }, wait);
  };
  arm(ms);
  return () => clearTimeout(timer);
}
