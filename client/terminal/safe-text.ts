/**
 * Makes untrusted text (agent output, names and titles from devices or agents) safe to write to a
 * terminal: an escape sequence in a tool title could otherwise erase the line and hide the real command
 * behind an approval prompt, or write the clipboard (OSC 52).
 */
import ansiRegex from 'ansi-regex';

/**
 * Complete escape sequences: CSI, OSC (BEL or ST terminated, OSC 8 and 52 included), DCS/SOS/PM/APC,
 * and the two-byte escapes, in their 7-bit and 8-bit forms. Removed whole, so no `[2K` is left behind.
 */
const SEQUENCE = ansiRegex();
/**
 * An ESC that did not start a complete sequence (an unterminated OSC, `ESC Q`…): a terminal reads the
 * next byte as part of it, so both go; the rest of an unterminated payload stays visible as plain text.
 */
const LEFTOVER_ESCAPE = /\u001b[\u0020-\u007e]?/g;
/**
 * What remains invisible or acts on the terminal: C0, DEL and C1 controls (\p{Cc}) and format
 * characters (\p{Cf}: bidi overrides and isolates, LRM/RLM/ALM, zero-width space/joiners, word joiner,
 * BOM, tag characters), which can reorder or hide what a reader sees. Line breaks and tabs are dealt
 * with before this.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;
const INVISIBLE_EXCEPT_LF_TAB = /(?![\n\t])[\p{Cc}\p{Cf}]/gu;

/** Removes escape sequences (whole) and leftover ESC bytes; controls are removed afterwards. */
function withoutSequences(text: string): string {
  return text.replace(SEQUENCE, '').replace(LEFTOVER_ESCAPE, '');
}

/** Shortens to `maxChars` characters (code points, so no emoji is split), marking the cut with `…`. */
function capped(text: string, maxChars: number | undefined): string {
  if (maxChars === undefined || text.length <= maxChars) return text;
  const chars = [...text];
  return chars.length <= maxChars ? text : `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

/**
 * Text for a one-line field (a title, a name, an option, a command, an id): escape sequences, controls,
 * bidi and zero-width characters removed, and every line break (CR, LF, U+2028, U+2029) and tab turned
 * into a space, so a title cannot fake a line of its own (an option line, a prompt). `maxChars` caps the
 * result, counted after stripping.
 */
export function safeLine(text: string, maxChars?: number): string {
  const flat = withoutSequences(text).replace(/\r\n|[\r\n\t\u2028\u2029]/g, ' ').replace(INVISIBLE, '');
  return capped(flat, maxChars);
}

/**
 * Text for a multi-line block (a prompt, an answer, a stderr tail, a plan): as `safeLine`, but line
 * breaks stay — CRLF, a lone CR (which would overwrite the line) and U+2028/U+2029 become LF — and tabs
 * stay. `maxChars` caps the result, counted after stripping.
 */
export function safeBlock(text: string, maxChars?: number): string {
  const lines = withoutSequences(text).replace(/\r\n|[\r\u2028\u2029]/g, '\n').replace(INVISIBLE_EXCEPT_LF_TAB, '');
  return capped(lines, maxChars);
}
