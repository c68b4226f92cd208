/**
 * The agent's slash commands under the prompt box: typing `/` at the start lists the commands that match
 * what follows, each with its description and input hint; arrows move, Enter or Tab (or a tap) inserts
 * `/name ` into the box, Escape closes. The box stays a textbox; the list is announced through
 * aria-controls / aria-activedescendant (a textbox may not carry aria-expanded).
 */
import type { AgentCommandInfo } from '../../protocol/agent-offer.js';
import { matchingCommands } from '../../protocol/agent-offer.js';
import { element } from './dom.js';

/** Most commands listed at once (a scrolled list past that). */
const MAX_SHOWN = 50;
let menuCount = 0;

/** The command list bound to one textarea. */
export class CommandMenu {
  readonly element = element('ul', 'command-menu');
  private commands: AgentCommandInfo[] = [];
  private shown: AgentCommandInfo[] = [];
  private active = 0;
  private readonly id = `command-menu-${++menuCount}`;

  /** Attach before any other keydown listener of `input`: a key the menu uses goes no further. */
  constructor(private readonly input: HTMLTextAreaElement) {
    this.element.id = this.id;
    this.element.setAttribute('role', 'listbox');
    this.element.setAttribute('aria-label', 'Agent commands');
    this.element.hidden = true;
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', this.id);
    input.addEventListener('input', () => this.update());
    input.addEventListener('keydown', (event) => this.key(event));
    input.addEventListener('blur', () => this.close());
    // A tap on an option must not take the focus from the box first.
    this.element.addEventListener('pointerdown', (event) => event.preventDefault());
  }

  /** The agent's commands (they may change during the session). */
  setCommands(commands: AgentCommandInfo[]): void {
    this.commands = commands;
    if (!this.element.hidden) this.update();
  }

  get open(): boolean {
    return !this.element.hidden;
  }

  private update(): void {
    const match = /^\/(\S*)$/.exec(this.input.value);
    const shown = match && this.input.selectionStart === this.input.value.length ? matchingCommands(this.commands, match[1]!).slice(0, MAX_SHOWN) : [];
    if (shown.length === 0) return this.close();
    this.shown = shown;
    this.active = Math.min(this.active, shown.length - 1);
    this.element.replaceChildren(
      ...shown.map((c, i) => {
        const li = element('li', 'command-option');
        li.id = `${this.id}-${i}`;
        li.setAttribute('role', 'option');
        const name = element('span', 'command-name', `/${c.name}`);
        if (c.hint) name.append(element('span', 'command-hint', ` ${c.hint}`));
        li.append(name, element('span', 'command-description', c.description));
        li.addEventListener('click', () => this.choose(i));
        return li;
      }),
    );
    this.element.hidden = false;
    this.highlight();
  }

  private highlight(): void {
    this.element.querySelectorAll('[role="option"]').forEach((li, i) => li.setAttribute('aria-selected', String(i === this.active)));
    const current = this.element.children[this.active] as HTMLElement | undefined;
    if (current) {
      this.input.setAttribute('aria-activedescendant', current.id);
      current.scrollIntoView({ block: 'nearest' });
    }
  }

  private key(event: KeyboardEvent): void {
    if (this.element.hidden || event.isComposing) return;
    const n = this.shown.length;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') this.active = (this.active + (event.key === 'ArrowDown' ? 1 : n - 1)) % n;
    else if (event.key === 'Enter' || event.key === 'Tab') this.choose(this.active);
    else if (event.key === 'Escape') this.close();
    else return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (!this.element.hidden) this.highlight();
  }

  private choose(index: number): void {
    const command = this.shown[index];
    if (!command) return;
    this.input.value = `/${command.name} `;
    this.close();
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
    // The composer follows its text (Send enabled, height).
    this.input.dispatchEvent(new Event('input', { bubbles: true }));
  }

  private close(): void {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.active = 0;
    this.input.removeAttribute('aria-activedescendant');
  }
}
