/**
 * xterm keeps its hidden textarea (where keys and IME input arrive) over the cursor: on every cursor move,
 * inside the parse of output, it writes six style properties of that focused element. On a keystroke's
 * echo that is ~0.1 ms of the page's work before the echo is in the buffer (a CPU profile while typing:
 * xterm's largest self time after its DOM rendering). The textarea only needs to be in place when the
 * frame is drawn (an IME shows its candidates there), so it is moved once per render instead, in the frame
 * xterm draws anyway (a cursor move always redraws the cursor's row): asking for a frame of our own would
 * cost most of what this saves (requesting one takes ~0.06 ms when none is pending).
 */
import type { Terminal } from '@xterm/xterm';

/** The part of xterm's internals this touches (stable across xterm 5 and 6; absent: nothing is changed). */
interface TextAreaSyncing {
  _syncTextArea?: () => void;
}

/** Moves `term`'s textarea to the cursor after xterm renders, once per render, instead of on every cursor move. */
export function syncTextAreaOnRender(term: Terminal): void {
  const core = (term as unknown as { _core?: TextAreaSyncing })._core;
  const sync = core?._syncTextArea;
  if (!core || typeof sync !== 'function') return;
  let moved = false;
  core._syncTextArea = () => {
    moved = true;
  };
  term.onRender(() => {
    if (!moved) return;
    moved = false;
    sync.call(core);
  });
}
