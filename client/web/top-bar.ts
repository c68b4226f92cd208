/**
 * The bar above the terminal: which session this is (name and command from the document), the
 * connection state, and the devices connected to it, with this device marked "you".
 */
import { PATH_LABEL, type ConnectionPath } from '../../protocol/ice-servers.js';
import type { DeviceInfo } from '../../protocol/device-roster.js';
import type { ConnectionState } from '../../client/core/session-client.js';
import type { TetherError } from '../../protocol/errors.js';
import { relativeTime, RELATIVE_TIME_REFRESH_MS } from './relative-time.js';

/** Why a device list says what it says about a connection's path. */
const PATH_TITLE: Readonly<Record<ConnectionPath, string>> = {
  direct: 'Connected directly, peer to peer',
  stun: 'Peer to peer through a router (address found with STUN)',
  relay: 'Relayed by a TURN server; still encrypted end to end',
};

const STATE_LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Not connected',
  closed: 'Ended',
};

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** The header of the page. */
export class TopBar {
  readonly element: HTMLElement;
  private readonly name = element('h1', 'session-name', 'tether');
  private readonly command = element('span', 'session-command');
  private readonly status = element('div', 'status');
  private readonly statusText = element('span', 'status-text');
  private readonly devicesSummary = element('summary', 'devices-summary');
  private readonly devicesList = element('ul', 'devices-list');
  private readonly devices = element('details', 'devices');
  private devicesKey = '';
  private back: HTMLAnchorElement | null = null;
  private lastSynced: number | null = null;
  private connection: { state: ConnectionState; error: TetherError | null } = { state: 'connecting', error: null };
  private refresh: ReturnType<typeof setInterval> | null = null;

  constructor() {
    this.element = element('header', 'topbar');
    const session = element('div', 'session');
    session.append(this.name, this.command);

    this.status.setAttribute('role', 'status');
    this.status.dataset.state = 'connecting';
    this.status.append(element('span', 'status-dot'), this.statusText);
    this.statusText.textContent = STATE_LABEL.connecting;

    const devices = this.devices;
    this.devicesList.setAttribute('aria-label', 'Connected devices');
    devices.append(this.devicesSummary, this.devicesList);
    // Close the dropdown when the user taps anywhere else.
    document.addEventListener('pointerdown', (event) => {
      if (devices.open && !devices.contains(event.target as Node)) devices.open = false;
    });

    this.element.append(session, this.status, devices);
    this.setConnection('connecting', null);
    this.setDevices([], null);
  }

  /** Shows a link back to the session list this session was opened from (`null` removes it). */
  setBackLink(href: string | null): void {
    if (href === null) {
      this.back?.remove();
      this.back = null;
      return;
    }
    if (!this.back) {
      this.back = element('a', 'topbar-back', '‹');
      this.back.setAttribute('aria-label', 'All sessions');
      this.back.title = 'All sessions';
      this.element.prepend(this.back);
    }
    this.back.href = href;
  }

  /** Shows the session's name and the command running in it. */
  setSession(name: string, command: string): void {
    const title = name || command || 'tether';
    if (this.name.textContent !== title) this.name.textContent = title;
    const subtitle = name && command ? command : '';
    if (this.command.textContent !== subtitle) this.command.textContent = subtitle;
    this.command.hidden = subtitle === '';
    this.name.title = command ? `${title} — ${command}` : title;
  }

  /** When the replica shown was last in step with the host: while not live, the page says it is offline and since when. */
  setLastSynced(at: number | null): void {
    this.lastSynced = at;
    this.setConnection(this.connection.state, this.connection.error);
  }

  /**
   * Shows the connection state honestly: connecting (nothing shown yet), offline — last synced N ago
   * (the replica shown is not live), live. The error's message is the tooltip.
   */
  setConnection(state: ConnectionState, error: TetherError | null): void {
    this.connection = { state, error };
    const offline = (state === 'connecting' || state === 'reconnecting') && this.lastSynced !== null;
    this.status.dataset.state = offline ? 'offline' : state;
    this.statusText.textContent = offline ? `Offline — last synced ${relativeTime(this.lastSynced!, Date.now())}` : STATE_LABEL[state];
    // The "… ago" must stay true while offline.
    if (offline && !this.refresh) this.refresh = setInterval(() => this.setConnection(this.connection.state, this.connection.error), RELATIVE_TIME_REFRESH_MS);
    else if (!offline && this.refresh) {
      clearInterval(this.refresh);
      this.refresh = null;
    }
    this.status.title = error ? `${error.message} (${error.code})` : STATE_LABEL[state];
    // The list is only true while live: dim it while reconnecting, drop it once there is no session.
    this.devices.hidden = state === 'failed' || state === 'closed';
    this.devices.dataset.stale = String(state !== 'live');
  }

  /**
   * Lists the connected devices; `ownPeerId` marks this one, `sizeOwner` the one whose screen the
   * terminal is sized for (it explains why the terminal looks small or large here).
   */
  setDevices(devices: readonly DeviceInfo[], ownPeerId: string | null, sizeOwner: string | null = null): void {
    const sorted = [...devices].sort((a, b) => a.joinedAt - b.joinedAt);
    const key = JSON.stringify([sorted, ownPeerId, sizeOwner]);
    if (key === this.devicesKey) return;
    this.devicesKey = key;
    const count = sorted.length;
    const summary = count === 1 ? '1 device' : `${count} devices`;
    this.devicesSummary.textContent = summary;
    // The name contains the visible text (WCAG 2.5.3, so a voice user can say what they see).
    this.devicesSummary.setAttribute('aria-label', `${summary} connected`);
    const items = sorted.map((info) => {
      const item = element('li', 'device');
      item.dataset.kind = info.kind;
      item.append(element('span', 'device-icon'), element('span', 'device-name', info.name));
      if (info.path) {
        const path = element('span', 'device-path', PATH_LABEL[info.path]);
        path.dataset.path = info.path;
        path.title = PATH_TITLE[info.path];
        item.append(path);
      }
      if (info.peerId === ownPeerId) {
        item.classList.add('is-you');
        item.append(element('span', 'device-you', '(you)'));
      }
      if (info.peerId === sizeOwner && count > 1) {
        const badge = element('span', 'device-size', 'sets size');
        badge.title = 'The terminal is sized for this screen: the device that last typed or resized sets it';
        item.append(badge);
      }
      return item;
    });
    if (items.length === 0) items.push(element('li', 'device device-empty', 'No devices yet'));
    this.devicesList.replaceChildren(...items);
  }
}
