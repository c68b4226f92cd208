/**
 * The output of commands an agent runs through tether stays bounded in the conversation document: a
 * chatty command keeps the end of its output, and old commands keep only their last lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { conversationDocView } from '../../protocol/conversation-doc.js';
import { readClientTerminal } from '../../protocol/conversation-terminals.js';
import { MAX_TERMINAL_DOC_CHARS, TerminalOutputWriter } from '../../host/terminal-output-writer.js';

test('a chatty command keeps the end of its output, marked truncated; its exit is recorded', () => {
  const view = conversationDocView(new Y.Doc());
  const w = new TerminalOutputWriter(view.meta.doc!, view);
  w.terminalStarted('t1', 'yes\x1b[31m');
  const line = 'x'.repeat(1023) + '\n';
  for (let i = 0; i < 64; i++) w.terminalOutput('t1', line);
  w.terminalOutput('t1', 'the end\n');
  w.terminalExited('t1', null, 'SIGTERM');
  const t = readClientTerminal(view, 't1')!;
  assert.ok(t.output.length <= MAX_TERMINAL_DOC_CHARS * 1.25, `kept ${t.output.length}`);
  assert.ok(t.output.endsWith('the end\n'));
  assert.equal(t.truncated, true);
  assert.equal(t.running, false);
  assert.equal(t.signal, 'SIGTERM');
  assert.ok(!t.command.includes('\x1b'), 'the command line is cleaned');
  w.terminalOutput('unknown', 'ignored');
  assert.equal(readClientTerminal(view, 'unknown'), null);
});

test('past 100 commands, the oldest keep only their last lines', () => {
  const view = conversationDocView(new Y.Doc());
  const w = new TerminalOutputWriter(view.meta.doc!, view);
  for (let i = 0; i < 102; i++) {
    w.terminalStarted(`t${i}`, `cmd ${i}`);
    w.terminalOutput(`t${i}`, 'y'.repeat(10_000));
  }
  assert.equal(readClientTerminal(view, 't0')!.output.length, 2048);
  assert.equal(readClientTerminal(view, 't1')!.output.length, 2048);
  assert.equal(readClientTerminal(view, 't2')!.output.length, 10_000, 'the last 100 keep theirs');
  assert.equal(readClientTerminal(view, 't0')!.truncated, true);
});
