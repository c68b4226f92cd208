/**
 * The installed app's shell, as the page sees it: registers the service worker (client/web/service-worker.ts,
 * served as /sw.js) where the browser allows one (https, or localhost), and — when the host says this
 * page is older than it (CLIENT_TOO_OLD) — fetches the new service worker and app, then reloads onto
 * them, once, so a device is never stranded on an old shell that speaks an old protocol.
 */

const RELOAD_KEY = 'tether:reloaded-for-host';

/** The service worker's registration, once registered (null where there is none). */
let registration: Promise<ServiceWorkerRegistration | null> | null = null;

/** True where this page may have a service worker (a secure origin). */
export function canInstall(): boolean {
  return window.isSecureContext && 'serviceWorker' in navigator;
}

/** Registers the service worker (idempotent); resolves with its registration, or null where there is none. */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  registration ??= canInstall()
    ? navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
        console.warn('tether: the service worker could not be installed', err);
        return null;
      })
    : Promise.resolve(null);
  return registration;
}

/** The registration once the service worker is active (null where there is none). */
export async function activeRegistration(): Promise<ServiceWorkerRegistration | null> {
  if (!(await registerServiceWorker())) return null;
  return navigator.serviceWorker.ready;
}

/** Brings in the newest app (service worker and shell) and reloads onto it, at most once per tab session. */
export async function updateAndReload(): Promise<void> {
  let reloaded = false;
  try {
    reloaded = sessionStorage.getItem(RELOAD_KEY) !== null;
    sessionStorage.setItem(RELOAD_KEY, '1');
  } catch (err) {
    // No storage: reload anyway; the page's own fetch is network-first.
    console.warn('tether: sessionStorage unavailable', err);
  }
  if (reloaded) return; // the newest app is already here: the failure card says what is wrong
  const reg = await registerServiceWorker();
  if (reg) {
    // A new worker takes over as soon as it is installed (it skips waiting): wait for that, briefly.
    const changed = new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
    await reg.update().catch((err: unknown) => console.warn('tether: service worker update failed', err));
    if (reg.installing || reg.waiting) await Promise.race([changed, new Promise((r) => setTimeout(r, 3000))]);
  }
  location.reload();
}
