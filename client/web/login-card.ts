/**
 * The card that says the agent needs a login: which agent, its login methods — a variable to set on the
 * host, or a login program this page can start (owner devices) in a terminal session it then links to —
 * and the exact thing to do on the host. It follows the login program until it ends.
 */
import type { LoginNeed } from '../../protocol/conversation-doc.js';
import { button, element, setText } from './dom.js';

/** What the card's buttons do. */
export interface LoginActions {
  /** Starts a login method (a terminal method's program on the host); resolves true when the host did. */
  start(methodId: string): Promise<boolean>;
  /** The link that opens a terminal session of this host. */
  sessionHref(sessionId: string): string;
}

/** The login card (an element that is empty while no login is needed). */
export class LoginCard {
  readonly element = element('section', 'login-card');
  private key = '';

  constructor(private readonly actions: LoginActions) {
    this.element.setAttribute('aria-label', 'Login needed');
    this.element.hidden = true;
  }

  /** Shows `login` (a login the agent needs, or its methods the user asked to see), or hides the card. */
  set(login: LoginNeed | null, why: 'needed' | 'asked' = 'needed'): void {
    const key = JSON.stringify([login, why]);
    if (key === this.key) return;
    this.key = key;
    this.element.hidden = login === null;
    if (!login) {
      this.element.replaceChildren();
      return;
    }
    this.element.setAttribute('aria-label', why === 'needed' ? 'Login needed' : 'Login methods');
    this.element.dataset.why = why;
    const parts: HTMLElement[] = [element('h2', 'login-title', why === 'needed' ? `${login.agent} needs a login` : `Log in to ${login.agent}`)];
    if (why === 'needed') parts.push(element('p', 'login-reason', login.reason));
    const list = element('ul', 'login-methods');
    list.setAttribute('aria-label', 'Login methods');
    for (const m of login.methods) {
      const li = element('li', 'login-method');
      li.append(element('span', 'login-method-name', m.name));
      if (m.description) li.append(element('span', 'login-method-description', m.description));
      if (m.envVar) {
        li.append(element('span', 'login-method-how', m.ready ? `${m.envVar} is set on the host` : `Set ${m.envVar} on the host, then start a new session`));
      } else if (m.type === 'terminal') {
        const run = button('Start the login program', 'login-button', `Run the login program: ${m.name}`);
        run.disabled = login.terminal?.state === 'running';
        run.addEventListener('click', () => {
          run.disabled = true;
          void this.actions.start(m.id).then((ok) => {
            if (!ok) run.disabled = false;
          });
        });
        li.append(run);
      } else {
        li.append(element('span', 'login-method-how', 'Done on the host'));
      }
      list.append(li);
    }
    if (login.methods.length === 0) list.append(element('li', 'login-method', 'The agent names no login methods.'));
    parts.push(list);
    if (login.terminal) {
      const state = element('p', 'login-terminal');
      state.dataset.state = login.terminal.state;
      if (login.terminal.state === 'running') {
        setText(state, `Login program started by ${login.terminal.by}. `);
        if (login.terminal.sessionId) {
          const link = element('a', 'login-terminal-link', 'Open the login terminal');
          link.href = this.actions.sessionHref(login.terminal.sessionId);
          state.append(link);
        }
      } else setText(state, login.terminal.state === 'succeeded' ? 'Logged in.' : 'The login program ended without logging in.');
      parts.push(state);
    }
    if (login.hint) {
      const hint = element('p', 'login-hint');
      hint.append(element('span', 'login-hint-label', 'On the host: '), element('code', 'login-hint-text', login.hint));
      parts.push(hint);
    }
    this.element.replaceChildren(...parts);
  }
}
