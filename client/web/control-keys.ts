/**
 * The bytes a terminal expects for keys phones lack: control characters for a sticky Ctrl, escape
 * sequences for arrows (honouring the application-cursor mode the program set), Esc and Tab.
 */

/** The keys on the phone key row. */
export type SpecialKey = 'escape' | 'tab' | 'left' | 'up' | 'down' | 'right';

const ARROW_FINAL: Record<'left' | 'up' | 'down' | 'right', string> = { up: 'A', down: 'B', right: 'C', left: 'D' };

/**
 * Applies Ctrl to typed text the way a terminal keyboard does: Ctrl+C → ETX (0x03), Ctrl+[ → ESC,
 * Ctrl+Space/@ → NUL, Ctrl+? → DEL. Only the first character takes the modifier; text without a
 * control form (digits, multi-character IME input) passes through unchanged.
 */
export function withCtrl(data: string): string {
  if (data.length === 0) return data;
  const first = data[0]!;
  const rest = data.slice(1);
  const upper = first.toUpperCase();
  if (upper >= 'A' && upper <= 'Z') return String.fromCharCode(upper.charCodeAt(0) - 64) + rest;
  const table: Record<string, string> = {
    ' ': '\x00',
    '@': '\x00',
    '2': '\x00',
    '[': '\x1b',
    '3': '\x1b',
    '\\': '\x1c',
    '4': '\x1c',
    ']': '\x1d',
    '5': '\x1d',
    '^': '\x1e',
    '6': '\x1e',
    '_': '\x1f',
    '-': '\x1f',
    '7': '\x1f',
    '?': '\x7f',
    '8': '\x7f',
  };
  const control = table[first];
  return control === undefined ? data : control + rest;
}

/** The bytes for a key-row key. `applicationCursor` is xterm's DECCKM state; `ctrl` adds the modifier. */
export function specialKeySequence(key: SpecialKey, options: { applicationCursor: boolean; ctrl: boolean }): string {
  switch (key) {
    case 'escape':
      return '\x1b';
    case 'tab':
      return '\t';
    default: {
      const final = ARROW_FINAL[key];
      if (options.ctrl) return `\x1b[1;5${final}`;
      return options.applicationCursor ? `\x1bO${final}` : `\x1b[${final}`;
    }
  }
}
