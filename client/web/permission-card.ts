/**
 * A permission request as a prominent card: what the agent wants to do (the tool call's diff or output,
 * visible before answering) and the agent's own options as buttons, each named by the option. Once
 * answered — here or on any other device, first answer wins — it shows who answered and how.
 */
import type * as Y from 'yjs';
import type { ConversationEntry } from '../../protocol/conversation-doc.js';
import { element, setText } from './dom.js';
import { readAs, type EntryContext, type EntryView } from './entry-view.js';

type PermissionEntry = Extract<ConversationEntry, { type: 'permission' }>;

/** What a malformed permission entry reads as: a pending request with nothing to answer. */
const EMPTY: PermissionEntry = { type: 'permission', id: '', at: 0, requestId: '', toolCallId: null, title: '', options: [], status: 'pending', answer: null };
import { toolContent, toolContentViews } from './tool-card.js';

/** A permission request entry. */
export class PermissionCard implements EntryView {
  readonly element = element('section', 'entry permission');
  private readonly title = element('h2', 'permission-title');
  private readonly lead = element('p', 'permission-lead', 'The agent asks for permission:');
  private readonly detail = element('div', 'permission-detail');
  private readonly options = element('div', 'permission-options');
  private readonly outcome = element('p', 'permission-outcome');
  private readonly icon = element('span', 'permission-icon', '!');
  private tool: Y.Map<unknown> | undefined;
  private optionsKey = '';
  private detailKey = '';
  private sending = false;
  private readonly onChange = (): void => this.update();

  constructor(
    private readonly entry: Y.Map<unknown>,
    private readonly ctx: EntryContext,
  ) {
    const head = element('header', 'permission-head');
    this.icon.setAttribute('aria-hidden', 'true');
    head.append(this.icon, this.title);
    this.element.append(head, this.lead, this.detail, this.options, this.outcome);
    this.options.setAttribute('role', 'group');
    this.options.setAttribute('aria-label', 'Answer');
    entry.observe(this.onChange);
    this.attachTool();
    this.update();
  }

  toolAdded(toolCallId: string): void {
    if (!this.tool && toolCallId === this.read().toolCallId) {
      this.attachTool();
      this.update();
    }
  }

  destroy(): void {
    this.entry.unobserve(this.onChange);
    this.tool?.unobserve(this.onChange);
  }

  /** The request, validated. */
  private read(): PermissionEntry {
    return readAs(this.entry, 'permission') ?? EMPTY;
  }

  private attachTool(): void {
    const toolCallId = this.read().toolCallId;
    this.tool = toolCallId ? this.ctx.tool(toolCallId) : undefined;
    this.tool?.observe(this.onChange);
  }

  private update(): void {
    const request = this.read();
    const status = request.status;
    const title = request.title || 'Permission requested';
    this.element.dataset.status = status;
    this.element.setAttribute('aria-label', `Permission request: ${title}`);
    setText(this.title, title);
    const pending = status === 'pending';
    this.lead.hidden = !pending;
    this.options.hidden = !pending;
    this.detail.hidden = !pending;
    this.outcome.hidden = pending;
    if (pending) {
      setText(this.icon, '!');
      this.renderDetail();
      this.renderOptions();
    } else {
      this.renderOutcome(status);
      this.detail.replaceChildren();
      this.detailKey = '';
    }
  }

  /** The tool call's content (the diff of an edit) so the user sees what they approve. */
  private renderDetail(): void {
    const content = this.tool ? toolContent(this.tool) : [];
    const key = JSON.stringify(content);
    if (key === this.detailKey) return;
    this.detailKey = key;
    this.detail.replaceChildren(...toolContentViews(content, this.ctx.cwd()));
  }

  private renderOptions(): void {
    const list = this.read().options;
    const key = JSON.stringify(list);
    if (key !== this.optionsKey) {
      this.optionsKey = key;
      this.options.replaceChildren(
        ...list.map((option) => {
          const b = element('button', 'permission-option', option.name);
          b.type = 'button';
          b.dataset.kind = option.kind;
          b.addEventListener('click', () => this.answer(option.optionId));
          return b;
        }),
      );
    }
    for (const b of this.options.querySelectorAll('button')) b.disabled = this.sending;
  }

  private answer(optionId: string): void {
    if (this.sending) return;
    this.sending = true;
    this.renderOptions();
    const requestId = this.read().requestId;
    void this.ctx.send({ type: 'permission', requestId, optionId }).then(() => {
      // Applied: the document already shows the answer. Refused (answered elsewhere): it shows that one.
      this.sending = false;
      if (this.read().status === 'pending') this.renderOptions();
    });
  }

  private renderOutcome(status: string): void {
    const { answer, options } = this.read();
    const by = answer?.by ?? 'unknown';
    const you = answer?.byDeviceId != null && answer.byDeviceId === this.ctx.ownDeviceId ? ' (you)' : '';
    const kind = options.find((o) => o.optionId === answer?.optionId)?.kind ?? '';
    const outcome = status === 'cancelled' ? 'cancelled' : kind.startsWith('reject') ? 'rejected' : 'allowed';
    this.element.dataset.outcome = outcome;
    setText(this.icon, outcome === 'allowed' ? '✓' : outcome === 'rejected' ? '✕' : '–');
    const choice = element('strong', 'permission-choice', status === 'cancelled' ? 'Cancelled' : (answer?.name ?? 'Answered'));
    const who = element('span', 'permission-by', ` — ${status === 'cancelled' ? 'by' : 'answered by'} ${by}${you}`);
    this.outcome.replaceChildren(choice, who);
  }
}
