/**
 * The outbox above the prompt box: prompts typed while the host is unreachable, waiting to be sent
 * ("Waiting to send — offline"), each with Edit and Remove while it has not gone out yet. Prompts that
 * the host confirms within a moment never show (no flicker while live).
 */
import type { Outbox, OutboxItem } from '../core/outbox.js';
import { button, element, setText } from './dom.js';

/** A prompt shows in the outbox once it has waited this long unconfirmed (or at once while offline). */
const SHOW_AFTER_MS = 800;

/** The outbox list. */
export class OutboxView {
  readonly element = element('section', 'outbox');
  private readonly title = element('h2', 'outbox-title');
  private readonly list = element('ul', 'outbox-list');
  private editing: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly outbox: Outbox,
    private readonly isLive: () => boolean,
    private readonly notify: (text: string) => void,
  ) {
    this.element.setAttribute('aria-label', 'Waiting to send');
    this.element.append(this.title, this.list);
    this.element.hidden = true;
    outbox.on('changed', () => this.render());
  }

  /** Renders the waiting prompts (call on connection changes too). */
  render(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = Date.now();
    const live = this.isLive();
    const items = this.outbox.items.filter((i) => !live || now - i.createdAt >= SHOW_AFTER_MS);
    const later = this.outbox.items.find((i) => live && now - i.createdAt < SHOW_AFTER_MS);
    if (later) this.timer = setTimeout(() => this.render(), SHOW_AFTER_MS - (now - later.createdAt) + 10);
    this.element.hidden = items.length === 0;
    setText(this.title, live ? `Sending ${items.length === 1 ? '1 message' : `${items.length} messages`}…` : `Waiting to send — offline (${items.length})`);
    if (this.editing !== null) return; // keep the editor as it is while the user types
    this.list.replaceChildren(...items.map((item) => this.row(item)));
  }

  private row(item: OutboxItem): HTMLLIElement {
    const li = element('li', 'outbox-item');
    const text = element('p', 'outbox-text', item.text);
    const edit = button('Edit', 'card-button', 'Edit waiting message');
    const remove = button('Remove', 'card-button', 'Remove waiting message');
    li.append(text, edit, remove);
    remove.addEventListener('click', () => {
      void this.outbox.remove(item.id).then((ok) => !ok && this.notify('That message was already sent.'));
    });
    edit.addEventListener('click', () => {
      this.editing = item.id;
      const area = element('textarea', 'outbox-editor');
      area.value = item.text;
      area.setAttribute('aria-label', 'Edit waiting message');
      const save = button('Save', 'card-button card-save');
      li.replaceChildren(area, save);
      area.focus();
      save.addEventListener('click', () => {
        this.editing = null;
        const next = area.value.trim();
        void (next === '' ? this.outbox.remove(item.id) : this.outbox.edit(item.id, next)).then((ok) => {
          if (!ok) this.notify('That message was already sent.');
          this.render();
        });
      });
    });
    return li;
  }
}
