/**
 * A brief message over the bottom of the conversation (an intent the host refused: "Already answered
 * by …", "That queued prompt already started…"). Announced to screen readers; it hides itself.
 */
import { element } from './dom.js';

/** How long a message stays. */
const SHOW_MS = 5000;

/** One message at a time; a new one replaces the old. */
export class Toast {
  readonly element = element('div', 'toast');
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    this.element.setAttribute('role', 'alert');
    this.element.hidden = true;
    this.element.addEventListener('click', () => this.hide());
  }

  show(text: string, ms = SHOW_MS): void {
    if (this.timer) clearTimeout(this.timer);
    this.element.textContent = text;
    this.element.hidden = false;
    this.timer = setTimeout(() => this.hide(), ms);
  }

  hide(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.element.hidden = true;
    this.element.textContent = '';
  }
}

/** A host's refusal as a sentence. */
export function refusalText(error: { code: string; message: string }): string {
  const message = error.message.trim() || error.code;
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?)]$/.test(sentence) ? sentence : `${sentence}.`;
}
