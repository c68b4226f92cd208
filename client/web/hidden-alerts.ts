/**
 * Alerts from a page that is open but not looked at (another tab, the phone's screen off with the
 * browser in front): for what this device asked to hear about, a notification from the page's own
 * service worker — no push service involved, so it works on a LAN without internet — and a vibration
 * when a session needs the user. The same tag as a push of the same event, so one replaces the other.
 * (On plain http neither is possible; the page's title says it instead: "(Approval needed) …".)
 */
import type { NotifyKind } from '../../protocol/push.js';
import { chosenKinds } from './device-notifications.js';

/** Alerts about `kind` in `sessionId` when the page is hidden and the device asked for it. */
export function alertIfHidden(sessionId: string, kind: NotifyKind, title: string, body: string): void {
  if (document.visibilityState !== 'hidden' || !chosenKinds(sessionId).includes(kind)) return;
  if (kind === 'attention') navigator.vibrate?.([200, 100, 200]);
  if (!window.isSecureContext || !('Notification' in window) || Notification.permission !== 'granted') return;
  void navigator.serviceWorker
    ?.getRegistration()
    .then((registration) =>
      registration?.showNotification(title, { body, tag: `${sessionId}:${kind}`, data: { sessionId, focus: kind === 'attention' ? 'attention' : null } }),
    )
    .catch((err: unknown) => console.warn('tether: could not show a notification', err));
}
