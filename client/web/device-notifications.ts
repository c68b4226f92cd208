/**
 * This device's notification choices for the computer serving this page (one origin, one host): which
 * kinds, by default and per session, kept in localStorage; the browser's push subscription made with
 * the host's VAPID key (told in its hello); and the `notify` intent that tells the host, sent again on
 * every connection so a restarted host or a renewed subscription is always current.
 */
import type { SessionClient } from '../core/session-client.js';
import { NOTIFY_KINDS, NotifyPrefsSchema, kindsFor, type NotifyKind, type NotifyPrefs } from '../../protocol/push.js';
import { fromBase64Url } from '../../protocol/encoding.js';

const STORAGE_KEY = 'tether:notify';
const NONE: NotifyPrefs = { kinds: [], sessions: {} };

/** Why notifications cannot be turned on here, in words for the page; null when they can. */
export function notifyUnavailable(pushKey: string | undefined): string | null {
  if (!window.isSecureContext) return 'Notifications need this page over https (see "HTTPS" in tether\'s README).';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return 'This browser cannot show notifications from a web page.';
  if (!pushKey) return 'This computer sends no notifications (tether runs with --notifications off, or in interactive mode).';
  if (Notification.permission === 'denied') return 'Notifications are blocked for this site in the browser\'s settings.';
  return null;
}

/** The device's choices, as stored (nothing chosen when absent or damaged). */
export function storedPrefs(): NotifyPrefs {
  try {
    const parsed = NotifyPrefsSchema.safeParse(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null'));
    return parsed.success ? parsed.data : NONE;
  } catch {
    return NONE;
  }
}

/** Whether any session would be notified about anything. */
function wantsAny(prefs: NotifyPrefs): boolean {
  return prefs.kinds.length > 0 || Object.values(prefs.sessions).some((k) => k.length > 0);
}

/** Whether this device asked to be alerted about anything, in any session. */
export function wantsAlerts(): boolean {
  return wantsAny(storedPrefs());
}

/** The kinds this device wants for `sessionId` (null: the default for every session). */
export function chosenKinds(sessionId: string | null): readonly NotifyKind[] {
  const prefs = storedPrefs();
  return sessionId ? kindsFor(prefs, sessionId) : prefs.kinds;
}

/**
 * Sets the kinds for `sessionId` (null: the default), subscribing to push first when this is the first
 * choice (which asks the user for permission), and tells the host; where push is unavailable, only for
 * the open page's own alerts. Throws with words for the page.
 */
export async function chooseKinds(client: SessionClient, sessionId: string | null, kinds: readonly NotifyKind[]): Promise<void> {
  const old = storedPrefs();
  const ordered = NOTIFY_KINDS.filter((k) => kinds.includes(k));
  const prefs: NotifyPrefs = sessionId ? { kinds: old.kinds, sessions: { ...old.sessions, [sessionId]: ordered } } : { kinds: ordered, sessions: old.sessions };
  // Where push cannot work (plain http, a browser without it, blocked, a host that sends none), the
  // choice still holds for the alerts of a page left open in the background (hidden-alerts.ts).
  if (notifyUnavailable(client.connection.hostHello?.pushKey) === null) {
    const subscription = wantsAny(prefs) ? await subscribe(client) : await unsubscribe();
    await tellHost(client, subscription, prefs);
  }
  localStorage.setItem(STORAGE_KEY, JSON.stringify(prefs));
}

/** Tells the host again (a new connection): the current subscription and choices, if any. */
export async function resendChoices(client: SessionClient): Promise<void> {
  const prefs = storedPrefs();
  if (!wantsAny(prefs) || notifyUnavailable(client.connection.hostHello?.pushKey) !== null) return;
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = (await registration?.pushManager.getSubscription()) ?? null;
  if (subscription) await tellHost(client, subscription, prefs);
}

async function subscribe(client: SessionClient): Promise<PushSubscription> {
  const pushKey = client.connection.hostHello?.pushKey;
  const unavailable = notifyUnavailable(pushKey);
  if (unavailable) throw new Error(unavailable);
  if ((await Notification.requestPermission()) !== 'granted') throw new Error('Notifications were not allowed for this site.');
  const registration = await navigator.serviceWorker.ready;
  const key = fromBase64Url(pushKey!);
  const existing = await registration.pushManager.getSubscription();
  // A subscription made with another host key (tether's state folder was reset) cannot carry this host's pushes.
  if (existing && sameKey(existing.options.applicationServerKey, key)) return existing;
  await existing?.unsubscribe();
  try {
    return await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key as BufferSource });
  } catch (err) {
    throw new Error(`The browser's push service could not be reached (${(err as Error).message}). Notifications need an internet connection on this device.`, { cause: err });
  }
}

async function unsubscribe(): Promise<null> {
  const registration = await navigator.serviceWorker?.getRegistration();
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
  return null;
}

function sameKey(a: ArrayBuffer | null, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const bytes = new Uint8Array(a);
  return bytes.every((v, i) => v === b[i]);
}

async function tellHost(client: SessionClient, subscription: PushSubscription | null, prefs: NotifyPrefs): Promise<void> {
  const json = subscription?.toJSON();
  const reply = await client.sendIntent({
    type: 'notify',
    subscription: json ? { endpoint: String(json.endpoint), keys: { p256dh: String(json.keys?.p256dh), auth: String(json.keys?.auth) } } : null,
    prefs,
  });
  if (!reply.ok) throw new Error(`The computer did not take it: ${reply.error.message}`);
}
