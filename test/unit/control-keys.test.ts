/** The bytes the phone key row and its sticky Ctrl send, as a terminal keyboard would. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { specialKeySequence, withCtrl } from '../../client/web/control-keys.js';
import { splitInput } from '../../client/web/terminal-input.js';

describe('withCtrl', () => {
  const table: ReadonlyArray<[string, string]> = [
    ['c', '\x03'],
    ['C', '\x03'],
    ['d', '\x04'],
    ['z', '\x1a'],
    ['[', '\x1b'],
    ['\\', '\x1c'],
    [' ', '\x00'],
    ['?', '\x7f'],
    ['cat', '\x03at'],
    ['1', '1'],
    ['é', 'é'],
    ['', ''],
  ];
  for (const [typed, sent] of table) {
    it(`Ctrl+${JSON.stringify(typed)} → ${JSON.stringify(sent)}`, () => assert.equal(withCtrl(typed), sent));
  }
});

describe('specialKeySequence', () => {
  const normal = { applicationCursor: false, ctrl: false };
  it('sends Esc and Tab as themselves', () => {
    assert.equal(specialKeySequence('escape', normal), '\x1b');
    assert.equal(specialKeySequence('tab', normal), '\t');
  });
  it('sends arrows in the mode the program chose', () => {
    assert.equal(specialKeySequence('up', normal), '\x1b[A');
    assert.equal(specialKeySequence('left', normal), '\x1b[D');
    assert.equal(specialKeySequence('up', { applicationCursor: true, ctrl: false }), '\x1bOA');
    assert.equal(specialKeySequence('right', { applicationCursor: false, ctrl: true }), '\x1b[1;5C');
  });
});

describe('splitInput', () => {
  it('keeps short input whole', () => assert.deepEqual(splitInput('ls\r'), ['ls\r']));
  it('splits a long paste into parts the host accepts, never inside a surrogate pair', () => {
    const text = 'a'.repeat(9) + '😀' + 'b'.repeat(5);
    const parts = splitInput(text, 10);
    assert.equal(parts.join(''), text);
    assert.ok(parts.every((p) => p.length <= 10));
    assert.equal(parts[0], 'a'.repeat(9));
  });
});
