/**
 * Renders a conversation document as plain terminal lines (the interactive chat and `tether attach`): prompts, streamed
 * answers (whole lines as they complete), thoughts, tool calls and their status, diffs, plans,
 * permission requests with numbered options, and how each ended. Works from the document alone, so
 * what the terminal shows is exactly what every device shows. Everything from the document is untrusted
 * (agents and devices write it): it passes through safeLine / safeBlock before it is printed.
 */
import type * as Y from 'yjs';
import { readConversationState, readEntry, readStatus, type ConversationDocView, type ToolContent } from '../../protocol/conversation-doc.js';
import { safeBlock, safeLine } from './safe-text.js';

const dim = (s: string): string => `\x1b[2m${s}\x1b[0m`;
const bold = (s: string): string => `\x1b[1m${s}\x1b[0m`;
const STATUS_MARK: Record<string, string> = { pending: '…', in_progress: '…', completed: '✓', failed: '✗' };

interface Printed {
  /** Characters of streamed text already printed (whole lines only). */
  textChars: number;
  status: string | null;
  contentShown: boolean;
  planJson: string;
}

/** Turns document changes into new lines of output; call `render()` after every change. */
export class ChatRenderer {
  private readonly printed = new Map<string, Printed>();
  /** Entries before this index are settled and need no more scanning. */
  private scanFrom = 0;
  private lastStatus: string | null = null;

  /** `selfName`: this terminal's device name; its own prompts are not labelled with it. */
  constructor(
    private readonly view: ConversationDocView,
    private readonly selfName: string,
  ) {}

  /** The lines to print since the last call (a partial streamed line waits until it completes or the turn ends). */
  render(): string[] {
    const out: string[] = [];
    const entries = this.view.entries;
    const status = readStatus(this.view);
    const turnOver = status !== 'working' && status !== 'awaiting-permission';
    let firstUnsettled = -1;
    for (let i = this.scanFrom; i < entries.length; i++) {
      const entry = entries.get(i);
      const settled = this.renderEntry(entry, i === entries.length - 1 && !turnOver, out);
      if (!settled && firstUnsettled < 0) firstUnsettled = i;
    }
    this.scanFrom = firstUnsettled < 0 ? entries.length : firstUnsettled;
    if (status !== this.lastStatus) {
      if (status === 'ended') {
        const state = readConversationState(this.view);
        out.push(bold(`■ ${safeBlock(state.endedReason ?? 'The agent ended.')}`));
        const tail = safeBlock(state.stderrTail);
        if (tail) out.push(...tail.split('\n').map((l) => dim(`  ${l}`)));
        out.push(dim('  The conversation stays readable. /quit ends tether.'));
      }
      this.lastStatus = status;
    }
    return out;
  }

  /** Prints what is new in one entry; returns whether it can still change. */
  private renderEntry(raw: Y.Map<unknown>, streaming: boolean, out: string[]): boolean {
    const entry = readEntry(raw);
    let p = this.printed.get(entry.id);
    const fresh = !p;
    if (!p) {
      p = { textChars: 0, status: null, contentShown: false, planJson: '' };
      this.printed.set(entry.id, p);
    }
    switch (entry.type) {
      case 'user': {
        if (fresh) {
          const by = safeLine(entry.by);
          const images = entry.images;
          out.push('', `${bold('›')} ${safeBlock(entry.text)}${images ? dim(` [${images} image${images > 1 ? 's' : ''}]`) : ''}${by && by !== this.selfName ? dim(`  (${by})`) : ''}`);
        }
        return true;
      }
      case 'agent':
      case 'thought': {
        const text = entry.text;
        const upto = streaming ? text.lastIndexOf('\n') + 1 : text.length;
        if (upto > p.textChars) {
          const chunk = safeBlock(text.slice(p.textChars, upto).replace(/\n$/, ''));
          const lines = chunk.split('\n');
          out.push(...(entry.type === 'thought' ? lines.map((l) => dim(`  ${l}`)) : lines));
          p.textChars = upto;
        }
        // Only the last entry of a running turn can still grow.
        return !streaming;
      }
      case 'tool': {
        const status = entry.status;
        // Never capped: it is what the user approves, and a cut could hide the end of a command.
        const title = safeLine(entry.title);
        if (fresh) out.push(`${dim('⚙')} ${title} ${dim(`· ${safeLine(entry.kind)}`)}`);
        if (!p.contentShown && entry.content.length > 0) {
          p.contentShown = true;
          for (const c of entry.content) out.push(...renderToolContent(c));
        }
        if (status !== p.status && (status === 'completed' || status === 'failed')) out.push(`  ${STATUS_MARK[status]} ${title} ${status}`);
        p.status = status;
        return status === 'completed' || status === 'failed';
      }
      case 'plan': {
        const json = JSON.stringify(entry.items);
        if (json !== p.planJson) {
          p.planJson = json;
          // One line per entry, so an entry cannot fake another.
          out.push(dim('Plan:'), ...entry.items.map((it) => `  ${it.status === 'completed' ? '[x]' : it.status === 'in_progress' ? '[~]' : '[ ]'} ${safeLine(it.content)}`));
        }
        return false;
      }
      case 'permission': {
        const status = entry.status;
        if (fresh) {
          out.push(`${bold('?')} ${safeLine(entry.title)}`);
          if (status === 'pending') out.push(`  ${entry.options.map((o, i) => `[${i + 1}] ${safeLine(o.name)}`).join('   ')}   ${dim('(type a number, Enter)')}`);
        }
        if (status !== 'pending' && status !== p.status) {
          const answer = entry.answer;
          out.push(`  → ${safeLine(answer?.name ?? status)}${answer?.by ? dim(` (by ${safeLine(answer.by)})`) : ''}`);
        }
        p.status = status;
        return status !== 'pending';
      }
      case 'notice': {
        if (fresh) out.push(`${entry.level === 'error' ? '!' : dim('·')} ${safeBlock(entry.text)}`);
        return true;
      }
      default:
        return true;
    }
  }
}

function renderToolContent(c: ToolContent): string[] {
  if (c.type === 'diff') {
    const old = safeBlock(c.oldText ?? '').split('\n').filter((l, i, a) => l !== '' || i < a.length - 1).map((l) => `\x1b[31m  - ${l}\x1b[0m`);
    const neu = safeBlock(c.newText).split('\n').filter((l, i, a) => l !== '' || i < a.length - 1).map((l) => `\x1b[32m  + ${l}\x1b[0m`);
    return [dim(`  ${safeLine(c.path)}`), ...old.slice(0, 40), ...neu.slice(0, 40)];
  }
  if (c.type === 'text') return safeBlock(c.text).split('\n').slice(0, 20).map((l) => dim(`  │ ${l}`));
  return [dim(`  [terminal ${safeLine(c.terminalId)}]`)];
}
