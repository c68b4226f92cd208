/**
 * Bounded waits for tests: waitFor(predicate) polls until true, bounded(promise) rejects when a promise is late,
 * settledOr(promise) gives a stand-in value when it is. Their timeouts only catch hangs, never measure speed;
 * each clears its timer, so a finished test file is not held open by one.
 */

/**
 * Polls `predicate` every 10 ms; rejects with `label` after `timeoutMs`, plus what `describe` says about
 * the state at that moment when given (so a failure on CI says more than "timed out").
 */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, label: string, describe?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) {
      const state = describe ? await describe().catch((err: unknown) => `(could not describe: ${String(err)})`) : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${label}${state ? `; ${state}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `promise`, or a rejection naming `label` after `ms`: a frozen host must fail a test, not hang it. */
export async function bounded<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${label}`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** What `promise` gives, or `fallback` if it has not settled within `ms` (for asserting on, e.g. 'still running'). */
export async function settledOr<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
