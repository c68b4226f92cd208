import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import {
  OUTPUT_FLUSH_CHARS,
  OUTPUT_FLUSH_MS,
  OutputCursor,
  readTerminal,
  SCROLLBACK_CHARS,
  terminalDocView,
} from '../../protocol/terminal-doc.js';

/** A document shaped like the host's, written by hand: `chunks` kept, `trimmed` dropped before them. */
function docWith(chunks: string[], trimmed: number): Y.Doc {
  const doc = new Y.Doc();
  const view = terminalDocView(doc);
  doc.transact(() => {
    view.output.push(chunks);
    view.term.set('trimmed', trimmed);
  });
  return doc;
}

describe('terminal document constants', () => {
  it('are the documented sizes', () => {
    assert.equal(SCROLLBACK_CHARS, 1024 * 1024);
    assert.equal(OUTPUT_FLUSH_MS, 16);
    assert.equal(OUTPUT_FLUSH_CHARS, 60 * 1024);
  });
});

describe('readTerminal', () => {
  it('has defaults for a document that has not synced yet', () => {
    assert.deepEqual(readTerminal(terminalDocView(new Y.Doc())), {
      name: '',
      command: '',
      cols: 80,
      rows: 24,
      sizeOwner: null,
      state: 'running',
      exitCode: null,
      exitSignal: null,
      endedReason: null,
      trimmed: 0,
    });
  });

  it('reads every field, ignoring values of the wrong type', () => {
    const doc = new Y.Doc();
    const view = terminalDocView(doc);
    view.meta.set('name', 'build');
    view.meta.set('command', 'make -j4');
    view.term.set('cols', 132);
    view.term.set('rows', 50);
    view.term.set('sizeOwner', 'peer-1');
    view.term.set('state', 'exited');
    view.term.set('exitCode', 2);
    view.term.set('exitSignal', 15);
    view.term.set('trimmed', 7);
    assert.deepEqual(readTerminal(view), {
      name: 'build',
      command: 'make -j4',
      cols: 132,
      rows: 50,
      sizeOwner: 'peer-1',
      state: 'exited',
      exitCode: 2,
      exitSignal: 15,
      endedReason: null,
      trimmed: 7,
    });
    view.term.set('cols', '132');
    view.term.set('state', 'weird');
    view.term.set('exitCode', null);
    view.term.set('sizeOwner', 3);
    const snap = readTerminal(view);
    assert.deepEqual([snap.cols, snap.state, snap.exitCode, snap.sizeOwner], [80, 'running', null, null]);
  });
});

describe('OutputCursor', () => {
  it('returns nothing for an empty document', () => {
    assert.deepEqual(new OutputCursor().next(terminalDocView(new Y.Doc())), { reset: false, text: '' });
  });

  it('returns new chunks once, then nothing', () => {
    const doc = docWith(['a', 'b'], 0);
    const view = terminalDocView(doc);
    const cursor = new OutputCursor();
    assert.deepEqual(cursor.next(view), { reset: false, text: 'ab' });
    assert.deepEqual(cursor.next(view), { reset: false, text: '' });
    view.output.push(['c', 'd']);
    assert.deepEqual(cursor.next(view), { reset: false, text: 'cd' });
    assert.deepEqual(cursor.next(view), { reset: false, text: '' });
  });

  it('continues without a reset when only chunks it already wrote were trimmed', () => {
    const doc = docWith(['a', 'b', 'c'], 0);
    const view = terminalDocView(doc);
    const cursor = new OutputCursor();
    cursor.next(view); // wrote chunks 0..2
    doc.transact(() => {
      view.output.delete(0, 2);
      view.output.push(['d']);
      view.term.set('trimmed', 2);
    });
    assert.deepEqual(cursor.next(view), { reset: false, text: 'd' });
  });

  it('continues without a reset when exactly the chunks it wrote were trimmed', () => {
    const doc = docWith(['a', 'b'], 0);
    const view = terminalDocView(doc);
    const cursor = new OutputCursor();
    cursor.next(view);
    doc.transact(() => {
      view.output.delete(0, 2);
      view.output.push(['c', 'd']);
      view.term.set('trimmed', 2);
    });
    assert.deepEqual(cursor.next(view), { reset: false, text: 'cd' });
  });

  it('resets and replays the whole scrollback when chunks it never wrote were trimmed', () => {
    const doc = docWith(['a'], 0);
    const view = terminalDocView(doc);
    const cursor = new OutputCursor();
    cursor.next(view); // wrote chunk 0
    doc.transact(() => {
      view.output.delete(0, 1);
      view.output.push(['c', 'd']);
      view.term.set('trimmed', 2); // chunk 1 ("b") came and went
    });
    assert.deepEqual(cursor.next(view), { reset: true, text: 'cd' });
    assert.deepEqual(cursor.next(view), { reset: false, text: '' });
    view.output.push(['e']);
    assert.deepEqual(cursor.next(view), { reset: false, text: 'e' });
  });

  it('a fresh cursor on a trimmed document resets and gets the whole scrollback', () => {
    const view = terminalDocView(docWith(['x', 'y'], 10));
    assert.deepEqual(new OutputCursor().next(view), { reset: true, text: 'xy' });
  });

  it('resets when the document holds fewer chunks than it wrote (e.g. a different session)', () => {
    const cursor = new OutputCursor();
    cursor.next(terminalDocView(docWith(['a', 'b', 'c'], 0)));
    assert.deepEqual(cursor.next(terminalDocView(docWith(['z'], 0))), { reset: true, text: 'z' });
  });
});
