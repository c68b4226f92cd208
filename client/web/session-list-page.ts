/**
 * The session list (the server's link): every session the server runs, live — sessions waiting for
 * approval first and highlighted, then the running ones, then the ended ones (dimmed, still readable).
 * A tap opens a session in this tab; "New session" (docked at the bottom, within thumb reach) starts
 * one; each card renames, ends or removes its session. Every action is an intent to the host.
 */
import type { SessionClient } from '../../client/core/session-client.js';
import type { IntentBody, IntentReply } from '../../protocol/messages.js';
import { formatSessionUrl, parseSessionUrl } from '../../protocol/session-url.js';
import {
  readAgentSessions,
  readListedSessions,
  readListMeta,
  sessionListDocView,
  type ListedSession,
  type SessionListDocView,
  type SpawnMode,
} from '../../protocol/session-list-doc.js';
import type { PageLayout } from './page-layout.js';
import { SessionCard } from './session-card.js';
import { NewSessionSheet, type StartRequest } from './new-session-sheet.js';
import { EndSessionDialog } from './end-session-dialog.js';
import { Toast, refusalText } from './toast.js';
import { button, element, plural, setText, srOnly } from './dom.js';
import { icon } from './icons.js';
import { RELATIVE_TIME_REFRESH_MS } from './relative-time.js';
import { pinToVisualViewport } from './viewport-watcher.js';
import { rememberList } from './list-return.js';
import { rememberKind } from './view-loader.js';
import { rememberHome } from './home.js';
import { DevicePanel } from './device-panel.js';

/** How long Start waits for the computer to answer before saying it did not. */
const START_TIMEOUT_MS = 10_000;

/** What the list page exposes to tests (through `window.__tether`). */
export interface SessionListPage {
  view: SessionListDocView;
  /** The sessions in the order shown. */
  shown(): ListedSession[];
}

const SPAWN_LABEL: Record<SpawnMode, string> = {
  'same-dir': 'Same folder',
  worktree: 'Worktree per session',
  session: 'Single session',
};

const SPAWN_TITLE: Record<SpawnMode, string> = {
  'same-dir': 'New sessions work in the server\'s folder',
  worktree: 'Each new session gets its own git worktree on a new branch',
  session: 'This server runs exactly one session',
};

/** True while the session's agent waits for a person (an approval or an answer). */
function waitsForUser(s: ListedSession): boolean {
  return s.state === 'awaiting-permission' || s.state === 'awaiting-answer';
}

/** Waiting for approval first, then running, then ended; oldest first within each group. */
function compareSessions(a: ListedSession, b: ListedSession): number {
  const rank = (s: ListedSession): number => (waitsForUser(s) ? 0 : s.state === 'ended' ? 2 : 1);
  return rank(a) - rank(b) || a.startedAt - b.startedAt || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/** Builds the list view for `client`'s replica (already synced far enough to know it is a list). */
export function mountSessionListPage(layout: PageLayout, client: SessionClient): SessionListPage {
  const { root, topBar, notices, stage } = layout;
  const view = sessionListDocView(client.doc);
  // A session opens with this page's own link token (it opens every session of this host) or, once
  // this browser is paired, with none.
  const { origin, token: linkToken } = parseSessionUrl(location.href);
  document.documentElement.dataset.view = 'session-list';
  // This list is where the installed app (and every Home link) opens from now on.
  rememberHome(location.href);
  stage.classList.add('list-stage');
  stage.setAttribute('aria-label', 'Session list');


  // ---- the summary above the list ----
  const head = element('section', 'list-head');
  head.setAttribute('aria-label', 'Server');
  const chips = element('div', 'list-chips');
  const capacity = element('span', 'chip chip-capacity');
  const spawn = element('span', 'chip chip-spawn');
  // A link to the (first) session that waits, at its waiting card: one tap from the list to the answer.
  const approvals = element('a', 'chip chip-approval');
  approvals.hidden = true;
  chips.append(capacity, spawn, approvals);
  approvals.addEventListener('click', () => {
    const session = shown.find((s) => s.id === approvals.dataset.sessionId);
    if (session) cardActions.opening(session);
  });
  const where = element('p', 'list-where');
  const whereText = element('span', 'list-where-text');
  where.append(icon('folder'), whereText);
  head.append(chips, where);

  const list = element('ul', 'session-list');
  list.setAttribute('aria-label', 'Sessions');
  const empty = element('p', 'list-empty', 'No sessions yet. Start one with New session.');
  empty.hidden = true;
  const announcer = srOnly('');
  announcer.setAttribute('role', 'status');
  const column = element('div', 'list-column');
  column.append(head, list, empty, announcer);
  stage.append(column);

  // ---- the dock: New session ----
  const toast = new Toast();
  stage.parentElement?.append(toast.element);
  const newButton = button('New session', 'new-session-button');
  newButton.prepend(icon('plus'));
  const singleNote = element('p', 'dock-note', 'This server runs a single session.');
  const dock = element('div', 'dock list-dock');
  const dockInner = element('div', 'dock-inner');
  dockInner.append(newButton, singleNote);
  dock.append(dockInner);
  root.append(dock);
  pinToVisualViewport(root);

  const send = async (intent: IntentBody): Promise<IntentReply> => client.sendIntent(intent);
  // Owner devices manage the host's devices here (hidden for other roles by the page's data-role).
  const devicePanel = new DevicePanel(() => client.connection.hostHello?.deviceId ?? '', send, (text) => toast.show(text));
  column.append(devicePanel.element);

  // A session this device asked for: highlighted once its row shows up (before or after the reply).
  let pendingStart: { name: string | null; known: Set<string>; confirmed: boolean; until: number } | null = null;

  const sheet = new NewSessionSheet({
    start: async (request: StartRequest) => {
      const pending = { name: request.name ?? null, known: new Set(view.sessions.keys()), confirmed: false, until: Date.now() + 30_000 };
      pendingStart = pending;
      // The computer may have gone away meanwhile: the sheet says so rather than spin.
      const reply = await client.sendIntent({ type: 'start-session', ...request }, { timeoutMs: START_TIMEOUT_MS });
      if (pendingStart === pending) {
        if (reply.ok) {
          pending.confirmed = true;
          highlightStarted();
        } else pendingStart = null;
      }
      return reply;
    },
    listSessions: (agent: string) => send({ type: 'list-agent-sessions', agent }),
  });
  newButton.addEventListener('click', () => sheet.open());
  view.agentSessions.observe(() => sheet.setAgentSessions((agent) => readAgentSessions(view, agent)));

  const endDialog = new EndSessionDialog((request) => send({ type: 'end-session', ...request }));

  const cards = new Map<string, SessionCard>();
  let shown: ListedSession[] = [];
  /** The names of the devices in each session, from the host's latest presence frame. */
  let devicesIn = new Map<string, readonly string[]>();
  const cardActions = {
    rename: async (sessionId: string, name: string): Promise<string | null> => {
      const reply = await send({ type: 'rename-session', sessionId, name });
      return reply.ok ? null : refusalText(reply.error);
    },
    end: (session: ListedSession) => endDialog.open(session),
    remove: async (sessionId: string): Promise<void> => {
      const reply = await send({ type: 'remove-session', sessionId });
      if (!reply.ok) toast.show(refusalText(reply.error));
    },
    resume: async (sessionId: string): Promise<void> => {
      const reply = await send({ type: 'resume-session', sessionId });
      if (!reply.ok) toast.show(refusalText(reply.error));
    },
    opening: (session: ListedSession) => {
      rememberList(session.id, location.href);
      rememberKind(session.id, session.kind);
    },
    editing: (card: SessionCard) => {
      for (const other of cards.values()) if (other !== card) other.closeRename();
    },
  };

  const highlightStarted = (): void => {
    const pending = pendingStart;
    if (!pending?.confirmed) return;
    if (Date.now() > pending.until) {
      pendingStart = null;
      return;
    }
    // By name when one was asked for; otherwise (or if the host had to change it) the one new row.
    const added = shown.filter((s) => !pending.known.has(s.id));
    const fresh = added.find((s) => s.name === pending.name) ?? (added.length === 1 ? added[0] : undefined);
    if (!fresh) return;
    pendingStart = null;
    setText(announcer, `Started ${fresh.name}.`);
    // Straight into it: that is why it was started.
    cardActions.opening(fresh);
    location.assign(formatSessionUrl(origin, fresh.id, linkToken, fresh.kind));
  };

  const renderMeta = (): void => {
    const meta = readListMeta(view);
    const name = meta.name || meta.hostname || 'tether';
    const host = meta.hostname;
    topBar.setSession(name, host && host !== name ? host : '');
    const mode = meta.spawnMode;
    setText(spawn, SPAWN_LABEL[mode]);
    spawn.title = SPAWN_TITLE[mode];
    spawn.dataset.mode = mode;
    const folder = meta.folder;
    setText(whereText, host ? `${host}:${folder}` : folder);
    where.title = folder;
    newButton.hidden = mode === 'session';
    capacity.hidden = mode === 'session'; // one session, always "full": the spawn chip says it
    singleNote.hidden = mode !== 'session';
    sheet.setOptions({ agents: meta.agents, defaultAgent: meta.defaultAgent, spawnMode: mode, folder, gitRepo: meta.gitRepo });
    renderCounts();
  };

  const renderCounts = (): void => {
    const meta = readListMeta(view);
    const max = meta.capacity;
    const running = shown.filter((s) => s.state !== 'ended').length;
    setText(capacity, `Capacity ${running}/${max}`);
    capacity.dataset.full = String(max > 0 && running >= max);
    capacity.title = `${plural(running, 'session')} running of at most ${max}`;
    const waiting = shown.filter(waitsForUser).length;
    approvals.hidden = waiting === 0;
    const onlyApprovals = shown.every((s) => s.state !== 'awaiting-answer');
    setText(approvals, onlyApprovals ? `${waiting} waiting for approval` : `${waiting} waiting for you`);
    const first = shown.find(waitsForUser);
    if (first) {
      const link = new URL(formatSessionUrl(origin, first.id, linkToken, first.kind));
      link.searchParams.set('focus', 'attention');
      approvals.href = link.href;
      approvals.dataset.sessionId = first.id;
    }
    const name = meta.name || 'Sessions';
    document.title = `${waiting > 0 ? `(${waiting}) ` : ''}${name} · tether`;
  };

  const renderSessions = (): void => {
    const now = Date.now();
    const agents = readListMeta(view).agents;
    const rows = readListedSessions(view);
    rows.sort(compareSessions);
    shown = rows;
    const ids = new Set(rows.map((r) => r.id));
    for (const [id, card] of cards) {
      if (!ids.has(id)) {
        card.element.remove();
        cards.delete(id);
      }
    }
    // Move only what is out of place: moving a node that holds focus would drop the focus.
    const active = document.activeElement;
    let previous: Element | null = null;
    for (const row of rows) {
      let card = cards.get(row.id);
      if (!card) {
        card = new SessionCard(row, cardActions);
        card.setEnabled(client.state === 'live');
        cards.set(row.id, card);
      }
      const command = agents.find((a) => a.label === row.agent)?.command ?? '';
      card.update(row, devicesIn.get(row.id) ?? [], formatSessionUrl(origin, row.id, linkToken, row.kind), command, now);
      const expected: Element | null = previous ? previous.nextElementSibling : list.firstElementChild;
      if (expected !== card.element) list.insertBefore(card.element, expected);
      previous = card.element;
    }
    if (active instanceof HTMLElement && active !== document.activeElement && active.isConnected) active.focus({ preventScroll: true });
    empty.hidden = rows.length > 0;
    renderCounts();
    endDialog.follow(rows);
    highlightStarted();
  };

  let scheduled = false;
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      renderSessions();
    });
  };

  const renderDevices = (): void => {
    topBar.setDevices(client.presence.devices, client.peerId);
    devicePanel.show(client.presence.trusted ?? []);
    devicesIn = new Map((client.presence.rows ?? []).map((r) => [r.sessionId, r.devices]));
    schedule();
  };

  const renderBanner = (): void => notices.setSessionBanner(null, client);

  view.meta.observe(renderMeta);
  view.sessions.observeDeep(schedule);
  client.on('presence', renderDevices);
  client.on('state', (state, error) => {
    topBar.setConnection(state, error);
    notices.setFailure(state === 'failed' ? error : null);
    // Starting, renaming and ending need the computer: not while it cannot be reached.
    const live = state === 'live';
    newButton.disabled = !live;
    sheet.setConnected(live);
    for (const card of cards.values()) card.setEnabled(live);
    renderBanner();
    renderDevices(); // the peer id changes on every (re)connect: "you" must follow it
  });

  const tick = (): void => {
    const now = Date.now();
    for (const card of cards.values()) card.tick(now);
  };
  setInterval(tick, RELATIVE_TIME_REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') tick();
  });

  renderSessions();
  renderMeta();
  renderDevices();
  renderBanner();
  topBar.setConnection(client.state, client.error);
  performance.mark('tether:session-list-painted');
  return { view, shown: () => shown };
}
