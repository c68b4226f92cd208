/** Waiting for several things to finish, but never longer than a bound (a shutdown must not hang on a silent device). */

/** Resolves once every promise in `waits` has settled, or after `timeoutMs`, whichever comes first; the timer is cleared either way. */
export async function settleWithin(waits: ReadonlyArray<Promise<unknown>>, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([Promise.allSettled(waits), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}
