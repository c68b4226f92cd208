/**
 * The commands an agent runs through tether (ACP terminal/*) as the conversation document keeps them:
 * each command's line, its live output (the end of it, bounded) and how it ended. Old commands keep only
 * their last lines, so a long session does not grow without bound.
 */
import * as Y from 'yjs';
import type { ConversationDocView } from '../protocol/conversation-doc.js';
import { clean } from './acp-offer.js';
import type { TerminalSink } from './client-terminals.js';

/** Characters of a command's output the document keeps (the end of it). */
export const MAX_TERMINAL_DOC_CHARS = 32 * 1024;
/** Commands whose whole kept output stays; older ones keep only their last lines. */
const FULL_TERMINALS = 100;
const OLD_TERMINAL_CHARS = 2048;

/** Writes the commands of one conversation into its document. */
export class TerminalOutputWriter implements TerminalSink {
  private readonly order: string[] = [];

  constructor(
    private readonly doc: Y.Doc,
    private readonly view: ConversationDocView,
  ) {}

  terminalStarted(terminalId: string, command: string): void {
    const t = new Y.Map<unknown>();
    this.doc.transact(() => {
      t.set('command', clean(command, 2000));
      t.set('output', new Y.Text());
      t.set('truncated', false);
      t.set('running', true);
      this.view.terminals.set(terminalId, t);
      this.order.push(terminalId);
      if (this.order.length > FULL_TERMINALS) this.trim(this.order[this.order.length - FULL_TERMINALS - 1]!, OLD_TERMINAL_CHARS);
    });
  }

  terminalOutput(terminalId: string, text: string): void {
    const output = this.view.terminals.get(terminalId)?.get('output');
    if (!(output instanceof Y.Text)) return;
    this.doc.transact(() => {
      output.insert(output.length, text);
      // Trimmed in steps (not on every chunk) so a chatty command does not delete a little each time.
      if (output.length > MAX_TERMINAL_DOC_CHARS * 1.25) this.trim(terminalId, MAX_TERMINAL_DOC_CHARS);
    });
  }

  terminalExited(terminalId: string, exitCode: number | null, signal: string | null): void {
    const t = this.view.terminals.get(terminalId);
    if (!t) return;
    this.doc.transact(() => {
      t.set('running', false);
      t.set('exitCode', exitCode);
      t.set('signal', signal);
    });
  }

  private trim(terminalId: string, keep: number): void {
    const t = this.view.terminals.get(terminalId);
    const output = t?.get('output');
    if (!t || !(output instanceof Y.Text) || output.length <= keep) return;
    output.delete(0, output.length - keep);
    t.set('truncated', true);
  }
}
