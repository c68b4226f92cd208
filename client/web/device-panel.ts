/**
 * The devices section of the session list, for owner devices: every device paired with this host (name,
 * kind, role, online or last seen) with a role menu and Remove, and devices waiting to join with Allow,
 * View only and Deny. Every action is an owner-only intent to the host; the list is the host's record.
 */
import { sortTrustedDevices, type TrustedDevice } from '../../protocol/trusted-devices.js';
import type { IntentBody, IntentReply } from '../../protocol/messages.js';
import type { Role } from '../../protocol/roles.js';
import { button, element, setText } from './dom.js';
import { relativeTime } from './relative-time.js';

const ROLE_LABEL: Record<Role, string> = { owner: 'Owner', control: 'Control', view: 'View only' };

/** The panel (hidden until `show` gives it devices); `send` carries an intent to the host and `notify` shows a refusal. */
export class DevicePanel {
  readonly element = element('section', 'device-panel');
  private readonly list = element('ul', 'device-list');
  private shownKey = '';

  constructor(
    private readonly ownDeviceId: () => string,
    private readonly send: (intent: IntentBody) => Promise<IntentReply>,
    private readonly notify: (text: string) => void,
  ) {
    this.element.setAttribute('aria-label', 'Devices');
    const head = element('h2', 'device-head', 'Devices');
    this.element.append(head, this.list);
    this.show([]);
  }

  /** Shows the host's paired and waiting devices, as its latest presence frame listed them (none: hidden). */
  show(trusted: readonly TrustedDevice[]): void {
    const devices = sortTrustedDevices(trusted);
    const key = JSON.stringify(devices);
    if (key === this.shownKey && this.list.childElementCount === devices.length) return;
    this.shownKey = key;
    this.list.replaceChildren(...devices.map((d) => this.row(d)));
    this.element.hidden = devices.length === 0;
    setText(this.element.querySelector('.device-head')!, `Devices (${devices.length})`);
  }

  private async act(intent: IntentBody): Promise<void> {
    const reply = await this.send(intent);
    if (!reply.ok) this.notify(`${reply.error.message} (${reply.error.code})`);
  }

  private row(d: TrustedDevice): HTMLLIElement {
    const li = element('li', 'device-row');
    li.dataset.deviceId = d.deviceId;
    li.dataset.pending = String(d.pending);
    const name = element('span', 'device-name', d.name);
    const you = d.deviceId === this.ownDeviceId() ? ' (this device)' : '';
    const state = element('span', 'device-state', `${d.kind}${you} · ${d.pending ? `wants to join as ${ROLE_LABEL[d.role].toLowerCase()}` : d.online ? 'online' : `seen ${relativeTime(d.lastSeen, Date.now())}`}`);
    const info = element('div', 'device-info');
    info.append(name, state);
    const actions = element('div', 'device-actions');
    if (d.pending) {
      const allow = button('Allow', 'device-button device-allow', `Allow ${d.name}`);
      const view = button('View only', 'device-button', `Allow ${d.name} view-only`);
      const deny = button('Deny', 'device-button device-deny', `Deny ${d.name}`);
      allow.addEventListener('click', () => void this.act({ type: 'answer-device', deviceId: d.deviceId, answer: 'allow' }));
      view.addEventListener('click', () => void this.act({ type: 'answer-device', deviceId: d.deviceId, answer: 'view' }));
      deny.addEventListener('click', () => void this.act({ type: 'answer-device', deviceId: d.deviceId, answer: 'deny' }));
      actions.append(allow, view, deny);
    } else {
      const select = element('select', 'device-role');
      select.setAttribute('aria-label', `Role of ${d.name}`);
      for (const role of ['owner', 'control', 'view'] as const) {
        const option = element('option', undefined, ROLE_LABEL[role]);
        option.value = role;
        option.selected = role === d.role;
        select.append(option);
      }
      select.addEventListener('change', () => void this.act({ type: 'set-device-role', deviceId: d.deviceId, role: select.value as Role }));
      const remove = button('Remove', 'device-button device-remove', `Remove ${d.name}`);
      remove.addEventListener('click', () => {
        if (window.confirm(`Remove ${d.name}? It is disconnected at once and needs a new link to come back.`)) {
          void this.act({ type: 'revoke-device', deviceId: d.deviceId });
        }
      });
      actions.append(select, remove);
    }
    li.append(info, actions);
    return li;
  }
}
