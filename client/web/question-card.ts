/**
 * A question the agent asks (ACP elicitation) as a card: its form, one labelled control per field
 * (text, number, a list of choices, a switch, several checkboxes), checked the same way the host checks
 * it before sending; or, in URL mode, a link to the page and Done / Decline. Answerable on any device —
 * the first answer the host applies wins, and every card then shows who answered and how.
 */
import type * as Y from 'yjs';
import type { ConversationEntry } from '../../protocol/conversation-doc.js';
import { answerProblem, type AnswerValue, type QuestionAction, type QuestionField } from '../../protocol/agent-question.js';
import { button, element, setText, showError } from './dom.js';
import { readAs, type EntryContext, type EntryView } from './entry-view.js';

type QuestionEntry = Extract<ConversationEntry, { type: 'question' }>;

const EMPTY: QuestionEntry = { type: 'question', id: '', at: 0, requestId: '', mode: 'form', message: '', fields: [], url: null, status: 'pending', answer: null };
let cardCount = 0;

/** A question entry. */
export class QuestionCard implements EntryView {
  readonly element = element('section', 'entry question');
  private readonly title = element('h2', 'question-title');
  private readonly form = element('form', 'question-form');
  private readonly error = element('p', 'form-error');
  private readonly outcome = element('p', 'question-outcome');
  private readonly controls = new Map<string, () => AnswerValue | undefined>();
  private readonly prefix = `question-${++cardCount}`;
  private builtFor = '';
  private sending = false;
  private readonly onChange = (): void => this.update();

  constructor(
    private readonly entry: Y.Map<unknown>,
    private readonly ctx: EntryContext,
  ) {
    const head = element('header', 'question-head');
    const icon = element('span', 'question-icon', '?');
    icon.setAttribute('aria-hidden', 'true');
    head.append(icon, this.title);
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    this.form.noValidate = true;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send('accept');
    });
    this.element.append(head, this.form, this.outcome);
    entry.observe(this.onChange);
    this.update();
  }

  destroy(): void {
    this.entry.unobserve(this.onChange);
  }

  private read(): QuestionEntry {
    return readAs(this.entry, 'question') ?? EMPTY;
  }

  private update(): void {
    const q = this.read();
    this.element.dataset.status = q.status;
    this.element.setAttribute('aria-label', `Question: ${q.message || 'the agent asks'}`);
    setText(this.title, q.message || 'The agent asks');
    const pending = q.status === 'pending';
    this.form.hidden = !pending;
    this.outcome.hidden = pending;
    if (pending && this.builtFor !== q.requestId) this.build(q);
    if (!pending) this.renderOutcome(q);
  }

  private build(q: QuestionEntry): void {
    this.builtFor = q.requestId;
    this.controls.clear();
    const parts: HTMLElement[] = [];
    if (q.mode === 'url') {
      const link = element('a', 'question-link', 'Open the page');
      if (q.url) {
        link.href = q.url;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        link.title = q.url;
      }
      parts.push(link, element('p', 'question-url', q.url ?? ''));
    } else {
      parts.push(...q.fields.map((f) => this.field(f)));
    }
    const actions = element('div', 'question-actions');
    const accept = button(q.mode === 'url' ? 'Done' : 'Send answer', 'question-button question-primary');
    accept.type = 'submit';
    const decline = button('Decline', 'question-button');
    decline.addEventListener('click', () => this.send('decline'));
    actions.append(accept, decline);
    this.form.replaceChildren(...parts, this.error, actions);
  }

  private field(f: QuestionField): HTMLElement {
    const id = `${this.prefix}-${f.name}`;
    const wrap = element('div', 'question-field');
    const label = element('label', 'field-label', `${f.title}${f.required ? '' : ' (optional)'}`);
    label.htmlFor = id;
    const hint = f.description ? element('p', 'field-hint question-hint', f.description) : null;
    if (hint) hint.id = `${id}-hint`;
    let control: HTMLElement;
    switch (f.type) {
      case 'string': {
        if (f.choices) {
          const select = element('select', 'field-input field-select');
          if (!f.required || f.default === null) select.append(new Option(f.required ? 'Choose…' : '—', ''));
          for (const c of f.choices) select.append(new Option(c.title, c.value));
          select.value = f.default ?? '';
          this.controls.set(f.name, () => (select.value === '' ? undefined : select.value));
          control = select;
        } else {
          const input = element('input', 'field-input');
          input.type = f.format === 'email' ? 'email' : f.format === 'uri' ? 'url' : f.format === 'date' ? 'date' : 'text';
          if (f.maxLength !== null) input.maxLength = f.maxLength;
          input.value = f.default ?? '';
          this.controls.set(f.name, () => (input.value === '' ? undefined : input.value));
          control = input;
        }
        break;
      }
      case 'number':
      case 'integer': {
        const input = element('input', 'field-input');
        input.type = 'number';
        input.inputMode = f.type === 'integer' ? 'numeric' : 'decimal';
        if (f.minimum !== null) input.min = String(f.minimum);
        if (f.maximum !== null) input.max = String(f.maximum);
        input.step = f.type === 'integer' ? '1' : 'any';
        input.value = f.default === null ? '' : String(f.default);
        this.controls.set(f.name, () => (input.value === '' ? undefined : Number(input.value)));
        control = input;
        break;
      }
      case 'boolean': {
        const input = element('input', 'question-check');
        input.type = 'checkbox';
        input.checked = f.default === true;
        this.controls.set(f.name, () => input.checked);
        control = input;
        break;
      }
      case 'multi': {
        const group = element('fieldset', 'question-choices');
        group.append(element('legend', 'sr-only', f.title));
        const boxes = f.choices.map((c, i) => {
          const l = element('label', 'question-choice');
          const box = element('input', 'question-check');
          box.type = 'checkbox';
          box.value = c.value;
          box.id = `${id}-${i}`;
          box.checked = f.default?.includes(c.value) ?? false;
          l.append(box, element('span', undefined, c.title));
          group.append(l);
          return box;
        });
        this.controls.set(f.name, () => boxes.filter((b) => b.checked).map((b) => b.value));
        control = group;
        break;
      }
    }
    control.id = id;
    if (hint) control.setAttribute('aria-describedby', hint.id);
    if (f.type === 'boolean') {
      const row = element('div', 'question-switch');
      row.append(control, label);
      wrap.append(row);
    } else wrap.append(label, control);
    if (hint) wrap.append(hint);
    return wrap;
  }

  private send(action: QuestionAction): void {
    if (this.sending) return;
    const q = this.read();
    let content: Record<string, AnswerValue> | undefined;
    if (action === 'accept' && q.mode === 'form') {
      content = {};
      for (const [name, value] of this.controls) {
        const v = value();
        if (v !== undefined && !(Array.isArray(v) && v.length === 0 && !q.fields.find((f) => f.name === name)?.required)) content[name] = v;
      }
      const problem = answerProblem(q.fields, content);
      if (problem) {
        showError(this.error, problem);
        return;
      }
    }
    showError(this.error, null);
    this.sending = true;
    for (const b of this.form.querySelectorAll('button')) b.disabled = true;
    void this.ctx.send({ type: 'answer', requestId: q.requestId, action, ...(content ? { content } : {}) }).then(() => {
      this.sending = false;
      for (const b of this.form.querySelectorAll('button')) b.disabled = false;
    });
  }

  private renderOutcome(q: QuestionEntry): void {
    const a = q.answer;
    const you = a?.byDeviceId != null && a.byDeviceId === this.ctx.ownDeviceId ? ' (you)' : '';
    const how = q.status === 'cancelled' ? 'Cancelled' : a?.action === 'accept' ? 'Answered' : a?.action === 'decline' ? 'Declined' : 'Answered';
    this.element.dataset.outcome = q.status === 'cancelled' ? 'cancelled' : (a?.action ?? 'accept');
    const summary = a?.action === 'accept' && a.content ? Object.entries(a.content).map(([k, v]) => `${q.fields.find((f) => f.name === k)?.title ?? k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`).join(' · ') : '';
    this.outcome.replaceChildren(element('strong', 'question-choice', how), element('span', 'question-by', ` — by ${a?.by ?? 'unknown'}${you}`));
    if (summary) this.outcome.append(element('span', 'question-summary', summary));
  }
}
