/**
 * Messages about the session shown around the view: a banner under the top bar (the program exited,
 * or the connection is being restored and why, in plain words, with Retry) and a card over the view
 * when this page cannot connect at all (the headline, what to do, the code, Try again and a way home).
 */
import type { TetherError } from '../../protocol/errors.js';
import type { ConnectionState } from '../core/session-client.js';
import { connectionWords, failureHeadline, failureHint } from './failure-text.js';
import { button, element } from './dom.js';

/** Banner tones, styled by app.css. */
export type BannerTone = 'info' | 'warning' | 'ended';

/** What the page's Retry and home link do. */
export interface NoticeActions {
  /** Try to reach the host again now. */
  retry(): void;
  /** Where "Home" goes (the session list this device uses, or the app's start page). */
  home(): string;
}

/** The banner and the failure card. */
export class Notices {
  readonly banner: HTMLElement;
  readonly card: HTMLElement;
  private readonly bannerText = element('span', 'banner-text');
  private readonly bannerRetry = button('Retry', 'banner-retry');
  private bannerKey = '';
  private actions: NoticeActions = { retry: () => location.reload(), home: () => '/' };

  constructor() {
    this.banner = element('div', 'banner');
    this.banner.setAttribute('role', 'status');
    this.banner.hidden = true;
    this.bannerRetry.hidden = true;
    this.bannerRetry.addEventListener('click', () => this.actions.retry());
    this.banner.append(this.bannerText, this.bannerRetry);

    this.card = element('section', 'failure');
    this.card.setAttribute('role', 'alert');
    this.card.hidden = true;
  }

  /** Sets what Retry and Home do. */
  setActions(actions: NoticeActions): void {
    this.actions = actions;
  }

  /** Shows `text` in the banner (with Retry when `retry`, a button doing `action`), or hides it when `text` is null. */
  setBanner(text: string | null, tone: BannerTone = 'info', retry = false, action?: { label: string; run(): void }): void {
    const key = text === null ? '' : `${tone}:${retry}:${text}:${action?.label ?? ''}`;
    if (key === this.bannerKey) return;
    this.bannerKey = key;
    this.banner.hidden = text === null;
    this.banner.dataset.tone = tone;
    this.bannerText.textContent = text ?? '';
    this.bannerRetry.hidden = !retry;
    if (text !== null && action) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'banner-action';
      b.textContent = action.label;
      b.addEventListener('click', () => action.run());
      this.bannerText.append(' ', b);
    }
  }

  /**
   * The session banner every view shares: `ended` (why the program or agent ended) wins; otherwise the
   * connection: closed, or not connected and why (in plain words, with Retry); otherwise no banner.
   */
  setSessionBanner(ended: string | null, connection: { state: ConnectionState; error: TetherError | null }, resume?: () => void): void {
    const { state, error } = connection;
    if (resume && state !== 'closed' && state !== 'failed') this.setBanner('The host restarted while this session ran.', 'warning', false, { label: 'Resume', run: resume });
    else if (ended !== null) this.setBanner(ended, 'ended');
    else if (state === 'closed') this.setBanner(error ? `${failureHeadline(error.code)}.` : 'Session ended.', 'ended');
    else if ((state === 'reconnecting' || state === 'connecting') && error) this.setBanner(connectionWords(error), 'warning', true);
    else this.setBanner(null);
  }

  /** Shows why this page cannot connect, or hides the card when `error` is null. */
  setFailure(error: TetherError | null): void {
    if (!error) {
      this.card.hidden = true;
      this.card.replaceChildren();
      return;
    }
    const title = element('h2', undefined, failureHeadline(error.code));
    const detail = element('p', 'failure-detail', capitalize(error.message));
    const code = element('p', 'failure-code');
    code.append('Error code ', element('code', undefined, error.code));
    const parts: HTMLElement[] = [title, detail];
    const hint = failureHint(error.code);
    // The registry's own messages already say what to do; the host's custom ones may not.
    if (hint && !/QR code|reload/i.test(error.message)) parts.push(element('p', 'failure-hint', hint));
    const actions = element('div', 'failure-actions');
    const retry = button('Try again', 'failure-button failure-primary');
    retry.addEventListener('click', () => this.actions.retry());
    const home = element('a', 'failure-button', 'Home');
    home.href = this.actions.home();
    actions.append(retry, home);
    this.card.replaceChildren(...parts, actions, code);
    this.card.hidden = false;
  }
}

function capitalize(text: string): string {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
