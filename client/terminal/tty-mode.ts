/** Raw-mode switching that survives a terminal that has gone away (SIGHUP, closed window: EIO). */

/** Sets raw mode when `input` is a TTY; a vanished terminal is ignored (there is nothing to restore). */
export function setRawModeSafely(input: NodeJS.ReadStream, raw: boolean): void {
  if (!input.isTTY) return;
  try {
    input.setRawMode(raw);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EIO') throw err;
  }
}
