/**
 * `tether attach -`: the link read from standard input instead of the command line, so its key never shows
 * in `ps` or the shell history. On a terminal it is asked for without echo; from a pipe the first line is it
 * (the rest of the input stays for the attach itself).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** How long to wait for the link before giving up. */
const LINK_INPUT_TIMEOUT_MS = 120_000;

/** Reads one line (the link) from `input`; rejects after a timeout or when the input ends first. */
export function readLink(input: NodeJS.ReadStream, prompt: NodeJS.WritableStream): Promise<string> {
  const tty = input.isTTY === true;
  // On a terminal, echo nothing: the link is a secret. The interface puts the terminal in raw mode (no
  // echo) before the prompt shows, so nothing typed as soon as the prompt appears is echoed.
  const muted = new Writable({ write: (_c, _e, done) => done() });
  const rl = createInterface({ input, output: tty ? muted : undefined, terminal: tty });
  if (tty) prompt.write('Session link (input hidden): ');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      rl.close();
      reject(new Error('no link given on standard input'));
    }, LINK_INPUT_TIMEOUT_MS);
    rl.once('line', (line) => {
      clearTimeout(timer);
      if (tty) prompt.write('\n');
      // Settle before closing: closing emits 'close', which would otherwise reject first.
      resolve(line.trim());
      rl.close();
    });
    rl.once('close', () => {
      clearTimeout(timer);
      reject(new Error('standard input ended before a link was given'));
    });
  });
}
