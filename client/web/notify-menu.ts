/**
 * The bell in the top bar: what this device wants to be notified about — on a session's page for that
 * session, on the list for every session — with three checkboxes (needs you, turn finished, ended). Says
 * plainly why notifications cannot work here (plain http, a browser without push, blocked, no internet);
 * the choices then still make the open page chime and vibrate while it is in the background.
 */
import type { SessionClient } from '../core/session-client.js';
import { NOTIFY_KINDS, type NotifyKind } from '../../protocol/push.js';
import { element, srOnly } from './dom.js';
import { icon } from './icons.js';
import { chooseKinds, chosenKinds, notifyUnavailable, resendChoices } from './device-notifications.js';
import { unlockChime } from './chime.js';

/** Said under the reason push cannot work here. */
const PAGE_ONLY = 'While this page is open in the background, this device still chimes and vibrates for what you tick.';

const KIND_LABEL: Record<NotifyKind, string> = {
  attention: 'Needs my approval or an answer',
  'turn-ended': 'Finished a turn',
  ended: 'Ended or crashed',
};

/** Builds the bell for `client`'s page (`sessionId` null: the session list, for every session). */
export function notifyMenu(client: SessionClient, sessionId: string | null): HTMLDetailsElement {
  const menu = element('details', 'notify');
  const summary = element('summary', 'notify-summary');
  summary.append(icon('bell'), srOnly('Notifications'));
  const panel = element('div', 'notify-panel');
  const heading = element('p', 'notify-heading', sessionId ? 'Notify this device when this session:' : 'Notify this device when a session:');
  const status = element('p', 'notify-status');
  status.setAttribute('role', 'status');
  const boxes = new Map<NotifyKind, HTMLInputElement>();
  const list = element('div', 'notify-kinds');
  for (const kind of NOTIFY_KINDS) {
    const label = element('label', 'notify-kind');
    const box = element('input');
    box.type = 'checkbox';
    box.name = kind;
    boxes.set(kind, box);
    label.append(box, document.createTextNode(KIND_LABEL[kind]));
    list.append(label);
  }
  panel.append(heading, list, status);
  menu.append(summary, panel);

  /**
   * Shows the current choices, with `outcome` (what the last change did) before why push cannot work
   * here. The reason is looked up only while the panel is open: reading Notification.permission is a
   * synchronous call to the browser (~8 ms of a conversation's first screen when done at build).
   */
  const show = (outcome = ''): void => {
    const unavailable = menu.open ? notifyUnavailable(client.connection.hostHello?.pushKey) : null;
    const chosen = chosenKinds(sessionId);
    for (const [kind, box] of boxes) {
      box.checked = chosen.includes(kind);
      box.disabled = false;
    }
    menu.dataset.on = String(chosen.length > 0);
    status.textContent = [outcome, unavailable ? `${unavailable} ${PAGE_ONLY}` : ''].filter(Boolean).join(' ');
  };
  list.addEventListener('change', () => {
    // A tap in the bell is the gesture browsers ask for before a page may play sound.
    unlockChime();
    const kinds = NOTIFY_KINDS.filter((k) => boxes.get(k)!.checked);
    for (const box of boxes.values()) box.disabled = true;
    status.textContent = 'Saving…';
    chooseKinds(client, sessionId, kinds).then(
      () => {
        const pushes = notifyUnavailable(client.connection.hostHello?.pushKey) === null;
        show(kinds.length === 0 ? 'Off.' : pushes ? 'On. Works with this page closed too.' : 'On while this page is open.');
      },
      (err: unknown) => show((err as Error).message),
    );
  });
  menu.addEventListener('toggle', () => {
    if (menu.open) show();
  });
  // Close when the user taps anywhere else.
  document.addEventListener('pointerdown', (event) => {
    if (menu.open && !menu.contains(event.target as Node)) menu.open = false;
  });
  // Every new connection tells the host again (it may have restarted; the subscription may be new).
  client.on('state', (state) => {
    if (state === 'live') resendChoices(client).catch((err: unknown) => console.warn('tether: could not renew notifications', err));
  });
  show();
  return menu;
}
