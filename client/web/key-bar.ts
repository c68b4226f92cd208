/**
 * The row of keys phones lack: Esc, Tab, a sticky Ctrl (the next key typed becomes a control
 * character), arrows, and symbols buried deep in phone keyboards. Tapping a key keeps the focus (and
 * so the on-screen keyboard) where it was.
 */
import type { SpecialKey } from './control-keys.js';

/** What a key-row key produces. */
export type KeyBarKey = { special: SpecialKey } | { text: string } | { ctrl: true };

interface KeySpec {
  label: string;
  /** The accessible name: it contains the label (WCAG 2.5.3, so a voice user can say what they see). */
  name: string;
  key: KeyBarKey;
}

const KEYS: readonly KeySpec[] = [
  { label: 'Esc', name: 'Esc (Escape)', key: { special: 'escape' } },
  { label: 'Tab', name: 'Tab', key: { special: 'tab' } },
  { label: 'Ctrl', name: 'Ctrl (Control)', key: { ctrl: true } },
  { label: '←', name: 'Left arrow', key: { special: 'left' } },
  { label: '↑', name: 'Up arrow', key: { special: 'up' } },
  { label: '↓', name: 'Down arrow', key: { special: 'down' } },
  { label: '→', name: 'Right arrow', key: { special: 'right' } },
  { label: '|', name: 'Pipe', key: { text: '|' } },
  { label: '~', name: 'Tilde', key: { text: '~' } },
  { label: '/', name: 'Slash', key: { text: '/' } },
];

/** The key row. */
export class KeyBar {
  readonly element: HTMLElement;
  private readonly ctrlButton: HTMLButtonElement;
  private readonly buttons: HTMLButtonElement[] = [];

  constructor(onKey: (key: KeyBarKey) => void) {
    this.element = document.createElement('nav');
    this.element.className = 'keybar';
    this.element.setAttribute('aria-label', 'Terminal keys');
    let ctrlButton: HTMLButtonElement | null = null;
    for (const spec of KEYS) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'key';
      button.textContent = spec.label;
      button.setAttribute('aria-label', spec.name);
      if ('ctrl' in spec.key) {
        button.setAttribute('aria-pressed', 'false');
        button.classList.add('key-modifier');
        ctrlButton = button;
      }
      // Keep the terminal's textarea focused: moving focus to the button would close the phone keyboard.
      button.addEventListener('pointerdown', (event) => event.preventDefault());
      button.addEventListener('mousedown', (event) => event.preventDefault());
      button.addEventListener('click', () => onKey(spec.key));
      this.buttons.push(button);
      this.element.append(button);
    }
    this.ctrlButton = ctrlButton!;
  }

  /** Shows whether Ctrl is armed for the next key. */
  setCtrlArmed(armed: boolean): void {
    this.ctrlButton.setAttribute('aria-pressed', String(armed));
  }

  setEnabled(enabled: boolean): void {
    for (const button of this.buttons) button.disabled = !enabled;
  }
}
