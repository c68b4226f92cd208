/**
 * Wires a terminal session to the page: the replicated document drives the terminal, the top bar and
 * the banners; the keyboard and the key row become intents; viewport changes become resize requests.
 */
import { readTerminal } from '../../protocol/terminal-doc.js';
import type { TetherError } from '../../protocol/errors.js';
import type { IntentBody } from '../../protocol/messages.js';
import type { SessionClient } from '../../client/core/session-client.js';
import type { Terminal } from '@xterm/xterm';
import type * as Y from 'yjs';
import type { PageLayout } from './page-layout.js';
import { TerminalView } from './terminal-view.js';
import { TerminalInput } from './terminal-input.js';
import { KeyBar, type KeyBarKey } from './key-bar.js';
import { ResizeRequests } from './resize-requests.js';
import { pinToVisualViewport, watchViewport } from './viewport-watcher.js';
import { onUserInput } from './user-input.js';
import { exitReason, exitWords } from '../../protocol/process-exit.js';
import { endedNotice } from '../../protocol/status-notices.js';
import { alertIfHidden } from './hidden-alerts.js';

/** Phones and tablets get focus only when the user taps: focusing would pop up the keyboard. */
const coarsePointer = (): boolean => window.matchMedia('(pointer: coarse)').matches;

/** A terminal built while the page connects (its link said terminal), for mountTerminalPage to adopt. */
let prepared: {
  stage: HTMLElement;
  view: TerminalView;
  keyBar: KeyBar;
  /** What the view's "Fit to this screen" and the key row call, set once mounted. */
  handlers: { fit: () => void; key: (key: KeyBarKey) => void };
} | null = null;

/**
 * Builds the terminal ahead — xterm, its DOM and its font measurements, the costly part of showing one —
 * while the page is still connecting; it stays invisible (app.css `.stage-preparing`) until mounted. The
 * key row comes first, invisible too: the terminal is built in the room it will have.
 */
export function prepareTerminalPage(layout: PageLayout): void {
  if (prepared) return;
  const handlers = { fit: (): void => {}, key: (_key: KeyBarKey): void => {} };
  const keyBar = new KeyBar((key) => handlers.key(key));
  keyBar.element.style.visibility = 'hidden';
  layout.root.append(keyBar.element);
  layout.stage.classList.add('stage-preparing');
  prepared = { stage: layout.stage, view: new TerminalView(layout.stage, () => handlers.fit()), keyBar, handlers };
}

/** Removes a terminal built ahead: the session turned out to be of another kind. */
export function discardPreparedTerminal(): void {
  prepared?.view.dispose();
  prepared?.keyBar.element.remove();
  prepared?.stage.classList.remove('stage-preparing');
  prepared = null;
}

/** Builds the terminal view for `client`'s replica (already synced far enough to know its kind). */
export function mountTerminalPage(layout: PageLayout, client: SessionClient): Terminal {
  const { root, topBar, notices, stage } = layout;
  const ahead = prepared?.stage === stage ? prepared : null;
  prepared = null;
  stage.classList.remove('stage-preparing');
  const terminal = ahead?.view ?? new TerminalView(stage, () => void fitToThisScreen());
  if (ahead) ahead.handlers.fit = () => void fitToThisScreen();
  const send = (intent: IntentBody): Promise<void> =>
    client.sendIntent(intent).then(
      (reply) => {
        if (!reply.ok) console.warn(`tether: the host refused a ${intent.type} intent: ${reply.error.code} ${reply.error.message}`);
      },
      (err: unknown) => console.warn('tether: intent failed', err),
    );

  let keyBar: KeyBar | null = null;
  const input = new TerminalInput({
    send,
    preferredSize: () => terminal.preferredSize(),
    applicationCursor: () => terminal.term.modes.applicationCursorKeysMode,
    onCtrlArmedChange: (armed) => keyBar?.setCtrlArmed(armed),
  });
  if (ahead) {
    keyBar = ahead.keyBar;
    ahead.handlers.key = (key) => input.key(key);
    keyBar.element.style.visibility = '';
  } else {
    keyBar = new KeyBar((key) => input.key(key));
    root.append(keyBar.element);
  }
  onUserInput(terminal.term, (data) => input.typed(data));

  /** Takes the terminal size: what fills this screen at a comfortable font. */
  const fitToThisScreen = (ifIdle = false): Promise<void> => {
    if (!input.enabled) return Promise.resolve();
    return send({ type: 'resize', ...terminal.preferredSize(), ...(ifIdle ? { ifIdle } : {}) });
  };

  pinToVisualViewport(root);
  const resizes = new ResizeRequests(() => terminal.preferredSize(), (intent) => {
    if (input.enabled) send(intent);
  });
  watchViewport({ onChange: () => terminal.layout(), onSettled: () => resizes.viewportSettled() });
  // The stage also changes size without the viewport changing (banner shown, fonts loaded): re-fit only.
  new ResizeObserver(() => terminal.layout()).observe(stage);

  let exited = false;
  let interrupted: string = readTerminal(client.view).state;
  const updateInputEnabled = (): void => {
    // A view-only device never types, and so never sets the terminal's size. Keys typed while the
    // computer cannot be reached, or while the session is interrupted, would arrive late: not at all.
    const enabled = !exited && client.state === 'live' && readTerminal(client.view).state === 'running' && client.role !== 'view';
    input.enabled = enabled;
    terminal.setInputEnabled(enabled);
    keyBar?.setEnabled(enabled);
  };

  const updateBanner = (error: TetherError | null): void => {
    const snapshot = readTerminal(client.view);
    const resume = snapshot.state === 'interrupted' ? () => send({ type: 'resume' }) : undefined;
    notices.setSessionBanner(snapshot.state === 'exited' ? (snapshot.endedReason ?? exitText(snapshot.exitCode, snapshot.exitSignal)) : null, { state: client.state, error }, resume);
  };

  /** Says whose screen the terminal fits when it is not this one (the view then offers to fit this one). */
  const sizeHint = (owner: string | null, size: { cols: number; rows: number }): string | null => {
    // Until this page's own fit (sent as soon as it may type) is answered, the size is about to change: no
    // hint (it would flash, and lay the terminal out twice on the first screen).
    if (exited || !input.enabled || owner === client.peerId || !openFitDone || openFitPending) return null;
    const mine = terminal.preferredSize();
    if (mine.cols === size.cols && mine.rows === size.rows) return null;
    const name = client.presence.devices.find((d) => d.peerId === owner)?.name;
    return name ? `Sized for ${name}.` : 'Sized for another screen.';
  };

  const render = (): void => {
    const snapshot = readTerminal(client.view);
    topBar.setSession(snapshot.name, snapshot.command);
    document.title = `${snapshot.name || snapshot.command || 'Session'} · tether`;
    topBar.setDevices(client.presence.devices, client.peerId, snapshot.sizeOwner);
    terminal.setSize({ cols: snapshot.cols, rows: snapshot.rows });
    terminal.setHint(sizeHint(snapshot.sizeOwner, snapshot));
    terminal.renderOutput(client.view);
    if (snapshot.state !== interrupted) {
      interrupted = snapshot.state;
      updateInputEnabled();
      updateBanner(client.error);
    }
    if (snapshot.state === 'exited' && !exited) {
      exited = true;
      const notice = endedNotice(snapshot.endedReason ?? exitReason(snapshot.exitCode, snapshot.exitSignal));
      alertIfHidden(client.sessionId, notice.kind, snapshot.name || snapshot.command || 'tether', notice.body);
      terminal.showEnded();
      updateInputEnabled();
      updateBanner(client.error);
      // Nothing more will come from an exited program, and the host is going away: stop reconnecting.
      client.close();
    }
  };
  client.doc.on('afterTransaction', (transaction: Y.Transaction) => {
    // During a burst nearly every transaction only adds output: draw it, and leave the top bar, the title
    // and the layout alone (reading and setting them for each of a burst's updates cost ~8 % of its time).
    if ([...transaction.changed.keys()].every((type) => type === client.view.output)) terminal.renderOutput(client.view);
    else render();
  });
  // Devices come and go without the document changing: presence frames say so.
  client.on('presence', () => {
    const snapshot = readTerminal(client.view);
    topBar.setDevices(client.presence.devices, client.peerId, snapshot.sizeOwner);
    terminal.setHint(sizeHint(snapshot.sizeOwner, snapshot));
  });
  client.on('role', () => updateInputEnabled());

  client.on('state', (state, error) => {
    topBar.setConnection(exited ? 'closed' : state, error);
    notices.setFailure(state === 'failed' ? error : null);
    updateInputEnabled();
    updateBanner(error);
    render(); // the peer id changes on every (re)connect: "you" must follow it
  });
  // Opening the page fits the terminal to this screen, unless someone is typing (the host decides);
  // once, as soon as this device may type (the page usually mounts already synced).
  let openFitDone = false;
  let openFitPending = false;
  const fitOnOpen = (): void => {
    if (openFitDone || !input.enabled) return;
    openFitDone = true;
    openFitPending = true;
    // Someone typing keeps their size (the host decides): the hint then says so, once the answer is in.
    void fitToThisScreen(true).finally(() => {
      openFitPending = false;
      render();
    });
  };
  let focused = false;
  const takeKeyboardOnce = (): void => {
    if (!focused && !coarsePointer()) terminal.focus();
    focused = true;
  };
  client.on('synced', () => {
    render();
    fitOnOpen();
    takeKeyboardOnce();
  });
  // Phones: a tap on the terminal area focuses xterm's textarea, which opens the on-screen keyboard.
  stage.addEventListener('click', () => terminal.focus());

  render();
  updateInputEnabled(); // a view-only device never types or sizes, from the first frame on
  fitOnOpen();
  // This view is built once the document says what the session is, so its first sync has usually been.
  if (client.state === 'live') takeKeyboardOnce();
  return terminal.term;
}

function exitText(code: number | null, signal: number | null): string {
  return `Program ${exitWords(code, signal)}.`;
}
