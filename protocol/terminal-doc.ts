/**
 * The schema of a terminal session's Yjs document. The host is its only writer (host/terminal-doc-writer.ts);
 * clients read it through these accessors. Output is a Y.Array of text chunks trimmed from the front, with a
 * running count of trimmed chunks so a reader can tell exactly which chunks it has already rendered.
 */
import * as Y from 'yjs';

/** Output kept in the document (and so replayed to a new device): the newest ~1 MiB of terminal output. */
export const SCROLLBACK_CHARS = 1024 * 1024;
/** Output is appended at most once per this many ms... */
export const OUTPUT_FLUSH_MS = 16;
/**
 * ...or when this many characters are pending, whichever comes first. In a burst every update costs each
 * device an apply, a replica write and a terminal write, and the host a data-channel send: 60 KiB (one
 * data-channel message for ASCII) carried 30 MB to a Node device ~20 % faster than 16 KiB, alternating.
 */
export const OUTPUT_FLUSH_CHARS = 60 * 1024;

/** Lifecycle of the program in the PTY ('interrupted': its host restarted; Resume runs it again). */
export type TerminalState = 'running' | 'exited' | 'interrupted';


/** Typed views of the document's top-level shared types. */
export interface TerminalDocView {
  /** kind, name, command, startedAt */
  meta: Y.Map<unknown>;
  /** cols, rows, sizeOwner, state, exitCode, exitSignal, trimmed */
  term: Y.Map<unknown>;
  /** Output chunks in order; the first one is chunk number `trimmed`. */
  output: Y.Array<string>;
}

/** Binds the typed views to a document (creating nothing that is not already implied by Yjs). */
export function terminalDocView(doc: Y.Doc): TerminalDocView {
  return {
    meta: doc.getMap('meta'),
    term: doc.getMap('term'),
    output: doc.getArray<string>('output'),
  };
}

/** A plain snapshot of the terminal's state, for rendering. */
export interface TerminalSnapshot {
  name: string;
  command: string;
  cols: number;
  rows: number;
  sizeOwner: string | null;
  state: TerminalState;
  exitCode: number | null;
  exitSignal: number | null;
  /** Why the program ended when the host ended it ("Ended on the host."), else null. */
  endedReason: string | null;
  trimmed: number;
}

/** How many output chunks were trimmed from the front (0 before any). */
export function readTrimmed(view: TerminalDocView): number {
  const trimmed = view.term.get('trimmed');
  return typeof trimmed === 'number' ? trimmed : 0;
}

/** Reads the terminal's state with defaults for a document that has not synced yet. */
export function readTerminal(view: TerminalDocView): TerminalSnapshot {
  const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
  const exitCode = view.term.get('exitCode');
  const exitSignal = view.term.get('exitSignal');
  const owner = view.term.get('sizeOwner');
  return {
    name: String(view.meta.get('name') ?? ''),
    command: String(view.meta.get('command') ?? ''),
    cols: num(view.term.get('cols'), 80),
    rows: num(view.term.get('rows'), 24),
    sizeOwner: typeof owner === 'string' ? owner : null,
    state: view.term.get('state') === 'exited' ? 'exited' : view.term.get('state') === 'interrupted' ? 'interrupted' : 'running',
    exitCode: typeof exitCode === 'number' ? exitCode : null,
    exitSignal: typeof exitSignal === 'number' ? exitSignal : null,
    endedReason: typeof view.term.get('endedReason') === 'string' ? (view.term.get('endedReason') as string) : null,
    trimmed: readTrimmed(view),
  };
}

/**
 * Tracks which output chunks a renderer has written, so that every chunk is written exactly once
 * across incremental updates and reconnects. When chunks the renderer never saw were trimmed away
 * (it was gone longer than the scrollback), `next` says to reset and replay the whole scrollback.
 */
export class OutputCursor {
  /** Absolute number of chunks written so far. */
  private written = 0;

  /** The text to write now, and whether the screen must be reset first. */
  next(view: TerminalDocView): { reset: boolean; text: string } {
    // Only the trimmed count: readTerminal reads every field, for each of a burst's updates.
    const trimmed = readTrimmed(view);
    const total = trimmed + view.output.length;
    if (total === this.written) return { reset: false, text: '' };
    const reset = trimmed > this.written || total < this.written;
    const from = reset ? 0 : this.written - trimmed;
    this.written = total;
    return { reset, text: view.output.slice(from).join('') };
  }
}
