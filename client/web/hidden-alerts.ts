/**
 * Alerts from a page that is open but not looked at (another tab, the phone's screen off with the
 * browser in front), for what this device asked to hear about: a chime, a vibration when a session needs
 * the user, and a notification from the page's own service worker where the page may show one (https,
 * allowed) — no push service involved, so it works on a LAN without internet. The notification has the
 * same tag as a push of the same event, so one replaces the other. (The page's title says it as well:
 * "(Approval needed) …".)
 */
import type { NotifyKind } from '../../protocol/push.js';
import { chosenKinds } from './device-notifications.js';
import { chime } from './chime.js';

/** Alerts about `kind` in `sessionId` when the page is hidden and the device asked for it. */
export function alertIfHidden(sessionId: string, kind: NotifyKind, title: string, body: string): void {
  if (document.visibilityState !== 'hidden' || !chosenKinds(sessionId).includes(kind)) return;
  chime();
  if (kind === 'attention') navigator.vibrate?.([200, 100, 200]);
  if (!window.isSecureContext || !('Notification' in window) || Notification.permission !== 'granted') return;
  void navigator.serviceWorker
    ?.getRegistration()
    .then((registration) =>
      registration?.showNotification(title, { body, tag: `${sessionId}:${kind}`, data: { sessionId, focus: kind === 'attention' ? 'attention' : null } }),
    )
    .catch((err: unknown) => console.warn('tether: could not show a notification', err));
}
