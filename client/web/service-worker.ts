/**
 * The service worker (served as /sw.js, bundled by client/build.ts): keeps this build's app shell and
 * assets in a cache so the app opens at once and without the network, shows push notifications sent by
 * the host while no page is looking at that session, and opens the right session and card when one is
 * tapped. Pages are fetched from the network first (a newer host brings a newer app at once); the cache
 * answers when the network is slow or gone. Assets have content-hashed names, so the cache is final.
 */
import { PushPayloadSchema, type PushPayload } from '../../protocol/push.js';

declare const __SHELL_VERSION__: string;
declare const __SHELL_ASSETS__: string[];

// The DOM library has no service worker types; these are the few parts used here.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { json(): unknown; text(): string } | null;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification & { data: unknown };
}
interface WindowClient {
  readonly url: string;
  readonly focused: boolean;
  readonly visibilityState: DocumentVisibilityState;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
  postMessage(message: unknown): void;
}
interface ServiceWorkerScope {
  readonly registration: ServiceWorkerRegistration;
  readonly location: Location;
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'push', listener: (event: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEvent) => void): void;
}

const sw = self as unknown as ServiceWorkerScope;
const CACHE_PREFIX = 'tether-shell-';
const CACHE = `${CACHE_PREFIX}${__SHELL_VERSION__}`;
/** The page is the same for every path (/ and /s/<id>); it is cached once under this key. */
const SHELL_KEY = '/';
/** How long a page load waits for the network before the cached shell answers (a host that is off). */
const NETWORK_WAIT_MS = 800;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll([SHELL_KEY, ...__SHELL_ASSETS__]);
      // A new build takes over at once: an old shell must not keep speaking an old protocol.
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (request.mode === 'navigate' && (url.pathname === '/' || url.pathname.startsWith('/s/'))) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request));
  }
  // Everything else (socket.io, /healthz, /sw.js) goes to the network untouched.
});

/** The page: the network's answer when it comes quickly (and it refreshes the cache), else the cached shell. */
async function page(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(SHELL_KEY, response.clone());
    return response;
  });
  const cached = await cache.match(SHELL_KEY);
  if (!cached) return network;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), NETWORK_WAIT_MS);
  });
  const first = await Promise.race([network.catch(() => null), slow]);
  clearTimeout(timer);
  // Network refused or slow (the computer is off or unreachable): the shell opens onto what the device kept.
  return first ?? cached;
}

/** Assets never change under their name: the cache first, the network for anything it lacks. */
async function asset(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

sw.addEventListener('push', (event) => {
  const parsed = PushPayloadSchema.safeParse(safeJson(event.data));
  // A push the host did not shape is still shown (browsers require a notification for every push).
  const payload: PushPayload = parsed.success ? parsed.data : { v: 1, kind: 'attention', title: 'tether', body: 'A session needs you.', sessionId: null, focus: null };
  event.waitUntil(showUnlessWatched(payload));
});

function safeJson(data: PushEvent['data']): unknown {
  try {
    return data?.json() ?? null;
  } catch (err) {
    // Not JSON: the generic notification below stands in for it.
    console.warn('tether: push payload is not JSON', err);
    return null;
  }
}

/** The path of a session's page. */
function sessionPath(sessionId: string | null): string {
  return sessionId ? `/s/${sessionId}` : '/';
}

/** Shows the notification, unless a visible window already shows that session. */
async function showUnlessWatched(payload: PushPayload): Promise<void> {
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const path = sessionPath(payload.sessionId);
  const watching = windows.some((w) => new URL(w.url).pathname === path && w.visibilityState === 'visible');
  if (watching && payload.sessionId) return;
  await sw.registration.showNotification(payload.title, {
    body: payload.body,
    tag: `${payload.sessionId ?? 'tether'}:${payload.kind}`,
    data: { sessionId: payload.sessionId, focus: payload.focus },
    icon: __SHELL_ASSETS__.find((a) => /icon-192-/.test(a)),
  } as NotificationOptions);
}

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = (event.notification.data ?? {}) as { sessionId?: string | null; focus?: string | null };
  event.waitUntil(openSession(data.sessionId ?? null, data.focus ?? null));
});

/** Brings up the session's page (an open window of it, or a new one) at the card that waits. */
async function openSession(sessionId: string | null, focus: string | null): Promise<void> {
  const path = sessionPath(sessionId);
  const target = `${path}${focus ? `?focus=${encodeURIComponent(focus)}` : ''}`;
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((w) => new URL(w.url).pathname === path);
  if (open) {
    open.postMessage({ type: 'tether:focus', sessionId, focus });
    await open.focus();
    return;
  }
  await sw.clients.openWindow(target);
}
