/**
 * The prompts waiting for the agent to finish its turn, shown above the prompt box in the order they
 * will run; after a Stop they wait until someone taps "Run queued (n)". Any device can edit or remove any of them; the host applies the first change and the
 * list follows the document, so an item that starts running while being edited simply leaves.
 */
import type * as Y from 'yjs';
import type { IntentBody, IntentReply } from '../../protocol/messages.js';
import { readQueued } from '../../protocol/conversation-doc.js';
import { button, element, plural, setText } from './dom.js';

/** What the queue needs from the page. */
export interface QueueActions {
  readonly ownDeviceId: string;
  /** Sends an intent; a refusal has already been shown when it resolves. */
  send(intent: IntentBody): Promise<IntentReply>;
  notify(text: string): void;
}

interface Row {
  li: HTMLLIElement;
  text: HTMLElement;
  meta: HTMLElement;
  editor: HTMLTextAreaElement | null;
}

const str = (item: Y.Map<unknown>, key: string): string => {
  const v = item.get(key);
  return typeof v === 'string' ? v : '';
};

/** The queue above the prompt box (hidden when empty). */
export class QueueView {
  readonly element = element('section', 'queue');
  private readonly count = element('span', 'queue-count');
  private readonly hint = element('span', 'queue-hint', 'runs when the agent is free');
  private readonly list = element('ol', 'queue-list');
  private readonly runButton = button('Run queued', 'run-queue-button');
  private readonly rows = new Map<string, Row>();
  private order = '';
  private paused = false;
  private live = true;
  private running = false;

  constructor(
    private readonly queue: Y.Array<Y.Map<unknown>>,
    private readonly actions: QueueActions,
  ) {
    this.element.setAttribute('aria-label', 'Queued messages');
    const head = element('h2', 'queue-head');
    head.append(element('span', undefined, 'Queued'), this.count, this.hint);
    this.runButton.hidden = true;
    this.runButton.addEventListener('click', () => {
      this.running = true;
      this.render();
      void this.actions.send({ type: 'run-queue' }).then(() => {
        this.running = false;
        this.render();
      });
    });
    this.element.append(head, this.list, this.runButton);
    queue.observeDeep(() => this.render());
    this.render();
  }

  /** A Stop paused the queue (the document's state says so). */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    this.render();
  }

  /** Run queued acts now or never: only while the computer can be reached. */
  setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.render();
  }

  private render(): void {
    const items = this.queue.toArray();
    this.element.hidden = items.length === 0;
    setText(this.count, String(items.length));
    setText(this.hint, this.paused ? 'paused after Stop' : 'runs when the agent is free');
    this.runButton.hidden = !this.paused;
    this.runButton.disabled = this.running || !this.live;
    setText(this.runButton, `Run queued (${items.length})`);
    const seen = new Set<string>();
    for (const item of items) {
      const queued = readQueued(item);
      const id = queued.id;
      seen.add(id);
      const row = this.rows.get(id) ?? this.createRow(id);
      setText(row.text, queued.text);
      const by = queued.by || 'unknown device';
      const you = queued.byDeviceId === this.actions.ownDeviceId ? ' (you)' : '';
      const images = queued.images;
      setText(row.meta, `${by}${you}${images > 0 ? ` · ${plural(images, 'image')}` : ''}`);
    }
    for (const [id, row] of this.rows) {
      if (seen.has(id)) continue;
      if (row.editor && row.editor.value !== row.text.textContent) this.actions.notify('That message started (or was removed) before your edit was saved.');
      row.li.remove();
      this.rows.delete(id);
    }
    // Re-order only when the order changed: moving nodes would take the focus out of an open editor.
    const order = items.map((i) => readQueued(i).id).join('\n');
    if (order !== this.order) {
      this.order = order;
      this.list.replaceChildren(...items.map((i) => this.rows.get(readQueued(i).id)!.li));
    }
  }

  private createRow(id: string): Row {
    const li = element('li', 'queue-item');
    const text = element('p', 'queue-text');
    const meta = element('p', 'queue-meta');
    const body = element('div', 'queue-body');
    body.append(text, meta);
    const edit = button('Edit', 'queue-button');
    const remove = button('Remove', 'queue-button queue-remove');
    const controls = element('div', 'queue-controls');
    controls.append(edit, remove);
    li.append(body, controls);
    const row: Row = { li, text, meta, editor: null };
    edit.addEventListener('click', () => this.openEditor(id, row));
    remove.addEventListener('click', () => {
      remove.disabled = true;
      void this.actions.send({ type: 'queue-remove', queueId: id }).then(() => {
        remove.disabled = false;
      });
    });
    this.rows.set(id, row);
    return row;
  }

  private openEditor(id: string, row: Row): void {
    if (row.editor) return;
    const editor = element('textarea', 'queue-editor');
    editor.setAttribute('aria-label', 'Edit queued message');
    editor.value = row.text.textContent ?? '';
    editor.rows = 3;
    const save = button('Save', 'queue-button queue-save');
    const cancel = button('Cancel', 'queue-button');
    const form = element('div', 'queue-edit');
    const buttons = element('div', 'queue-controls');
    buttons.append(save, cancel);
    form.append(editor, buttons);
    row.editor = editor;
    row.li.classList.add('editing');
    row.li.append(form);
    const close = (): void => {
      row.editor = null;
      row.li.classList.remove('editing');
      form.remove();
    };
    cancel.addEventListener('click', close);
    save.addEventListener('click', () => {
      const text = editor.value.replace(/\s+$/, '');
      if (text.trim() === '' || text === row.text.textContent) {
        close();
        return;
      }
      save.disabled = true;
      void this.actions.send({ type: 'queue-edit', queueId: id, text }).then((reply) => {
        save.disabled = false;
        if (reply.ok || reply.error.code === 'QUEUE_ITEM_UNKNOWN') close();
      });
    });
    editor.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') close();
    });
    editor.focus();
  }
}
