/**
 * The commands an agent runs through tether, as a conversation document keeps them (its `terminals`
 * map, written by host/conversation-writer.ts): typed, validating readers for the pages' tool cards and
 * the terminal chat.
 */
import * as Y from 'yjs';
import type { ConversationDocView } from './conversation-doc.js';

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A command the agent runs through tether (ACP terminal/*), with its output so far. */
export interface ClientTerminal {
  id: string;
  command: string;
  /** The output kept (the end of it when it was long). */
  output: string;
  /** True when the start of the output was dropped to stay within bounds. */
  truncated: boolean;
  running: boolean;
  exitCode: number | null;
  signal: string | null;
}

/** The live output text of a terminal (to follow as it grows), or null. */
export function terminalOutputType(view: ConversationDocView, terminalId: string): Y.Text | null {
  const output = view.terminals.get(terminalId)?.get('output');
  return output instanceof Y.Text ? output : null;
}

/** Reads one client terminal, or null when the document has no such terminal. */
export function readClientTerminal(view: ConversationDocView, terminalId: string): ClientTerminal | null {
  const t = view.terminals.get(terminalId);
  if (!(t instanceof Y.Map)) return null;
  const exitCode = t.get('exitCode');
  return {
    id: terminalId,
    command: str(t.get('command')),
    output: terminalOutputType(view, terminalId)?.toString() ?? '',
    truncated: t.get('truncated') === true,
    running: t.get('running') === true,
    exitCode: typeof exitCode === 'number' ? exitCode : null,
    signal: strOrNull(t.get('signal')),
  };
}
