/**
 * Wires one session to the page. Until the replica says what kind of document it is, the page shows
 * the connection state only (top bar, banner, failure card); then it loads the code of that view (the
 * terminal, the conversation or — for a server's link — the session list) and builds it; the view takes
 * over those shared parts.
 */
import type { Terminal } from '@xterm/xterm';
import { sessionKind, type SessionKind } from '../../protocol/session-kind.js';
import type { SessionClient } from '../../client/core/session-client.js';
import type { PageLayout } from './page-layout.js';
import type { ConversationPage } from './conversation-page.js';
import type { SessionListPage } from './session-list-page.js';
import { listOf } from './list-return.js';
import { connectionWords, failureHeadline } from './failure-text.js';
import type { ErrorCode } from '../../protocol/errors.js';
import { deviceRevoked } from './revocation.js';
import { loadView, preloadView, rememberKind } from './view-loader.js';
import { homeHref } from './home.js';
import { notifyMenu } from './notify-menu.js';
import { workspaceButton } from './workspace-button.js';
import { formatSessionUrl, type LinkKind } from '../../protocol/session-url.js';
import { milestone } from '../core/milestone.js';

/** Errors about the link itself: shown as a failure even while the page retries. */
const LINK_PROBLEMS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['KEY_REJECTED', 'MAC_INVALID', 'LINK_EXPIRED', 'DEVICE_UNKNOWN']);

/** What a session page exposes (also the test hook, see main.ts); the view is set once the kind is known. */
export interface SessionPage {
  client: SessionClient;
  /** The xterm instance, for a terminal session. */
  term?: Terminal;
  /** The conversation view, for a conversation session. */
  conversation?: ConversationPage;
  /** The session list, for a server's link. */
  list?: SessionListPage;
}

/** Options of a session page. */
export interface SessionPageOptions {
  /** The session's id (from its link), to find the list it was opened from. */
  sessionId?: string;
  /** The kind of session the link names: its view's code loads while the page connects. */
  linkKind?: LinkKind | null;
  /** What to bring into view once the session shows ('attention': the card that waits), from a notification. */
  focus?: string | null;
  /** Called with the page now and again once its view is built (main.ts sets the test hook). */
  publish(page: SessionPage): void;
}

/** Connects `client` to the page and starts it. */
export function startSessionPage(layout: PageLayout, client: SessionClient, options: SessionPageOptions): void {
  const { topBar, notices } = layout;
  let mounted = false;
  let mounting = false;
  let mountingKind: SessionKind | null = null;
  notices.setActions({
    // A fatal refusal cannot be retried on this page: load it again (a new link may be in the address bar).
    retry: () => (client.state === 'failed' ? location.reload() : client.nudge()),
    home: () => backTo(),
  });
  /**
   * The way back: the list this session was opened from in this tab, else the list of the computer
   * serving it (a session opened by its own link), else the app's home.
   */
  const backTo = (): string => {
    const fromTab = listOf(client.sessionId);
    if (fromTab) return fromTab;
    const listId = client.connection.hostHello?.listId;
    if (listId && listId !== client.sessionId) return formatSessionUrl(location.origin, listId, null);
    return homeHref();
  };

  const mount = (): void => {
    const kind = sessionKind(client.doc);
    if (mounting || kind === null) return;
    mounting = true;
    mountingKind = kind;
    if (kind !== 'terminal') dropPreparedTerminal();
    client.doc.off('afterTransaction', mount);
    if (options.sessionId) rememberKind(options.sessionId, kind);
    void (async () => {
      if (kind === 'session-list') {
        const { mountSessionListPage } = await loadView('session-list');
        mounted = true;
        layout.stage.setAttribute('aria-busy', 'false');
        options.publish({ client, list: mountSessionListPage(layout, client) });
        layout.topBar.element.append(notifyMenu(client, null));
        return;
      }
      if (kind === 'terminal') {
        const { mountTerminalPage } = await loadView('terminal');
        mounted = true;
        layout.stage.setAttribute('aria-busy', 'false');
        options.publish({ client, term: mountTerminalPage(layout, client) });
      } else {
        const { mountConversationPage } = await loadView('conversation');
        mounted = true;
        layout.stage.setAttribute('aria-busy', 'false');
        const conversation = mountConversationPage(layout, client, client.connection.hostHello?.deviceId ?? '');
        options.publish({ client, conversation });
        if (options.focus === 'attention') conversation.focusAttention();
      }
      milestone('view-mounted');
      // Every session offers the way back to its list (or the app's home when it has none).
      layout.topBar.setBackLink(backTo());
      layout.topBar.element.append(workspaceButton(client), notifyMenu(client, client.sessionId));
    })().catch((err: unknown) => {
      console.error('tether: cannot load this view', err);
      notices.setBanner('This page could not load. Reload it to get the latest version.', 'warning', true);
    });
  };
  // afterTransaction, not 'update': an 'update' listener makes Yjs re-encode every update (a long history's whole first sync).
  client.doc.on('afterTransaction', mount);
  // The kind the link names (or this device saw last time): its code loads, and a terminal is built,
  // while the page connects. The document has the last word (mount, above).
  const expected = options.sessionId ? preloadView(options.sessionId, options.linkKind ?? null) : null;
  let prepareWanted = expected === 'terminal';
  if (prepareWanted) {
    void loadView('terminal').then(
      (m) => {
        if (prepareWanted && (!mounting || mountingKind === 'terminal')) m.prepareTerminalPage(layout);
      },
      () => undefined, // mount reports it when the terminal is needed
    );
  }
  /** No terminal built ahead after all: the session is another kind, or the link cannot join it. */
  function dropPreparedTerminal(): void {
    if (!prepareWanted) return;
    prepareWanted = false;
    void loadView('terminal').then((m) => m.discardPreparedTerminal(), () => undefined);
  }

  // Offline, the replica shown is as old as its last sync: the top bar says so (every view).
  const synced = (): void => topBar.setLastSynced(client.lastSyncedAt);
  client.on('loaded', synced);
  client.on('state', synced);

  // What this device may do here: the page hides the rest (app.css, html[data-role]).
  const showRole = (): void => {
    if (client.role) document.documentElement.dataset.role = client.role;
  };
  client.on('role', showRole);
  client.on('waiting', (message) => {
    notices.setBanner(message === null ? null : `${message} The owner of the computer decides (on tether's screen or another owner device).`, 'warning');
  });
  // Removed by the host: nothing it showed stays on this page, nothing kept for that host stays here.
  client.on('revoked', (err) => {
    void deviceRevoked(new URL(location.href).origin);
    layout.stage.replaceChildren();
    document.documentElement.dataset.view = 'revoked';
    topBar.setConnection('failed', err);
    notices.setFailure(err);
  });

  // Before the view exists: the connection state and why it is not live yet.
  client.on('state', (state, error) => {
    document.documentElement.dataset.connection = state;
    if (mounted) return;
    topBar.setConnection(state, error);
    // A refused link is explained at once, even while the page keeps retrying (an unauthenticated
    // refusal may come from the signal server alone, so it is never final).
    const failure = state === 'failed' || (error && LINK_PROBLEMS.has(error.code)) ? error : null;
    notices.setFailure(failure);
    // A page that cannot join holds no session view, not even one built ahead and never shown.
    if (failure) dropPreparedTerminal();
    if (state === 'closed') notices.setBanner(error ? `${failureHeadline(error.code)}.` : 'Session ended.', 'ended');
    else if ((state === 'reconnecting' || state === 'connecting') && error) notices.setBanner(connectionWords(error), 'warning', true);
    else notices.setBanner(null);
  });

  layout.stage.setAttribute('aria-busy', 'true');
  document.documentElement.dataset.connection = client.state;
  options.publish({ client });
  performance.mark('tether:session-start');
  client.start();
}
