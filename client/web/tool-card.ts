/**
 * A tool call (read, edit, run…) as a card, collapsed by default: a status icon, the title and the
 * kind; opened, its locations and content — text output, diffs, and the live output of a command the
 * agent runs through tether (opened by itself while that command runs). The body is built only while
 * open, and the card follows its entry's status as the agent updates it.
 */
import type * as Y from 'yjs';
import type { ConversationDocView, ToolContent, ToolStatus } from '../../protocol/conversation-doc.js';
import { readClientTerminal } from '../../protocol/conversation-terminals.js';
import { exitWords } from '../../protocol/process-exit.js';
import { diffView, displayPath } from './diff-view.js';
import { element, setText, srOnly } from './dom.js';
import { readAs, type EntryContext, type EntryView } from './entry-view.js';

const STATUS_LABEL: Record<ToolStatus, string> = {
  pending: 'Pending',
  in_progress: 'Running',
  completed: 'Completed',
  failed: 'Failed',
};

/** The tool status of an entry (pending when missing or unknown). */
export function toolStatus(entry: Y.Map<unknown>): ToolStatus {
  return readAs(entry, 'tool')?.status ?? 'pending';
}

/** The content list of a tool entry. */
export function toolContent(entry: Y.Map<unknown>): ToolContent[] {
  return readAs(entry, 'tool')?.content ?? [];
}

/** Elements for a tool's content: text output, diffs, terminals (live: `watch` gets each terminal's stop function). */
export function toolContentViews(content: ToolContent[], cwd: string, view?: ConversationDocView, watch?: (stop: () => void) => void): HTMLElement[] {
  return content.map((item) => {
    if (item.type === 'diff') return diffView(item, cwd);
    if (item.type === 'terminal') {
      if (!view) return element('p', 'tool-note', 'A command the agent runs.');
      const t = terminalView(view, item.terminalId);
      watch?.(t.stop);
      return t.element;
    }
    return element('pre', 'tool-output', item.text);
  });
}

/** A command's output as it arrives, with how it ended. */
function terminalView(view: ConversationDocView, terminalId: string): { element: HTMLElement; stop: () => void } {
  const box = element('div', 'tool-terminal');
  const head = element('p', 'tool-terminal-head');
  const out = element('pre', 'tool-output tool-terminal-output');
  out.setAttribute('aria-live', 'off');
  box.append(head, out);
  const render = (): void => {
    const t = readClientTerminal(view, terminalId);
    if (!t) {
      setText(head, 'The command\'s output is not available.');
      return;
    }
    const state = t.running ? 'running…' : exitWords(t.exitCode, t.signal);
    setText(head, `$ ${t.command} — ${state}${t.truncated ? ' (earlier output dropped)' : ''}`);
    box.dataset.running = String(t.running);
    const atEnd = out.scrollHeight - out.scrollTop - out.clientHeight < 4;
    setText(out, t.output);
    if (atEnd) out.scrollTop = out.scrollHeight;
  };
  const onChange = (): void => render();
  // The terminal's map may arrive after the tool call: follow the map of terminals until it does.
  view.terminals.observeDeep(onChange);
  render();
  return { element: box, stop: () => view.terminals.unobserveDeep(onChange) };
}

/** The terminal ids a tool's content shows. */
function terminalIds(content: ToolContent[]): string[] {
  return content.flatMap((c) => (c.type === 'terminal' ? [c.terminalId] : []));
}

/** A tool call entry. */
export class ToolCard implements EntryView {
  readonly element: HTMLDetailsElement;
  private readonly icon = element('span', 'tool-icon');
  private readonly iconLabel = srOnly('');
  private readonly title = element('span', 'tool-title');
  private readonly kind = element('span', 'tool-kind');
  private readonly body = element('div', 'tool-body');
  private readonly onChange = (): void => this.update();
  private stops: Array<() => void> = [];
  private autoOpened = false;

  constructor(
    private readonly entry: Y.Map<unknown>,
    private readonly ctx: EntryContext,
  ) {
    this.element = element('details', 'entry tool');
    const summary = element('summary', 'tool-summary');
    this.icon.setAttribute('aria-hidden', 'true');
    summary.append(this.icon, this.iconLabel, this.title, this.kind);
    this.element.append(summary, this.body);
    this.element.addEventListener('toggle', () => this.renderBody());
    entry.observe(this.onChange);
    this.update();
  }

  destroy(): void {
    this.entry.unobserve(this.onChange);
    this.stopWatching();
  }

  private stopWatching(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private update(): void {
    const tool = readAs(this.entry, 'tool');
    const status = tool?.status ?? 'pending';
    // A command running through tether: show its output as it comes (once; the user may close it).
    if (!this.autoOpened && status === 'in_progress' && terminalIds(tool?.content ?? []).length > 0) {
      this.autoOpened = true;
      this.element.open = true;
    }
    this.element.dataset.status = status;
    this.element.dataset.kind = tool?.kind ?? 'other';
    setText(this.iconLabel, `${STATUS_LABEL[status]}: `);
    setText(this.title, tool?.title ?? 'Tool call');
    const kind = tool?.kind ?? '';
    setText(this.kind, kind && kind !== 'other' ? kind : '');
    this.renderBody();
  }

  private renderBody(): void {
    this.stopWatching();
    if (!this.element.open) {
      this.body.replaceChildren();
      return;
    }
    const cwd = this.ctx.cwd();
    const parts: HTMLElement[] = [];
    const content = toolContent(this.entry);
    // A diff already names its file: list only the other places the tool touches.
    const diffPaths = new Set(content.flatMap((c) => (c.type === 'diff' ? [c.path] : [])));
    const locations = (readAs(this.entry, 'tool')?.locations ?? []).filter((loc) => !diffPaths.has(loc.path) || loc.line != null);
    if (locations.length > 0) {
      const list = element('ul', 'tool-locations');
      for (const loc of locations) {
        list.append(element('li', undefined, `${displayPath(loc.path, cwd)}${loc.line != null ? `:${loc.line}` : ''}`));
      }
      parts.push(list);
    }
    parts.push(...toolContentViews(content, cwd, this.ctx.view, (stop) => this.stops.push(stop)));
    if (parts.length === 0) parts.push(element('p', 'tool-note', 'No details.'));
    this.body.replaceChildren(...parts);
  }
}
