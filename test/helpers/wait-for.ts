/** waitFor(predicate, timeoutMs): poll until true; the timeout only catches hangs, it never measures speed. */

/** Polls `predicate` every 10 ms; rejects with `label` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
