/**
 * Turns this device's keystrokes into `input` intents. Each one carries the size that fits this
 * device's screen: whoever types decides the terminal size. Also holds the key row's sticky Ctrl.
 */
import { MAX_INPUT_CHARS, type IntentBody } from '../../protocol/messages.js';
import { specialKeySequence, withCtrl } from './control-keys.js';
import type { KeyBarKey } from './key-bar.js';
import type { TermSize } from './terminal-layout.js';

/** What terminal input needs from the rest of the page. */
export interface TerminalInputDeps {
  send(intent: IntentBody): void;
  /** The size that fits this device's screen now. */
  preferredSize(): TermSize;
  /** Whether the program switched the arrows to application mode (DECCKM). */
  applicationCursor(): boolean;
  /** Reflects the sticky Ctrl in the key row. */
  onCtrlArmedChange(armed: boolean): void;
}

/** This device's input to the terminal. */
export class TerminalInput {
  private ctrlArmed = false;
  enabled = true;

  constructor(private readonly deps: TerminalInputDeps) {}

  /** Text typed or pasted into the terminal (the on-screen or a physical keyboard). */
  typed(data: string): void {
    if (this.ctrlArmed) {
      data = withCtrl(data);
      this.setCtrlArmed(false);
    }
    this.send(data);
  }

  /** A tap on the key row. */
  key(key: KeyBarKey): void {
    if (!this.enabled) return;
    if ('ctrl' in key) {
      this.setCtrlArmed(!this.ctrlArmed);
    } else if ('text' in key) {
      this.typed(key.text);
    } else {
      const ctrl = this.ctrlArmed;
      this.setCtrlArmed(false);
      this.send(specialKeySequence(key.special, { applicationCursor: this.deps.applicationCursor(), ctrl }));
    }
  }

  private send(data: string): void {
    if (!this.enabled || data.length === 0) return;
    const { cols, rows } = this.deps.preferredSize();
    for (const part of splitInput(data)) this.deps.send({ type: 'input', data: part, cols, rows });
  }

  private setCtrlArmed(armed: boolean): void {
    if (this.ctrlArmed === armed) return;
    this.ctrlArmed = armed;
    this.deps.onCtrlArmedChange(armed);
  }
}

/** Splits a long paste into intents the host accepts, never between the halves of a surrogate pair. */
export function splitInput(data: string, max = MAX_INPUT_CHARS): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < data.length) {
    let end = Math.min(start + max, data.length);
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(data.slice(start, end));
    start = end;
  }
  return parts;
}
