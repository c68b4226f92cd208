/**
 * Tiny DOM helpers for the conversation view: create an element with a class and text, and a
 * visually hidden label for screen readers. Text always goes in through textContent, never HTML.
 */

/** Creates `<tag class=className>text</tag>`. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A button with a visible label (or an icon) and an accessible name. */
export function button(label: string, className: string, accessibleName?: string): HTMLButtonElement {
  const el = element('button', className, label);
  el.type = 'button';
  if (accessibleName !== undefined && accessibleName !== label) el.setAttribute('aria-label', accessibleName);
  return el;
}

/** Text only screen readers announce (styled by `.sr-only` in app.css). */
export function srOnly(text: string): HTMLSpanElement {
  return element('span', 'sr-only', text);
}

/** Sets textContent only when it changed (keeps selection and avoids needless layout). */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** "1 image" / "3 images". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Shows `text` in an error line, or hides and empties it when `text` is null. */
export function showError(el: HTMLElement, text: string | null): void {
  el.textContent = text ?? '';
  el.hidden = text === null;
}
