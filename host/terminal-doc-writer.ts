/**
 * The only writer of a terminal session's Yjs document. Batches PTY output (one update per
 * OUTPUT_FLUSH_MS or OUTPUT_FLUSH_CHARS, never one per byte) and trims the oldest chunks so the
 * scrollback stays within SCROLLBACK_CHARS (in steps of a fifth of it, so the document stays small).
 */
import * as Y from 'yjs';
import {
  OUTPUT_FLUSH_CHARS,
  OUTPUT_FLUSH_MS,
  SCROLLBACK_CHARS,
  readTerminal,
  terminalDocView,
  type TerminalDocView,
} from '../protocol/terminal-doc.js';
import type { DeviceInfo } from '../protocol/device-roster.js';

/** Past the scrollback budget, output is trimmed down to this share of it. */
const TRIM_TO = 0.8;

/** Fixed facts about the session, written once. */
export interface TerminalMeta {
  name: string;
  command: string;
  cols: number;
  rows: number;
}

/** Writes one terminal session's document. */
export class TerminalDocWriter {
  readonly view: TerminalDocView;
  private pending: string[] = [];
  private pendingChars = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** When output was last written (performance.now()). */
  private lastFlush = -Infinity;
  /** A device just typed: the output that answers it is written at once (one extra update per keystroke). */
  private echoExpected = false;
  /** Characters currently held in `output` (kept in step with trimming). */
  private keptChars = 0;
  /** Lengths of the chunks in `output`, oldest first, to trim without reading them back. */
  private readonly chunkLengths: number[] = [];
  /** The size and its owner as this writer last wrote or first read them (see setSize). */
  private sizeWritten: { cols: unknown; rows: unknown; owner: unknown } | null = null;

  /** `restored`: `doc` is a stored session's document; its output is adopted (and trimmed) as it is. */
  constructor(
    readonly doc: Y.Doc,
    meta: TerminalMeta,
    private readonly scrollbackChars = SCROLLBACK_CHARS,
    restored = false,
  ) {
    this.view = terminalDocView(doc);
    if (restored) {
      for (const chunk of this.view.output) {
        this.chunkLengths.push(chunk.length);
        this.keptChars += chunk.length;
      }
      return;
    }
    doc.transact(() => {
      this.view.meta.set('kind', 'terminal');
      this.view.meta.set('name', meta.name);
      this.view.meta.set('command', meta.command);
      this.view.meta.set('startedAt', Date.now());
      this.view.term.set('cols', meta.cols);
      this.view.term.set('rows', meta.rows);
      this.view.term.set('state', 'running');
      this.view.term.set('trimmed', 0);
    });
  }

  /**
   * Queues output. After a quiet spell it is written at once (a keystroke's echo should not wait); while
   * output keeps coming it is batched: at most one update per OUTPUT_FLUSH_MS, or per OUTPUT_FLUSH_CHARS.
   */
  appendOutput(text: string): void {
    if (text.length === 0) return;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= OUTPUT_FLUSH_CHARS || this.echoExpected) this.flush();
    else if (this.flushTimer) return;
    else if (performance.now() - this.lastFlush >= OUTPUT_FLUSH_MS) this.flush();
    else this.flushTimer = setTimeout(() => this.flush(), OUTPUT_FLUSH_MS - (performance.now() - this.lastFlush));
  }

  /** Input was just written to the program: write its echo without waiting for the batch. */
  expectEcho(): void {
    this.echoExpected = true;
  }

  /** Writes queued output now, as one chunk in one transaction, trimming the oldest chunks. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pendingChars === 0) return;
    this.lastFlush = performance.now();
    this.echoExpected = false;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.doc.transact(() => {
      this.view.output.push([chunk]);
      this.chunkLengths.push(chunk.length);
      this.keptChars += chunk.length;
      if (this.keptChars <= this.scrollbackChars) return;
      // Over budget: drop the oldest chunks down to TRIM_TO of it, in one go. Trimming a little at every
      // chunk would write the trim count between chunks, and chunks whose clocks are not consecutive
      // stay in the document as one deleted item each, forever (~200 bytes per chunk of output).
      const target = Math.floor(this.scrollbackChars * TRIM_TO);
      let drop = 0;
      // Always keep the newest chunk, even if it alone exceeds the budget.
      while (this.keptChars > target && drop < this.chunkLengths.length - 1) {
        this.keptChars -= this.chunkLengths[drop]!;
        drop++;
      }
      if (drop > 0) {
        this.chunkLengths.splice(0, drop);
        this.view.output.delete(0, drop);
        this.view.term.set('trimmed', readTerminal(this.view).trimmed + drop);
      }
    });
  }

  /** Renames the session. */
  setName(name: string): void {
    this.view.meta.set('name', name);
  }

  /**
   * Records the PTY size and which device set it. Every keystroke says its size: unchanged, nothing is
   * written (an empty transaction would still run every observer) and nothing is read from the document
   * (this writer is its only writer, so what it wrote last is what it holds).
   */
  setSize(cols: number, rows: number, owner: string | null): void {
    const last = (this.sizeWritten ??= { cols: this.view.term.get('cols'), rows: this.view.term.get('rows'), owner: this.view.term.get('sizeOwner') });
    if (last.cols === cols && last.rows === rows && last.owner === owner) return;
    this.doc.transact(() => {
      if (last.cols !== cols) this.view.term.set('cols', cols);
      if (last.rows !== rows) this.view.term.set('rows', rows);
      if (last.owner !== owner) this.view.term.set('sizeOwner', owner);
    });
    this.sizeWritten = { cols, rows, owner };
  }

  /** Marks the program as ended (after flushing its last output). */
  setExited(exitCode: number, signal: number | null, endedReason: string | null = null): void {
    this.flush();
    this.doc.transact(() => {
      this.view.term.set('state', 'exited');
      this.view.term.set('exitCode', exitCode);
      this.view.term.set('exitSignal', signal);
      if (endedReason) this.view.term.set('endedReason', endedReason);
    });
  }

  /** The host restarted while the program ran: it is not running until a device resumes it. */
  setInterrupted(): void {
    this.view.term.set('state', 'interrupted');
  }

  /** The program runs again after an interruption, below the old scrollback and a line that says so. */
  setResumed(): void {
    this.appendOutput('\r\n\x1b[2m── the host restarted; the program started again ──\x1b[0m\r\n');
    this.flush();
    this.doc.transact(() => {
      this.view.term.set('state', 'running');
      this.view.term.set('exitCode', null);
      this.view.term.set('exitSignal', null);
    });
  }

  /** Stops the flush timer (pending output is written first). */
  close(): void {
    this.flush();
  }
}
