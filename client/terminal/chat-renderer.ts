/**
 * Renders a conversation document as plain terminal lines (the interactive chat and `tether attach`): prompts, streamed
 * answers (as they arrive: a long line is printed row by row, wrapped at word boundaries to the
 * terminal's width), thoughts, tool calls and their status, diffs, the output of commands the agent
 * ran, plans, permission requests with numbered options, questions, login cards, context use, and how
 * each ended. Works from the document alone, so what the terminal shows is exactly what every device
 * shows. Everything from the document is untrusted (agents and devices write it): it passes through
 * safeLine / safeBlock before it is printed.
 */
import type * as Y from 'yjs';
import {
  isTurnStatus,
  readConversationMeta,
  readConversationState,
  readEntry,
  readStatus,
  type ConversationDocView,
  type ToolContent,
} from '../../protocol/conversation-doc.js';
import { formatUsage } from '../../protocol/agent-offer.js';
import { readClientTerminal } from '../../protocol/conversation-terminals.js';
import { safeBlock, safeLine } from './safe-text.js';
import { fieldPrompt } from './chat-line.js';
import { loginLines } from './login-lines.js';

const dim = (s: string): string => `\x1b[2m${s}\x1b[0m`;
const bold = (s: string): string => `\x1b[1m${s}\x1b[0m`;
const STATUS_MARK: Record<string, string> = { pending: '…', in_progress: '…', completed: '✓', failed: '✗' };

interface Printed {
  /** Characters of streamed text already printed (whole lines and whole wrapped rows). */
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
  private loginJson = 'null';
  private usageText = '';

  /**
   * `selfName`: this terminal's device name; its own prompts are not labelled with it. `columns`: the
   * terminal's width now (streamed text is wrapped to it so each row can be printed as soon as it is full).
   */
  constructor(
    private readonly view: ConversationDocView,
    private readonly selfName: string,
    private readonly columns: () => number = () => 80,
  ) {}

  /** The lines to print since the last call (the unfinished last row of a streamed answer waits for more). */
  render(): string[] {
    const out: string[] = [];
    const entries = this.view.entries;
    const status = readStatus(this.view);
    const turnOver = !isTurnStatus(status);
    let firstUnsettled = -1;
    for (let i = this.scanFrom; i < entries.length; i++) {
      const entry = entries.get(i);
      const settled = this.renderEntry(entry, i === entries.length - 1 && !turnOver, out);
      if (!settled && firstUnsettled < 0) firstUnsettled = i;
    }
    this.scanFrom = firstUnsettled < 0 ? entries.length : firstUnsettled;
    const state = readConversationState(this.view);
    const loginJson = JSON.stringify(state.login);
    if (loginJson !== this.loginJson) {
      this.loginJson = loginJson;
      const login = state.login;
      if (login && !login.terminal) out.push(...loginLines(login).map((l, i) => (i === 0 ? bold(`🔑 ${l}`) : `  ${l}`)));
      else if (login?.terminal) out.push(dim(`  login program ${login.terminal.state === 'running' ? `started by ${safeLine(login.terminal.by)}` : login.terminal.state}`));
    }
    if (turnOver) {
      const usage = readConversationMeta(this.view).usage;
      const text = usage ? formatUsage(usage) : '';
      if (text !== this.usageText) {
        this.usageText = text;
        if (text) out.push(dim(`  context: ${text}`));
      }
    }
    if (status !== this.lastStatus) {
      if (status === 'ended') {
        out.push(bold(`■ ${safeBlock(state.endedReason ?? 'The agent ended.')}`));
        if (state.endedDetail) out.push(`  the agent said: ${safeBlock(state.endedDetail)}`);
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
        const thought = entry.type === 'thought';
        const rows = this.newRows(entry.text, p, streaming, thought ? 2 : 0);
        out.push(...(thought ? rows.map((l) => dim(`  ${l}`)) : rows));
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
        const done = status === 'completed' || status === 'failed';
        // A command the agent ran through tether: its output once it is done (the pages show it live).
        if (done && status !== p.status) for (const c of entry.content) if (c.type === 'terminal') out.push(...this.terminalOutput(c.terminalId));
        if (status !== p.status && done) out.push(`  ${STATUS_MARK[status]} ${title} ${status}`);
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
      case 'question': {
        if (fresh) {
          out.push(`${bold('?')} ${safeBlock(entry.message)}`);
          if (entry.status === 'pending') {
            if (entry.mode === 'url') out.push(`  Open ${safeLine(entry.url ?? '(no link)')}`, dim('  then type done, or decline'));
            else if (entry.fields[0]) out.push(...entry.fields.map((f, i) => `  ${i === 0 ? '›' : ' '} ${fieldPrompt(f)}`), dim('  Type the answers one per line; /decline or /cancel to refuse.'));
          }
        }
        if (entry.status !== 'pending' && entry.status !== p.status) {
          const a = entry.answer;
          const how = entry.status === 'cancelled' ? 'cancelled' : a?.action === 'accept' ? 'answered' : (a?.action ?? 'answered');
          out.push(`  → ${how}${a?.by ? dim(` (by ${safeLine(a.by)})`) : ''}`);
        }
        p.status = entry.status;
        return entry.status !== 'pending';
      }
      case 'notice': {
        if (fresh) out.push(`${entry.level === 'error' ? '!' : dim('·')} ${safeBlock(entry.text)}`);
        return true;
      }
      default:
        return true;
    }
  }

  /**
   * The rows of `text` not printed yet: whole lines, and while it still streams, each row of the line
   * being written as soon as it fills the terminal's width (broken at a space when there is one).
   */
  private newRows(text: string, p: Printed, streaming: boolean, indent: number): string[] {
    const rows: string[] = [];
    const width = Math.max(20, this.columns() - indent - 1);
    let at = p.textChars;
    for (;;) {
      const nl = text.indexOf('\n', at);
      if (nl >= 0) {
        rows.push(text.slice(at, nl));
        at = nl + 1;
        continue;
      }
      const rest = text.slice(at);
      if (!streaming) {
        if (rest !== '') rows.push(rest);
        at = text.length;
        break;
      }
      if (rest.length <= width) break;
      const space = rest.lastIndexOf(' ', width);
      const cut = space > 0 ? space : width;
      rows.push(rest.slice(0, cut));
      at += space > 0 ? cut + 1 : cut;
    }
    p.textChars = at;
    return rows.length > 0 ? safeBlock(rows.join('\n')).split('\n') : [];
  }

  private terminalOutput(terminalId: string): string[] {
    const t = readClientTerminal(this.view, terminalId);
    if (!t) return [];
    const lines = safeBlock(t.output).split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);
    const shown = lines.slice(-20).map((l) => dim(`  │ ${l}`));
    return lines.length > 20 ? [dim(`  │ … (${lines.length - 20} lines above)`), ...shown] : shown;
  }
}

function renderToolContent(c: ToolContent): string[] {
  if (c.type === 'diff') {
    const old = safeBlock(c.oldText ?? '').split('\n').filter((l, i, a) => l !== '' || i < a.length - 1).map((l) => `\x1b[31m  - ${l}\x1b[0m`);
    const neu = safeBlock(c.newText).split('\n').filter((l, i, a) => l !== '' || i < a.length - 1).map((l) => `\x1b[32m  + ${l}\x1b[0m`);
    return [dim(`  ${safeLine(c.path)}`), ...old.slice(0, 40), ...neu.slice(0, 40)];
  }
  if (c.type === 'text') return safeBlock(c.text).split('\n').slice(0, 20).map((l) => dim(`  │ ${l}`));
  return [dim('  [command output below once it ends]')];
}
