/**
 * Untrusted text made safe for a terminal: whole escape sequences go (nothing like `[2K` is left behind),
 * every C0/C1 control and DEL goes, bidi and zero-width characters go, one-line fields stay one line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { safeBlock, safeLine } from '../../client/terminal/safe-text.js';

const ESC = '\x1b';
const BEL = '\x07';
const ST = `${ESC}\\`;

/** [name, input, what is left of it] — the same for both functions (no line breaks in them). */
const SEQUENCES: [string, string, string][] = [
  ['the approval-prompt attack', `rm -rf ~${ESC}[2K\rRead README.md`, 'rm -rf ~ Read README.md'],
  ['CSI erase line', `a${ESC}[2Kb`, 'ab'],
  ['CSI colours', `${ESC}[1;31mred${ESC}[0m`, 'red'],
  ['CSI private mode (hide cursor)', `a${ESC}[?25lb`, 'ab'],
  ['CSI cursor up', `a${ESC}[3Ab`, 'ab'],
  ['8-bit CSI', `a\u009b2Kb`, 'ab'],
  ['OSC 52 clipboard write (BEL)', `a${ESC}]52;c;cHduZWQ=${BEL}b`, 'ab'],
  ['OSC 52 clipboard write (ST)', `a${ESC}]52;c;cHduZWQ=${ST}b`, 'ab'],
  ['OSC 0 window title', `a${ESC}]0;owned${BEL}b`, 'ab'],
  ['OSC 8 hyperlink', `${ESC}]8;;https://evil.invalid/${ST}click${ESC}]8;;${ST}`, 'click'],
  ['8-bit OSC', `a\u009d0;title\u009cb`, 'ab'],
  ['DCS (sixel)', `a${ESC}Pq#0;2;0;0;0${ST}b`, 'ab'],
  ['8-bit DCS', `a\u0090q#0\u009cb`, 'ab'],
  ['APC', `a${ESC}_payload${ST}b`, 'ab'],
  ['PM', `a${ESC}^payload${ST}b`, 'ab'],
  ['SOS', `a${ESC}Xpayload${ST}b`, 'ab'],
  ['8-bit APC / PM / SOS', `a\u009fx\u009cb\u009ey\u009cc\u0098z\u009cd`, 'abcd'],
  ['ESC c (reset)', `a${ESC}cb`, 'ab'],
  ['ESC 7 / ESC 8 (save / restore cursor)', `a${ESC}7b${ESC}8c`, 'abc'],
  ['ESC M (reverse index)', `a${ESC}Mb`, 'ab'],
  ['ESC ( 0 (line drawing)', `a${ESC}(0b`, 'ab'],
  ['ESC # 8 (screen alignment)', `a${ESC}#8b`, 'ab'],
  ['ESC followed by any other byte', `a${ESC}Qb${ESC}zc`, 'abc'],
  ['a lone ESC at the end', `ab${ESC}`, 'ab'],
  ['C0 controls', `a\x00\x01\x07\x08\x0b\x0c\x0e\x1a\x1f\x7fb`, 'ab'],
  ['C1 controls', `a\u0080\u0085\u008d\u0099\u009fb`, 'ab'],
  ['bidi overrides and isolates', `a\u202a\u202b\u202c\u202d\u202eb\u2066\u2067\u2068\u2069c\u200e\u200f\u061cd`, 'abcd'],
  ['zero-width characters', `a\u200b\u200c\u200db\u2060\ufeffc`, 'abc'],
  ['plain text, emoji and other scripts', 'Read README.md — ok ✓ 🚀 日本語 café', 'Read README.md — ok ✓ 🚀 日本語 café'],
];

describe('safeLine and safeBlock remove whole escape sequences and invisible characters', () => {
  for (const [name, input, expected] of SEQUENCES) {
    it(name, () => {
      assert.equal(safeLine(input), expected);
      assert.equal(safeBlock(input.replace('\r', ' ')), expected);
    });
  }
});

describe('safeLine keeps one-line fields on one line', () => {
  it('turns CR, LF, CRLF, tab and the Unicode line and paragraph separators into a space', () => {
    assert.equal(safeLine('a\rb\nc\r\nd\te\u2028f\u2029g'), 'a b c d e f g');
  });
  it('a title cannot fake an option line', () => {
    const out = safeLine('Read file\n  [1] Allow once   [2] Allow always');
    assert.ok(!out.includes('\n'));
  });
  it('an unterminated OSC leaves no control byte (its visible payload is shown, not swallowed)', () => {
    const out = safeLine(`a${ESC}]52;c;cHduZWQ=`);
    assert.doesNotMatch(out, /[\p{Cc}]/u);
    assert.ok(out.startsWith('a'));
  });
});

describe('safeBlock keeps line structure', () => {
  it('keeps LF and tab; CRLF and a lone CR become LF; U+2028/U+2029 become LF', () => {
    assert.equal(safeBlock('one\ttwo\nthree\r\nfour\rfive\u2028six\u2029seven'), 'one\ttwo\nthree\nfour\nfive\nsix\nseven');
  });
  it('removes colour codes from a stderr tail', () => {
    assert.equal(safeBlock(`${ESC}[31merror:${ESC}[0m bad\n${ESC}[2m  at x${ESC}[22m`), 'error: bad\n  at x');
  });
});

describe('length caps', () => {
  it('caps in characters, marks the cut with an ellipsis and never splits an emoji', () => {
    assert.equal(safeLine('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
    assert.equal(safeLine('x'.repeat(10), 10), 'x'.repeat(10));
    assert.equal(safeLine('🚀'.repeat(20), 5), '🚀🚀🚀🚀…');
    assert.equal(safeBlock('line\n'.repeat(50), 12), 'line\nline\nl…');
  });
  it('caps after stripping, so escape sequences do not use up the allowance', () => {
    assert.equal(safeLine(`${ESC}[31m${'x'.repeat(5)}${ESC}[0m`, 5), 'xxxxx');
  });
});

describe('no control or invisible character survives any input', () => {
  // A seeded generator over the characters that matter: escape introducers, terminators, controls,
  // bidi, zero-width, separators and plain text, concatenated at random.
  const PIECES = [
    ESC, '[', ']', 'P', '_', '^', 'X', '\\', BEL, '\x9b', '\x9c', '\x9d', '\x90', '\x00', '\x7f', '\x85',
    '\r', '\n', '\t', '\u2028', '\u202e', '\u2066', '\u200b', '\ufeff', '2K', '52;c;', 'a', ' ', '🚀', ';', '?', '0',
  ];
  let seed = 0x2f6b1d;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
  it('5,000 random strings', () => {
    for (let n = 0; n < 5000; n++) {
      let input = '';
      const length = next() % 40;
      for (let i = 0; i < length; i++) input += PIECES[next() % PIECES.length];
      const line = safeLine(input);
      const block = safeBlock(input);
      assert.doesNotMatch(line, /[\p{Cc}\p{Cf}\u2028\u2029]/u, JSON.stringify(input));
      assert.doesNotMatch(block.replace(/[\n\t]/g, ''), /[\p{Cc}\p{Cf}\u2028\u2029]/u, JSON.stringify(input));
    }
  });
});
