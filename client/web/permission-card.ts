/**
 * A permission request as a prominent card: what the agent wants to do (the tool call's diff or output,
 * visible before answering) and the agent's own options as buttons, each named by the option. Once
 * answered — here or on any other device, first answer wins — it shows who answered and how.
 */
import type * as Y from 'yjs';
import type { PermissionAnswer, PermissionOption } from '../../protocol/conversation-doc.js';
import { element, setText } from './dom.js';
import { field, type EntryContext, type EntryView } from './entry-view.js';
import { toolContent, toolContentViews } from './tool-card.js';

/** A permission request entry. */
export class PermissionCard implements EntryView {
  readonly element = element('section', 'entry permission');
  private readonly title = element('h3', 'permission-title');
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
    if (!this.tool && toolCallId === field(this.entry, 'toolCallId')) {
      this.attachTool();
      this.update();
    }
  }

  destroy(): void {
    this.entry.unobserve(this.onChange);
    this.tool?.unobserve(this.onChange);
  }

  private attachTool(): void {
    const toolCallId = field(this.entry, 'toolCallId');
    this.tool = toolCallId ? this.ctx.tool(toolCallId) : undefined;
    this.tool?.observe(this.onChange);
  }

  private update(): void {
    const status = field(this.entry, 'status') || 'pending';
    const title = field(this.entry, 'title') || 'Permission requested';
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
    const options = this.entry.get('options');
    const list = Array.isArray(options) ? (options as PermissionOption[]) : [];
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
    const requestId = field(this.entry, 'requestId');
    void this.ctx.send({ type: 'permission', requestId, optionId }).then(() => {
      // Applied: the document already shows the answer. Refused (answered elsewhere): it shows that one.
      this.sending = false;
      if (field(this.entry, 'status') === 'pending') this.renderOptions();
    });
  }

  private renderOutcome(status: string): void {
    const answer = this.entry.get('answer') as PermissionAnswer | null | undefined;
    const by = answer?.by ?? 'unknown';
    const you = answer?.byDeviceId != null && answer.byDeviceId === this.ctx.ownDeviceId ? ' (you)' : '';
    const options = (this.entry.get('options') as PermissionOption[] | undefined) ?? [];
    const kind = options.find((o) => o.optionId === answer?.optionId)?.kind ?? '';
    const outcome = status === 'cancelled' ? 'cancelled' : kind.startsWith('reject') ? 'rejected' : 'allowed';
    this.element.dataset.outcome = outcome;
    setText(this.icon, outcome === 'allowed' ? '✓' : outcome === 'rejected' ? '✕' : '–');
    const choice = element('strong', 'permission-choice', status === 'cancelled' ? 'Cancelled' : (answer?.name ?? 'Answered'));
    const who = element('span', 'permission-by', ` — ${status === 'cancelled' ? 'by' : 'answered by'} ${by}${you}`);
    this.outcome.replaceChildren(choice, who);
  }
}
