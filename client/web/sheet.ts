/**
 * A modal sheet: a native <dialog> that slides up from the bottom on a phone (within thumb reach) and
 * sits centred on a desktop. The browser traps focus, closes it on Escape and gives focus back to the
 * control that opened it; a tap on the backdrop closes it too.
 */
import { element } from './dom.js';

let sheetCount = 0;

/** One sheet; its content goes into `body`. */
export class Sheet {
  readonly dialog = element('dialog', 'sheet');
  readonly body = element('div', 'sheet-body');
  private readonly title = element('h2', 'sheet-title');
  private closeHandlers: Array<() => void> = [];

  constructor(title: string) {
    const id = `sheet-title-${++sheetCount}`;
    this.title.id = id;
    this.title.textContent = title;
    this.dialog.setAttribute('aria-labelledby', id);
    this.body.append(this.title);
    this.dialog.append(this.body);
    // A click on the dialog element itself is a click on the backdrop (the body fills the dialog).
    this.dialog.addEventListener('click', (event) => {
      if (event.target === this.dialog) this.close();
    });
    this.dialog.addEventListener('close', () => {
      for (const handler of this.closeHandlers) handler();
    });
    document.body.append(this.dialog);
  }

  /** Whether the sheet is showing. */
  get isOpen(): boolean {
    return this.dialog.open;
  }

  setTitle(text: string): void {
    if (this.title.textContent !== text) this.title.textContent = text;
  }

  /** Shows the sheet as a modal. */
  open(): void {
    if (!this.dialog.open) this.dialog.showModal();
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }

  /** Called whenever the sheet closes (Cancel, Escape, backdrop, or done). */
  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }
}
