/**
 * Builds the view for one conversation entry by its type: the user's prompts (who sent them, how many
 * images), agent messages and thoughts, plans, tool calls, permission requests and notices.
 */
import type * as Y from 'yjs';
import { entryType } from '../../protocol/conversation-doc.js';
import { element, plural, srOnly } from './dom.js';
import { readAs, type EntryContext, type EntryView } from './entry-view.js';
import { MessageView } from './message-view.js';
import { ToolCard } from './tool-card.js';
import { PermissionCard } from './permission-card.js';
import { QuestionCard } from './question-card.js';

/** A view for `entry`, whatever its type. */
export function createEntryView(entry: Y.Map<unknown>, ctx: EntryContext): EntryView {
  switch (entryType(entry)) {
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
    case 'question':
      return new QuestionCard(entry, ctx);
    case 'notice':
      return noticeView(entry);
    default:
      return staticView(element('div', 'entry unknown', `(${readAs(entry, 'unknown')?.rawType ?? ''})`));
  }
}

function staticView(el: HTMLElement): EntryView {
  return { element: el, destroy: () => undefined };
}

/**
 * A prompt, as a bubble on the right with its sender and its images (those the document still keeps).
 * Sent prompts never change, except that old images may be dropped (and replayed prompts of a resumed
 * session grow as they arrive): it follows its entry.
 */
function userView(entry: Y.Map<unknown>, ctx: EntryContext): EntryView {
  const el = element('article', 'entry user');
  const render = (): void => {
    const prompt = readAs(entry, 'user');
    const by = prompt?.by || 'unknown device';
    const you = prompt?.byDeviceId === ctx.ownDeviceId;
    el.setAttribute('aria-label', `Prompt from ${by}`);
    const bubble = element('div', 'user-bubble');
    const kept = prompt?.imageData ?? [];
    if (kept.length > 0) {
      const strip = element('div', 'user-image-strip');
      kept.forEach((image, i) => {
        const img = element('img', 'user-image');
        // Only the four image types the schema allows, as base64 the schema checked: never markup.
        img.src = `data:${image.mimeType};base64,${image.data}`;
        img.alt = `Image ${i + 1} of the prompt`;
        img.loading = 'lazy';
        strip.append(img);
      });
      bubble.append(strip);
    }
    const text = prompt?.text ?? '';
    if (text) bubble.append(element('p', 'user-text', text));
    const meta = element('p', 'user-meta');
    meta.append(element('span', 'user-by', you ? `${by} (you)` : by));
    const images = prompt?.images ?? 0;
    if (images > 0) meta.append(element('span', 'user-images', kept.length < images ? `${plural(images, 'image')} (not kept)` : plural(images, 'image')));
    el.replaceChildren(bubble, meta);
  };
  const onChange = (): void => render();
  entry.observeDeep(onChange);
  render();
  return { element: el, destroy: () => entry.unobserveDeep(onChange) };
}

function noticeView(entry: Y.Map<unknown>): EntryView {
  const notice = readAs(entry, 'notice');
  const el = element('p', 'entry notice', notice?.text ?? '');
  el.dataset.level = notice?.level ?? 'info';
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
    this.element.append(element('h2', 'plan-title', 'Plan'), this.list);
    entry.observe(this.onChange);
    this.render();
  }

  destroy(): void {
    this.entry.unobserve(this.onChange);
  }

  private render(): void {
    const items = readAs(this.entry, 'plan')?.items ?? [];
    this.list.replaceChildren(
      ...items.map((item) => {
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
