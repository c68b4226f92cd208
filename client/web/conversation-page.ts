/**
 * Wires a conversation session (an ACP agent at work) to the page: the conversation in the stage,
 * and docked at the bottom — within thumb reach on a phone — the agent's status, the mode switcher,
 * Stop, the queue and the prompt box. Everything shown comes from the replicated document; every
 * action is an intent, and a refusal from the host is shown briefly.
 */
import type { SessionClient } from '../../client/core/session-client.js';
import { isTurnStatus, readConversationMeta, readConversationState, readStatus, type ConversationStatus } from '../../protocol/conversation-doc.js';
import type { IntentBody, IntentReply } from '../../protocol/messages.js';
import type { PageLayout } from './page-layout.js';
import { ConversationLog } from './conversation-log.js';
import { ScrollFollow } from './scroll-follow.js';
import { TurnBar } from './turn-bar.js';
import { QueueView } from './queue-view.js';
import { Composer } from './composer.js';
import { ConversationIntro } from './conversation-intro.js';
import { Toast, refusalText } from './toast.js';
import { button, element } from './dom.js';
import { pinToVisualViewport } from './viewport-watcher.js';
import { Outbox, MemoryOutboxStorage } from '../core/outbox.js';
import { IndexedDbOutbox } from './indexeddb-outbox.js';
import { OutboxView } from './outbox-view.js';
import { SettingsBar } from './settings-bar.js';
import { LoginCard } from './login-card.js';
import { formatSessionUrl, parseSessionUrl } from '../../protocol/session-url.js';
import { onStatusNotice } from '../../protocol/status-notices.js';
import { alertIfHidden } from './hidden-alerts.js';

/** What a conversation page exposes to tests and benchmarks (through `window.__tether`). */
export interface ConversationPage {
  log: ConversationLog;
  composer: Composer;
  /** Prompts waiting for the host (offline, or not yet confirmed). */
  outbox: Outbox;
  /** Brings the card that waits for an answer into view (opened from a notification). */
  focusAttention(): void;
}

const PLACEHOLDER: Record<ConversationStatus, string> = {
  starting: 'Message the agent',
  idle: 'Message the agent',
  working: 'Queue a message',
  'awaiting-permission': 'Queue a message',
  'awaiting-answer': 'Queue a message',
  ended: 'The agent has ended',
  interrupted: 'Queue a message (sent when the session is resumed)',
};

const coarsePointer = (): boolean => window.matchMedia('(pointer: coarse)').matches;

/** Builds the conversation view for `client`'s replica (already synced far enough to know its kind). */
export function mountConversationPage(layout: PageLayout, client: SessionClient, ownDeviceId: string): ConversationPage {
  const { root, topBar, notices, stage } = layout;
  const view = client.conversation;
  document.documentElement.dataset.view = 'conversation';
  stage.classList.add('conversation-stage');
  stage.setAttribute('aria-label', 'Conversation');

  const toast = new Toast();
  const send = async (intent: IntentBody): Promise<IntentReply> => {
    const reply = await client.sendIntent(intent);
    if (!reply.ok) toast.show(refusalText(reply.error));
    return reply;
  };

  let follow: ScrollFollow | null = null;
  const log = new ConversationLog(view, { view, ownDeviceId, cwd: () => readConversationMeta(view).cwd, send }, (change) => (follow ? follow.keepPosition(change) : change()));
  const intro = new ConversationIntro((text) => composer.fill(text));
  stage.append(intro.element, log.element);
  const jump = button('Jump to latest', 'jump-latest');
  jump.hidden = true;
  stage.parentElement?.append(jump, toast.element);

  const updateJump = (): void => {
    const following = follow?.following ?? true;
    jump.hidden = following;
    const status = readStatus(view);
    const approval = status === 'awaiting-permission' || status === 'awaiting-answer';
    jump.textContent = status === 'awaiting-permission' ? 'Approval needed' : status === 'awaiting-answer' ? 'Answer needed' : 'Jump to latest';
    jump.dataset.approval = String(approval);
  };
  follow = new ScrollFollow(stage, log.element, updateJump);
  const focusAttention = (): void => {
    const status = readStatus(view);
    const card = status === 'awaiting-permission' || status === 'awaiting-answer' ? log.firstPendingPermission() : null;
    follow?.jumpToLatest();
    card?.scrollIntoView({ block: 'nearest' });
    card?.querySelector<HTMLButtonElement>('.permission-option')?.focus({ preventScroll: true });
  };
  jump.addEventListener('click', focusAttention);

  const turnBar = new TurnBar({
    stop: () => send({ type: 'stop' }),
    setMode: async (modeId) => (await send({ type: 'set-mode', modeId })).ok,
  });
  // The agent's login methods, on request, when it does not need a login right now.
  let loginsShown = false;
  const settings = new SettingsBar({
    set: async (configId, value) => (await send({ type: 'set-config', configId, value })).ok,
    toggleLogin: () => {
      loginsShown = !loginsShown;
      renderLogin();
      if (loginsShown) login.element.scrollIntoView({ block: 'nearest' });
    },
  });
  const { origin, token } = parseSessionUrl(location.href);
  const login = new LoginCard({
    start: async (methodId) => (await send({ type: 'login', methodId })).ok,
    // The login terminal is a session of the same host: this page's own link token opens it too.
    sessionHref: (sessionId) => formatSessionUrl(origin, sessionId, token, 'terminal'),
  });
  log.tailSlot.append(login.element);
  const queue = new QueueView(view.queue, { ownDeviceId, send, notify: (text) => toast.show(text) });
  // Prompts go through the outbox: kept (IndexedDB) until the host confirms them, sent once by id.
  const outbox = new Outbox(client, typeof indexedDB === 'object' ? new IndexedDbOutbox() : new MemoryOutboxStorage());
  const outboxView = new OutboxView(outbox, () => client.state === 'live', (text) => toast.show(text));
  const composer = new Composer({
    send: async (text, images) => {
      const reply = await outbox.add(text, images);
      if (!reply.ok) toast.show(refusalText(reply.error));
      return reply.ok;
    },
    notify: (text) => toast.show(text),
  });
  const dock = element('div', 'dock');
  const dockInner = element('div', 'dock-inner');
  dockInner.append(turnBar.element, settings.element, queue.element, outboxView.element, composer.element);
  dock.append(dockInner);
  root.append(dock);
  pinToVisualViewport(root);

  const renderMeta = (): void => {
    const meta = readConversationMeta(view);
    topBar.setSession(meta.title || meta.name || 'Conversation', meta.agentName || meta.agent);
    settings.setOptions(meta.configOptions);
    settings.setUsage(meta.usage);
    turnBar.setModes(meta.modes, meta.currentModeId, settings.hasModeSetting());
    composer.setImagesAllowed(meta.promptImages);
    composer.setCommands(meta.commands);
    renderLogin();
    renderTitle();
  };

  const renderTitle = (): void => {
    const meta = readConversationMeta(view);
    const name = meta.title || meta.name || 'Conversation';
    const status = readStatus(view);
    const prefix = status === 'awaiting-permission' ? '(Approval needed) ' : status === 'awaiting-answer' ? '(Answer needed) ' : '';
    document.title = `${prefix}${name} · tether`;
  };

  const renderState = (): void => {
    const status = readStatus(view);
    const connected = client.state !== 'failed' && client.state !== 'closed';
    // Stop, modes and answers act now or never: only while the computer can be reached. A message
    // typed meanwhile waits on this device and is sent when it is back.
    const live = client.state === 'live';
    turnBar.setStatus(status);
    turnBar.setEnabled(live && status !== 'ended' && status !== 'interrupted');
    settings.setEnabled(live && status !== 'ended' && status !== 'interrupted');
    queue.setPaused(readConversationState(view).queuePaused && status !== 'ended');
    queue.setLive(live);
    for (const option of log.element.querySelectorAll<HTMLButtonElement>('.permission-option')) option.disabled = !live;
    composer.setState(connected && status !== 'ended', !connected ? 'Not connected' : live ? PLACEHOLDER[status] : 'Sent when your computer is back');
    log.setWorking(isTurnStatus(status));
    const ended = status === 'ended';
    const state = readConversationState(view);
    log.setEnded(ended ? { reason: state.endedReason ?? '', detail: state.endedDetail, stderrTail: state.stderrTail } : null);
    renderIntro();
    renderLogin();
    renderBanner();
    renderTitle();
    updateJump();
  };

  const renderIntro = (): void => {
    const meta = readConversationMeta(view);
    const empty = view.entries.length === 0 && view.queue.length === 0 && readStatus(view) !== 'ended';
    intro.update(empty, meta.agentName || meta.agent || 'The agent', meta.cwd);
  };

  const renderLogin = (): void => {
    const state = readConversationState(view);
    const meta = readConversationMeta(view);
    const agent = meta.agentName ?? meta.agent;
    login.set(
      state.login ??
        (loginsShown && meta.authMethods.length > 0 ? { agent, reason: `How to log in to ${agent}`, methods: meta.authMethods, hint: null, terminal: null } : null),
      state.login ? 'needed' : 'asked',
    );
    settings.setLogins(meta.authMethods.length > 0 && state.login === null, loginsShown);
  };

  const renderBanner = (): void => {
    const state = readConversationState(view);
    const ended = state.status === 'ended' ? state.endedReason || 'The agent has ended.' : null;
    notices.setSessionBanner(ended, client, state.status === 'interrupted' ? () => void send({ type: 'resume' }) : undefined);
  };

  const renderDevices = (): void => topBar.setDevices(client.presence.devices, client.peerId);

  view.meta.observe(renderMeta);
  view.entries.observe(renderIntro);
  view.queue.observe(renderIntro);
  view.state.observe(renderState);
  // Not looked at: say so when it needs the user or finishes (what this device asked for).
  onStatusNotice(view, (notice) => {
    const meta = readConversationMeta(view);
    alertIfHidden(client.sessionId, notice.kind, meta.title || meta.name || 'tether', notice.body);
  });
  client.on('presence', renderDevices);
  client.on('state', (state, error) => {
    topBar.setConnection(state, error);
    notices.setFailure(state === 'failed' ? error : null);
    renderState();
    renderDevices(); // the peer id changes on every (re)connect: "you" must follow it
    outboxView.render();
  });

  performance.mark('tether:conversation-mount');
  log.mount();
  renderMeta();
  renderState();
  renderDevices();
  topBar.setConnection(client.state, client.error);
  // No jump to the newest entry here: reading the scroll height would lay the page out before it is
  // complete; ScrollFollow's first resize notice, after the frame's layout, puts it at the bottom.
  performance.mark('tether:conversation-painted');
  // Focus in the frame, once the view is complete: focusing lays the page out (~20 ms when done here).
  if (!coarsePointer()) requestAnimationFrame(() => composer.focus());
  outboxView.render();
  return { log, composer, outbox, focusAttention };
}
