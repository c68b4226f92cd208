/**
 * The browser app's entry point: reads the session link from the address bar and either explains
 * plainly why it cannot be used (no key, malformed link) or joins the session. The start page (`/`,
 * where an installed app opens) goes to the session list this device used last, or says how to get
 * there. On a secure origin it installs the service worker (the app then opens from its cache).
 */
// First: zod must be configured before any module creates a schema.
import './zod-without-eval.js';
import { parseSessionUrl, type SessionLink } from '../../protocol/session-url.js';
import { TetherError } from '../../protocol/errors.js';
import { canInflate } from '../../protocol/frame-compression.js';
import { SessionClient } from '../../client/core/session-client.js';
import { createPageLayout } from './page-layout.js';
import { startSessionPage, type SessionPage } from './session-page.js';
import { currentDeviceName } from './device-name.js';
import { IndexedDbReplicas } from './indexeddb-replicas.js';
import { IndexedDbOutbox } from './indexeddb-outbox.js';
import { onDeviceRevoked } from './revocation.js';
import { BrowserCredentialStore } from './browser-credential-store.js';
import { homeLink } from './home.js';
import { registerServiceWorker, updateAndReload } from './app-shell.js';
import { showStartPage } from './start-page.js';
import { milestone } from '../core/milestone.js';

declare global {
  interface Window {
    /**
     * Test hook: the live session client, then also the xterm instance (terminal sessions), the
     * conversation view or the session list, set again once the view is built. Tests prefer
     * visible text and roles.
     */
    __tether?: SessionPage;
  }
}

function main(): void {
  milestone('app-start');
  // Pasting a corrected link into the address bar only changes the fragment, which does not reload.
  window.addEventListener('hashchange', () => location.reload());
  const root = document.getElementById('app');
  if (!root) throw new Error('tether: index.html has no #app element');
  const url = location.href;
  if (location.pathname === '/') {
    const home = homeLink();
    if (home) {
      location.replace(home);
      return;
    }
    showStartPage(root);
    registerServiceWorker();
    return;
  }
  const layout = createPageLayout(root);
  let link: SessionLink;
  try {
    link = parseSessionUrl(url);
  } catch (err) {
    // Do not connect at all: without the right link there is nothing to join.
    const error = err instanceof TetherError ? err : new TetherError('BAD_FLAG', String(err));
    layout.topBar.setConnection('failed', error);
    layout.notices.setFailure(error);
    return;
  }
  // A host that removes this device takes what the browser kept for it: replicas and waiting prompts.
  if (typeof indexedDB === 'object') {
    onDeviceRevoked((origin) => IndexedDbReplicas.wipe(origin));
    onDeviceRevoked(() => new IndexedDbOutbox().wipe());
  }
  // Paired once, this browser comes back with its own key: a bookmark without the token keeps working.
  const client = new SessionClient({
    url,
    deviceName: currentDeviceName(),
    deviceKind: 'browser',
    credentials: new BrowserCredentialStore(),
    // Chromium delays a page's new WebSockets by 1–5 s once failures far outnumber successes (counted
    // over the last 2–4 minutes: a long outage's attempts), and an attempt given up before it even
    // started is one more failure. Attempts that keep failing are therefore given up to 8 s, else a page
    // could stay "cannot reach the signal server" for minutes after the network came back.
    signalConnectTimeoutMaxMs: 8_000,
    // The page's data channel is the narrowest part of the path (4–8 MB/s in Chromium on a slow machine):
    // large frames come deflated, ~3× fewer bytes for program output and agent text (browsers that can inflate).
    deflate: canInflate(),
    // The last synced state shows at once (even with the host unreachable); a rejoin syncs the difference.
    ...(typeof indexedDB === 'object' ? { replicas: new IndexedDbReplicas() } : {}),
  });
  // The host's document is behind this replica (it lost updates in a crash): start again from nothing.
  client.on('reset', () => void client.replicaStored.then(() => location.reload()));
  // The network came back or the page is looked at again: try now instead of at the next retry.
  const nudge = (): void => client.nudge();
  window.addEventListener('online', nudge);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') nudge();
  });
  (navigator as Navigator & { connection?: EventTarget }).connection?.addEventListener('change', nudge);
  const focus = new URLSearchParams(location.search).get('focus');
  startSessionPage(layout, client, {
    sessionId: link.sessionId,
    linkKind: link.kind,
    focus,
    publish: (page) => {
      window.__tether = page;
    },
  });
  // The host runs a newer tether: fetch the new app (its service worker too) and start again on it.
  client.on('state', (state, error) => {
    if (state === 'failed' && error?.code === 'CLIENT_TOO_OLD') void updateAndReload();
  });
  // Installed once connected, so caching the app never competes with the first screen.
  client.once('synced', () => registerServiceWorker());
  // Leave promptly so other devices see this one go; a page restored from the back/forward cache reloads.
  window.addEventListener('pagehide', () => client.close());
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload();
  });
  // Back in view (a phone unlocked, the app switched to): try at once rather than at the next backoff.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') client.nudge();
  });
}

main();
