/**
 * The agent's session settings as pickers, in a row under the status line: a select per choice setting
 * (model, reasoning effort…, values grouped as the agent groups them) and a switch per on/off setting,
 * each showing the current value live as any device changes it; plus the context used and the cost.
 * A change is an intent; a refusal puts the picker back.
 */
import type { ConfigOptionInfo, UsageInfo } from '../../protocol/agent-offer.js';
import { formatUsage } from '../../protocol/agent-offer.js';
import { button, element, setText } from './dom.js';

/** What the pickers do. */
export interface SettingsActions {
  /** Resolves true when the host applied the change. */
  set(configId: string, value: string | boolean): Promise<boolean>;
  /** Shows or hides the agent's login methods (the login card). */
  toggleLogin(): void;
}

/** The settings row. */
export class SettingsBar {
  readonly element = element('div', 'settings-bar');
  private readonly pickers = element('div', 'settings-pickers');
  private readonly usage = element('span', 'usage-chip');
  private readonly loginButton = button('Login', 'setting-login-button', 'Login methods');
  private hasLogins = false;
  private key = '';
  private enabled = true;
  private options: ConfigOptionInfo[] = [];

  constructor(private readonly actions: SettingsActions) {
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', 'Agent settings');
    this.usage.hidden = true;
    this.loginButton.hidden = true;
    this.loginButton.setAttribute('aria-expanded', 'false');
    this.loginButton.addEventListener('click', () => this.actions.toggleLogin());
    this.element.append(this.pickers, this.loginButton, this.usage);
    this.element.hidden = true;
  }

  /** True when the agent offers a setting in the `mode` category (the separate mode picker then hides). */
  hasModeSetting(): boolean {
    return this.options.some((o) => o.category === 'mode');
  }

  /** Shows the agent's settings (rebuilt only when they change; current values always follow). */
  setOptions(options: ConfigOptionInfo[]): void {
    this.options = options;
    const key = JSON.stringify(options.map((o) => (o.type === 'select' ? [o.id, o.name, o.options] : [o.id, o.name])));
    if (key !== this.key) {
      this.key = key;
      this.pickers.replaceChildren(...options.map((o) => this.picker(o)));
    }
    for (const o of options) {
      const control = this.pickers.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-config-id="${CSS.escape(o.id)}"]`);
      if (!control) continue;
      if (control instanceof HTMLInputElement) control.checked = o.currentValue === true;
      else if (typeof o.currentValue === 'string' && control.value !== o.currentValue) control.value = o.currentValue;
      control.disabled = !this.enabled;
    }
    this.visible();
  }

  /** Context used and cost, when the agent reported them. */
  setUsage(usage: UsageInfo | null): void {
    this.usage.hidden = usage === null;
    if (usage) {
      const text = formatUsage(usage);
      setText(this.usage, text);
      this.usage.title = `Context used: ${text}`;
      this.usage.dataset.full = String(usage.size > 0 && usage.used / usage.size >= 0.8);
    }
    this.visible();
  }

  /** Whether the agent names login methods (a button shows them), and whether they are shown now. */
  setLogins(available: boolean, shown: boolean): void {
    this.hasLogins = available;
    this.loginButton.hidden = !available;
    this.loginButton.setAttribute('aria-expanded', String(shown));
    this.visible();
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    for (const c of this.pickers.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-config-id]')) c.disabled = !enabled;
  }

  private visible(): void {
    this.element.hidden = this.options.length === 0 && this.usage.hidden && !this.hasLogins;
  }

  private picker(o: ConfigOptionInfo): HTMLElement {
    if (o.type === 'boolean') {
      const label = element('label', 'setting-switch');
      const input = element('input', 'setting-switch-input');
      input.type = 'checkbox';
      input.setAttribute('role', 'switch');
      input.dataset.configId = o.id;
      input.checked = o.currentValue;
      if (o.description) label.title = o.description;
      input.addEventListener('change', () => {
        const wanted = input.checked;
        void this.actions.set(o.id, wanted).then((ok) => {
          if (!ok) input.checked = !wanted;
        });
      });
      label.append(input, element('span', 'setting-switch-text', o.name));
      return label;
    }
    const select = element('select', 'setting-select');
    select.dataset.configId = o.id;
    select.setAttribute('aria-label', o.name);
    select.title = o.description ? `${o.name}: ${o.description}` : o.name;
    if (o.category) select.dataset.category = o.category;
    const groups = new Map<string, HTMLOptGroupElement>();
    for (const v of o.options) {
      const option = element('option', undefined, v.name);
      option.value = v.value;
      if (v.description) option.title = v.description;
      if (v.group === null) select.append(option);
      else {
        let group = groups.get(v.group);
        if (!group) {
          group = element('optgroup');
          group.label = v.group;
          groups.set(v.group, group);
          select.append(group);
        }
        group.append(option);
      }
    }
    select.value = o.currentValue;
    select.addEventListener('change', () => {
      const wanted = select.value;
      void this.actions.set(o.id, wanted).then((ok) => {
        // Refused: show the value the document still holds.
        const current = this.options.find((x) => x.id === o.id);
        if (!ok && current?.type === 'select') select.value = current.currentValue;
      });
    });
    return select;
  }
}
