/**
 * Paced input to a PTY: a bounded queue per session, cut into small chunks at safe points, written
 * without ever blocking and continued when the PTY drains, so a large paste never freezes the host.
 */
import { TetherError } from '../protocol/errors.js';

/** Largest piece written to the PTY at once (bytes). */
export const PTY_CHUNK_BYTES = 4 * 1024;
/** Input a session may have waiting for its program (bytes); more is refused with INPUT_BACKLOG. */
export const INPUT_BACKLOG_BYTES = 4 * 1024 * 1024;
/** Most bytes written in one event-loop turn, so a draining program never starves other sessions. */
const TURN_BUDGET_BYTES = 256 * 1024;
/** Retry delays while the PTY is full: quick at first, then a slow poll for a program that stopped reading. */
const RETRY_MIN_MS = 1;
const RETRY_MAX_MS = 16;
/** An escape sequence starting this close to a cut is kept whole (input sequences are short). */
const ESCAPE_LOOKBACK = 32;

/** Where paced bytes go. */
export interface PtySink {
  /**
   * Writes some of `bytes` without blocking; returns how many were taken (0 when the PTY is full).
   * Throws when the PTY is gone.
   */
  tryWrite(bytes: Uint8Array): number;
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character (or a
 * surrogate pair) and never inside a short escape sequence, so a bracketed-paste marker stays whole.
 */
export function inputChunks(text: string, maxBytes = PTY_CHUNK_BYTES): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair is 4 for two units).
    let end = Math.min(text.length, start + Math.floor(maxBytes / 3));
    if (end < text.length) {
      const code = text.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end--;
      const esc = text.lastIndexOf('\x1b', end - 1);
      if (esc > start && esc >= end - ESCAPE_LOOKBACK && !escapeEndsBefore(text, esc, end)) end = esc;
    }
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

/** True when the escape sequence at `esc` is complete before `end` (CSI, SS3, or a two-character escape). */
function escapeEndsBefore(text: string, esc: number, end: number): boolean {
  const kind = text[esc + 1];
  if (esc + 1 >= end) return false;
  if (kind === '[') {
    // CSI: parameters and intermediates (0x20–0x3f), then one final byte (0x40–0x7e).
    for (let i = esc + 2; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x40 && c <= 0x7e) return true;
      if (c < 0x20 || c > 0x3f) return true; // not a CSI after all: nothing to keep together
    }
    return false;
  }
  if (kind === 'O') return esc + 2 < end;
  return true;
}

/** The input queue of one PTY. */
export class PtyWriter {
  private readonly queue: Buffer[] = [];
  /** Bytes of queue[0] already written. */
  private offset = 0;
  private queuedBytes = 0;
  private retryMs = RETRY_MIN_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly sink: PtySink,
    private readonly maxBacklogBytes = INPUT_BACKLOG_BYTES,
  ) {}

  /** Bytes waiting for the program to read them. */
  get backlog(): number {
    return this.queuedBytes;
  }

  /**
   * Queues `text` and writes as much as the PTY takes now. Returns INPUT_BACKLOG (and queues nothing)
   * when the program has not read enough of the earlier input; SESSION_ENDED once closed or when
   * the PTY turns out to be gone.
   */
  write(text: string): TetherError | null {
    const refused = this.refusal(text);
    if (refused) return refused;
    const size = Buffer.byteLength(text);
    for (const chunk of inputChunks(text)) this.queue.push(Buffer.from(chunk));
    this.queuedBytes += size;
    // Keystrokes go out at once; a paste behind a full PTY waits for its retry.
    const failed = this.timer === null ? this.flush() : null;
    return failed ? new TetherError('SESSION_ENDED', `the terminal is gone: ${failed.message}`, { cause: failed }) : null;
  }

  /** Why `write(text)` would be refused right now, or null when it would be queued. */
  refusal(text: string): TetherError | null {
    if (this.closed) return new TetherError('SESSION_ENDED');
    if (this.queuedBytes + Buffer.byteLength(text) > this.maxBacklogBytes) {
      return new TetherError(
        'INPUT_BACKLOG',
        `the program has not read ${this.queuedBytes} bytes of earlier input yet (the limit is ${this.maxBacklogBytes}); this input was not sent`,
      );
    }
    return null;
  }

  /** Drops what is queued and stops writing (the program ended). */
  close(): void {
    this.closed = true;
    this.clearTimer();
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  /** Writes until the PTY is full; returns the error that closed the writer, if any. */
  private flush(): Error | null {
    this.timer = null;
    let written = 0;
    while (!this.closed && this.queue.length > 0) {
      if (written >= TURN_BUDGET_BYTES) return this.schedule(RETRY_MIN_MS);
      const chunk = this.queue[0]!;
      let n: number;
      try {
        n = this.sink.tryWrite(chunk.subarray(this.offset));
      } catch (err) {
        // The PTY is gone (the program ended); its exit is reported on its own path.
        this.close();
        return err as Error;
      }
      written += n;
      this.offset += n;
      this.queuedBytes -= n;
      if (this.offset === chunk.length) {
        this.queue.shift();
        this.offset = 0;
        this.retryMs = RETRY_MIN_MS;
      } else {
        // Full PTY. After a partial write the rest of this chunk (maybe half an escape sequence or
        // character) follows within a millisecond, well inside any program's escape timeout.
        return this.schedule(n > 0 ? RETRY_MIN_MS : this.backoff());
      }
    }
    return null;
  }

  private backoff(): number {
    const wait = this.retryMs;
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    return wait;
  }

  private schedule(ms: number): null {
    this.timer = setTimeout(() => this.flush(), ms);
    return null;
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
