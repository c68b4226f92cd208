/**
 * Builds the view for one conversation entry by its type: the user's prompts (who sent them, how many
 * images), agent messages and thoughts, plans, tool calls, permission requests and notices.
 */
import type * as Y from 'yjs';
import type { PlanItem } from '../../protocol/conversation-doc.js';
import { element, plural, srOnly } from './dom.js';
import { field, type EntryContext, type EntryView } from './entry-view.js';
import { MessageView } from './message-view.js';
import { ToolCard } from './tool-card.js';
import { PermissionCard } from './permission-card.js';

/** A view for `entry`, whatever its type. */
export function createEntryView(entry: Y.Map<unknown>, ctx: EntryContext): EntryView {
  switch (entry.get('type')) {
    case 'user':
      return userView(entry, ctx);
    case 'agent':
      return new MessageView(entry, 'agent');
    case 'thought':
      return new MessageView(entry, 'thought');
    case 'plan':
      return new PlanView(entry);
    case 'tool':
      return new ToolCard(entry, ctx);
    case 'permission':
      return new PermissionCard(entry, ctx);
    case 'notice':
      return noticeView(entry);
    default:
      return staticView(element('div', 'entry unknown', `(${String(entry.get('type'))})`));
  }
}

function staticView(el: HTMLElement): EntryView {
  return { element: el, destroy: () => undefined };
}

/** A prompt, as a bubble on the right with its sender; prompts never change once sent. */
function userView(entry: Y.Map<unknown>, ctx: EntryContext): EntryView {
  const el = element('article', 'entry user');
  const by = field(entry, 'by') || 'unknown device';
  const you = entry.get('byDeviceId') === ctx.ownDeviceId;
  el.setAttribute('aria-label', `Prompt from ${by}`);
  const bubble = element('div', 'user-bubble');
  const text = field(entry, 'text');
  if (text) bubble.append(element('p', 'user-text', text));
  const meta = element('p', 'user-meta');
  meta.append(element('span', 'user-by', you ? `${by} (you)` : by));
  const images = Number(entry.get('images') ?? 0);
  if (images > 0) meta.append(element('span', 'user-images', plural(images, 'image')));
  el.append(bubble, meta);
  return staticView(el);
}

function noticeView(entry: Y.Map<unknown>): EntryView {
  const el = element('p', 'entry notice', field(entry, 'text'));
  el.dataset.level = field(entry, 'level') || 'info';
  if (el.dataset.level === 'error') el.setAttribute('role', 'note');
  return staticView(el);
}

const PLAN_STATUS: Record<string, string> = { completed: 'done', in_progress: 'in progress', pending: 'to do' };

/** The agent's plan as a checklist, updated in place as the agent revises it. */
class PlanView implements EntryView {
  readonly element = element('section', 'entry plan');
  private readonly list = element('ol', 'plan-items');
  private readonly onChange = (): void => this.render();

  constructor(private readonly entry: Y.Map<unknown>) {
    this.element.setAttribute('aria-label', 'Plan');
    this.element.append(element('h3', 'plan-title', 'Plan'), this.list);
    entry.observe(this.onChange);
    this.render();
  }

  destroy(): void {
    this.entry.unobserve(this.onChange);
  }

  private render(): void {
    const items = this.entry.get('items');
    this.list.replaceChildren(
      ...(Array.isArray(items) ? (items as PlanItem[]) : []).map((item) => {
        const li = element('li', 'plan-item');
        li.dataset.status = item.status;
        const check = element('span', 'plan-check');
        check.setAttribute('aria-hidden', 'true');
        li.append(check, element('span', 'plan-text', item.content), srOnly(` (${PLAN_STATUS[item.status] ?? item.status})`));
        return li;
      }),
    );
  }
}
