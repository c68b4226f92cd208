/**
 * Messages about the session shown around the terminal: a banner under the top bar (the program
 * exited, or the connection is being restored and why) and a card over the terminal when this page
 * cannot connect at all (the error's headline, message and code).
 */
import type { TetherError } from '../../protocol/errors.js';
import type { ConnectionState } from '../core/session-client.js';
import { failureHeadline, failureHint } from './failure-text.js';

/** Banner tones, styled by app.css. */
export type BannerTone = 'info' | 'warning' | 'ended';

/** The banner and the failure card. */
export class Notices {
  readonly banner: HTMLElement;
  readonly card: HTMLElement;
  private bannerKey = '';

  constructor() {
    this.banner = document.createElement('div');
    this.banner.className = 'banner';
    this.banner.setAttribute('role', 'status');
    this.banner.hidden = true;

    this.card = document.createElement('section');
    this.card.className = 'failure';
    this.card.setAttribute('role', 'alert');
    this.card.hidden = true;
  }

  /** Shows `text` in the banner (with a button doing `action`), or hides the banner when `text` is null. */
  setBanner(text: string | null, tone: BannerTone = 'info', action?: { label: string; run(): void }): void {
    const key = text === null ? '' : `${tone}:${text}:${action?.label ?? ''}`;
    if (key === this.bannerKey) return;
    this.bannerKey = key;
    this.banner.hidden = text === null;
    this.banner.dataset.tone = tone;
    this.banner.textContent = text ?? '';
    if (text !== null && action) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'banner-action';
      b.textContent = action.label;
      b.addEventListener('click', () => action.run());
      this.banner.append(' ', b);
    }
  }

  /**
   * The session banner both views share: `ended` (why the program or agent ended) wins; otherwise the
   * connection: closed, or connecting/reconnecting and why; otherwise no banner.
   */
  setSessionBanner(ended: string | null, connection: { state: ConnectionState; error: TetherError | null }, resume?: () => void): void {
    const { state, error } = connection;
    if (resume && state !== 'closed' && state !== 'failed') this.setBanner('The host restarted while this session ran.', 'warning', { label: 'Resume', run: resume });
    else if (ended !== null) this.setBanner(ended, 'ended');
    else if (state === 'closed') this.setBanner('Session ended.', 'ended');
    else if ((state === 'reconnecting' || state === 'connecting') && error) {
      this.setBanner(`${state === 'reconnecting' ? 'Reconnecting' : 'Connecting'}… ${error.message} (${error.code})`, 'warning');
    } else this.setBanner(null);
  }

  /** Shows why this page cannot connect, or hides the card when `error` is null. */
  setFailure(error: TetherError | null): void {
    if (!error) {
      this.card.hidden = true;
      this.card.replaceChildren();
      return;
    }
    const title = document.createElement('h2');
    title.textContent = failureHeadline(error.code);
    const detail = document.createElement('p');
    detail.className = 'failure-detail';
    detail.textContent = capitalize(error.message);
    const code = document.createElement('p');
    code.className = 'failure-code';
    code.append('Error code ', Object.assign(document.createElement('code'), { textContent: error.code }));
    const parts: HTMLElement[] = [title, detail];
    const hint = failureHint(error.code);
    // The registry's own messages already say what to do; the host's custom ones may not.
    if (hint && !/QR code|reload/i.test(error.message)) {
      const next = document.createElement('p');
      next.className = 'failure-hint';
      next.textContent = hint;
      parts.push(next);
    }
    this.card.replaceChildren(...parts, code);
    this.card.hidden = false;
  }
}

function capitalize(text: string): string {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
