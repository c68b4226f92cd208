/**
 * Paces program output into a terminal that may parse slower than output arrives (a phone, a busy
 * laptop): while the terminal still has a backlog, new output is held; when the held output grows past
 * what is worth drawing, its middle is skipped (only rendering: the document keeps everything) and the
 * terminal shows a dim "… n KB skipped …" line, then the newest output, so the last screen is exact.
 */

/** Writes `data` to the terminal and calls `parsed` once the terminal has processed it (xterm's write). */
export type TerminalWrite = (data: string, parsed: () => void) => void;

/** How much the terminal may have queued but not yet parsed before new output is held back. */
export const MAX_UNPARSED_CHARS = 256 * 1024;
/** Held output beyond this is skipped: the device cannot keep up, and it would only scroll past. */
export const SKIP_ABOVE_CHARS = 1024 * 1024;
/** What is kept from skipped output: its newest part, from a line start (many screens' worth). */
export const KEEP_TAIL_CHARS = 64 * 1024;

/**
 * Resets the terminal from within the output (RIS), so the reset takes its place behind what the terminal
 * still has queued: a reset made at once would be followed by that stale output, then the replay.
 */
export const RESET = '\x1bc';

/** The dim line shown where output was skipped (SGR state is reset around it). */
export function skippedLine(chars: number): string {
  const kb = Math.max(1, Math.round(chars / 1024)).toLocaleString('en-US');
  return `\x1b[0m\r\n\x1b[2m… ${kb} KB skipped …\x1b[0m\r\n`;
}

/** One terminal's output pacing. */
export class OutputPacer {
  private held: string[] = [];
  private heldChars = 0;
  private unparsed = 0;
  /** Output not drawn so far (characters), for tests and diagnostics. */
  skippedChars = 0;

  constructor(
    private readonly write: TerminalWrite,
    private readonly limits = { maxUnparsed: MAX_UNPARSED_CHARS, skipAbove: SKIP_ABOVE_CHARS, keepTail: KEEP_TAIL_CHARS },
  ) {}

  /** New output, in order. */
  push(text: string): void {
    if (!text) return;
    // The common case (an idle terminal, a keystroke's echo) goes straight through. One arrival too
    // large to draw (a catch-up diff after the device fell behind) is skipped like held output.
    if (this.heldChars === 0 && this.unparsed < this.limits.maxUnparsed && text.length <= this.limits.skipAbove) {
      this.send(text);
      return;
    }
    this.held.push(text);
    this.heldChars += text.length;
    this.pump();
  }

  /** Forgets held output (the terminal is going away). */
  clear(): void {
    this.held = [];
    this.heldChars = 0;
  }

  /**
   * Draws the screen again from `text` (all the output the document keeps, after chunks this device never
   * saw were trimmed: it was away, or so far behind that the host sent it one diff). A terminal holding
   * output back is behind (output kept coming faster than it parsed): it draws only the newest part, after
   * a gap line, as held output would be. One merely still parsing (a replica replayed on open) draws all.
   */
  restart(text: string): void {
    const behind = this.heldChars > 0;
    this.clear();
    this.send(RESET + (behind ? this.skipToTail(text) : text));
  }

  private pump(): void {
    if (this.heldChars === 0 || this.unparsed >= this.limits.maxUnparsed) return;
    let text = this.held.join('');
    this.held = [];
    this.heldChars = 0;
    this.send(text.length > this.limits.skipAbove ? this.skipToTail(text) : text);
  }

  /** The newest KEEP_TAIL_CHARS of `text` (from a line start) after a gap line, counting what is skipped. */
  private skipToTail(text: string): string {
    if (text.length <= this.limits.keepTail) return text;
    // Start the kept part at a line start, so no escape sequence or character is cut in half.
    let cut = text.length - this.limits.keepTail;
    const newline = text.indexOf('\n', cut);
    if (newline >= 0 && newline < text.length - 1) cut = newline + 1;
    else if (/[\udc00-\udfff]/.test(text[cut]!)) cut++; // one long line: at least keep characters whole
    this.skippedChars += cut;
    return skippedLine(cut) + text.slice(cut);
  }

  private send(text: string): void {
    this.unparsed += text.length;
    this.write(text, () => {
      this.unparsed -= text.length;
      this.pump();
    });
  }
}
