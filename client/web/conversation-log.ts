/**
 * The conversation's entries on the page. Opening a long session renders only the newest entries
 * ("Show earlier" adds more): a screenful before the first paint, the rest of the first window in small
 * steps after it, each added above what the reader sees without moving it (measured on a 10,000-message
 * session: building and painting 100 entries took ~480 ms of the first paint on a slow 2-core machine).
 * After that it reacts to the entries array's own changes — an entry added
 * gets a view, nothing else is touched — while each view observes its own entry. Streaming a message
 * therefore costs one entry's re-render, never the whole conversation's.
 */
import type * as Y from 'yjs';
import type { ConversationDocView } from '../../protocol/conversation-doc.js';
import { button, element } from './dom.js';
import { readAs, type EntryContext, type EntryView } from './entry-view.js';
import { createEntryView } from './entry-views.js';

/** Entries rendered at first, and added by each "Show earlier". */
export const ENTRY_WINDOW = 100;
/**
 * Entries rendered before the first paint, and added per step while the rest of the first window fills
 * in: more than a tall screen shows, and few enough that a step stays short.
 */
export const FIRST_PAINT_ENTRIES = 20;

/** How the agent ended, for the card at the end of the conversation. */
export interface EndedInfo {
  reason: string;
  /** What the agent said about it (its error's data). */
  detail?: string | null;
  stderrTail: string;
}

/** The rendered conversation. */
export class ConversationLog {
  readonly element = element('div', 'conversation-log');
  private readonly earlier = button('', 'show-earlier');
  private readonly list = element('div', 'entries');
  private readonly endSlot = element('div', 'ended-slot');
  /** Cards shown after the entries (the login card) go here, before the ended card. */
  readonly tailSlot = element('div', 'tail-slot');
  private readonly tools = new Map<string, Y.Map<unknown>>();
  private readonly ctx: EntryContext;
  /** Views of entries[start …], in order. */
  private views: EntryView[] = [];
  private start = 0;
  /** Entries of the first window still to render above the rendered ones (filled in after the first paint). */
  private backfill = 0;
  private backfillFrame: number | null = null;
  private backfillTimer: ReturnType<typeof setTimeout> | null = null;
  private working = false;
  private streamingView: EntryView | null = null;
  private endedKey = '';
  private readonly onEntries = (event: Y.YArrayEvent<Y.Map<unknown>>): void => this.applyDelta(event);

  constructor(
    private readonly view: ConversationDocView,
    ctx: Omit<EntryContext, 'tool'>,
    /** Runs a change that adds content above the reader without moving what they see. */
    private readonly keepPosition: (change: () => void) => void,
  ) {
    this.ctx = { ...ctx, tool: (id) => this.tools.get(id) };
    this.earlier.hidden = true;
    this.earlier.addEventListener('click', () => this.showEarlier());
    this.element.append(this.earlier, this.list, this.tailSlot, this.endSlot);
  }

  /** Renders the newest entries (the rest of the first window after the first paint) and starts following changes. */
  mount(): void {
    const all = this.view.entries.toArray();
    for (const entry of all) this.indexTool(entry);
    this.start = Math.max(0, all.length - FIRST_PAINT_ENTRIES);
    this.backfill = Math.min(this.start, ENTRY_WINDOW - FIRST_PAINT_ENTRIES);
    this.views = all.slice(this.start).map((entry) => createEntryView(entry, this.ctx));
    this.list.replaceChildren(...this.views.map((v) => v.element));
    this.view.entries.observe(this.onEntries);
    this.updateEarlier();
    this.updateStreaming();
    this.scheduleBackfill();
  }

  /** The agent is (or is no longer) running a turn: its last message shows a caret while it streams. */
  setWorking(working: boolean): void {
    this.working = working;
    this.updateStreaming();
  }

  /** Shows how the agent ended (with the last lines of its stderr), or nothing. */
  setEnded(info: EndedInfo | null): void {
    const key = info ? JSON.stringify(info) : '';
    if (key === this.endedKey) return;
    this.endedKey = key;
    if (!info) {
      this.endSlot.replaceChildren();
      return;
    }
    const card = element('section', 'ended-card');
    card.setAttribute('aria-label', 'Agent ended');
    card.append(element('h2', 'ended-title', 'The agent has ended'), element('p', 'ended-reason', info.reason || 'The agent stopped.'));
    if (info.detail) card.append(element('p', 'ended-stderr-label', 'The agent said:'), element('pre', 'ended-stderr ended-detail', info.detail));
    if (info.stderrTail.trim()) {
      card.append(element('p', 'ended-stderr-label', 'Last lines of its error output:'), element('pre', 'ended-stderr', info.stderrTail.trimEnd()));
    }
    card.append(element('p', 'ended-note', 'The conversation stays readable here.'));
    this.endSlot.replaceChildren(card);
  }

  /** The element of the first pending permission request or question that is rendered, if any. */
  firstPendingPermission(): HTMLElement | null {
    return this.list.querySelector<HTMLElement>('.permission[data-status="pending"], .question[data-status="pending"]');
  }

  /** How many entries are rendered (the rest wait behind "Show earlier"). */
  get renderedCount(): number {
    return this.views.length;
  }

  destroy(): void {
    if (this.backfillFrame !== null) cancelAnimationFrame(this.backfillFrame);
    if (this.backfillTimer !== null) clearTimeout(this.backfillTimer);
    this.backfill = 0;
    this.view.entries.unobserve(this.onEntries);
    for (const v of this.views) v.destroy();
    this.views = [];
  }

  private showEarlier(): void {
    this.prependEarlier(ENTRY_WINDOW);
  }

  /** Renders up to `count` more entries above the rendered ones, keeping what the reader sees in place. */
  private prependEarlier(count: number): void {
    const from = Math.max(0, this.start - count);
    const added = this.view.entries.slice(from, this.start).map((entry) => createEntryView(entry, this.ctx));
    this.keepPosition(() => this.list.prepend(...added.map((v) => v.element)));
    this.views = [...added, ...this.views];
    this.start = from;
    this.updateEarlier();
  }

  /**
   * The next step of the first window, once the frame showing the newest entries was painted: two frames
   * then a task, so whatever else waits for that paint (a frame then a task) runs before it.
   */
  private scheduleBackfill(): void {
    if (this.backfill <= 0 || this.backfillFrame !== null || this.backfillTimer !== null) return;
    this.backfillFrame = requestAnimationFrame(() => {
      this.backfillFrame = requestAnimationFrame(() => this.backfillStep());
    });
  }

  private backfillStep(): void {
    this.backfillFrame = null;
    this.backfillTimer = setTimeout(() => {
      this.backfillTimer = null;
      const step = Math.min(FIRST_PAINT_ENTRIES, this.backfill);
      this.backfill -= step;
      this.prependEarlier(step);
      if (this.start === 0) this.backfill = 0;
      this.scheduleBackfill();
    }, 0);
  }

  private updateEarlier(): void {
    this.earlier.hidden = this.start === 0;
    if (this.start > 0) this.earlier.textContent = `Show earlier (${groupDigits(this.start)} more)`;
  }

  private applyDelta(event: Y.YArrayEvent<Y.Map<unknown>>): void {
    let index = 0;
    for (const change of event.changes.delta) {
      if (change.retain !== undefined) {
        index += change.retain;
      } else if (change.insert !== undefined) {
        for (const entry of change.insert as Array<Y.Map<unknown>>) this.insertAt(index++, entry);
      } else if (change.delete !== undefined) {
        for (let k = 0; k < change.delete; k++) this.removeAt(index);
      }
    }
    this.updateEarlier();
    this.updateStreaming();
  }

  private insertAt(index: number, entry: Y.Map<unknown>): void {
    const toolCallId = this.indexTool(entry);
    if (index < this.start) {
      this.start++; // above the rendered window: "Show earlier" will reach it
    } else {
      const at = index - this.start;
      const view = createEntryView(entry, this.ctx);
      this.list.insertBefore(view.element, this.views[at]?.element ?? null);
      this.views.splice(at, 0, view);
    }
    if (toolCallId) for (const v of this.views) v.toolAdded?.(toolCallId);
  }

  private removeAt(index: number): void {
    if (index < this.start) {
      this.start--;
      return;
    }
    const [view] = this.views.splice(index - this.start, 1);
    view?.destroy();
    view?.element.remove();
  }

  /** Remembers tool entries by their call id (permission requests refer to them); returns the id. */
  private indexTool(entry: Y.Map<unknown>): string | null {
    const id = readAs(entry, 'tool')?.toolCallId;
    if (!id) return null;
    this.tools.set(id, entry);
    return id;
  }

  private updateStreaming(): void {
    const last = this.views.at(-1) ?? null;
    const next = this.working && last?.setStreaming ? last : null;
    if (next === this.streamingView) return;
    this.streamingView?.setStreaming?.(false);
    next?.setStreaming?.(true);
    this.streamingView = next;
  }
}

/**
 * 12345 → "12,345". Not toLocaleString: the page's first use of Intl loads locale data, which cost 30-45 ms
 * of the conversation's first screen.
 */
function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
