/** waitFor(predicate, timeoutMs): poll until true; the timeout only catches hangs, it never measures speed. */

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
