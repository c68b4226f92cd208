/**
 * Ending a session from the list, confirmed first: it stops the agent (or program) and the session
 * stays readable until removed. A session in its own worktree offers "Also remove its worktree"; when
 * the host refuses because the worktree has uncommitted changes, the dialog asks again — remove it
 * anyway (force), end but keep the worktree, or cancel. Nothing is deleted without that answer.
 */
import type { ListedSession } from '../../protocol/session-list-doc.js';
import type { IntentReply } from '../../protocol/messages.js';
import { button, element, setText, showError } from './dom.js';
import { Sheet } from './sheet.js';
import { refusalText } from './toast.js';

/** The end-session intent's fields. */
export interface EndRequest {
  sessionId: string;
  removeWorktree?: boolean;
  force?: boolean;
}

/** Sends end-session; resolves with the host's reply. */
export type SendEnd = (request: EndRequest) => Promise<IntentReply>;

/** The confirmation dialog (one per page, reused for every session). */
export class EndSessionDialog {
  private readonly sheet = new Sheet('End session');
  private readonly text = element('p', 'sheet-text');
  private readonly option = element('label', 'check');
  private readonly checkbox = element('input', 'check-input');
  private readonly optionText = element('span', 'check-text');
  private readonly error = element('p', 'form-error');
  private readonly cancelButton = button('Cancel', 'sheet-button');
  private readonly keepButton = button('End, keep worktree', 'sheet-button');
  private readonly confirmButton = button('End session', 'sheet-button sheet-danger');
  private session: ListedSession | null = null;
  private step: 'confirm' | 'dirty' = 'confirm';
  private busy = false;

  constructor(private readonly send: SendEnd) {
    this.checkbox.type = 'checkbox';
    this.option.append(this.checkbox, this.optionText);
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    const buttons = element('div', 'sheet-actions is-stacked');
    buttons.append(this.cancelButton, this.keepButton, this.confirmButton);
    this.sheet.body.append(this.text, this.option, this.error, buttons);

    this.cancelButton.addEventListener('click', () => this.sheet.close());
    this.confirmButton.addEventListener('click', () => {
      if (this.step === 'confirm') void this.end({ removeWorktree: this.checkbox.checked });
      else void this.end({ removeWorktree: true, force: true });
    });
    this.keepButton.addEventListener('click', () => void this.end({ removeWorktree: false }));
  }

  /** The root element (a <dialog>, already in the document). */
  get element(): HTMLDialogElement {
    return this.sheet.dialog;
  }

  /** Asks whether to end `session`. */
  open(session: ListedSession): void {
    this.session = session;
    this.showStep('confirm');
    this.checkbox.checked = false;
    this.sheet.open();
    this.cancelButton.focus();
  }

  /** Keeps the dialog in step with the list: a rename, the session ending by itself, or its removal. */
  follow(sessions: readonly ListedSession[]): void {
    const asked = this.session;
    if (!this.sheet.isOpen || !asked) return;
    const current = sessions.find((s) => s.id === asked.id);
    if (!current) {
      this.sheet.close();
      return;
    }
    this.session = current;
    this.showStep(this.step, false);
  }

  private hasWorktree(session: ListedSession): boolean {
    return session.branch !== null && !session.folder.endsWith(' (removed)');
  }

  private showStep(step: 'confirm' | 'dirty', fresh = true): void {
    const session = this.session;
    if (!session) return;
    this.step = step;
    const thing = session.kind === 'terminal' ? 'program' : 'agent';
    const branch = session.branch ?? '';
    if (step === 'confirm') {
      this.sheet.setTitle(`End ${session.name}?`);
      setText(
        this.text,
        session.state === 'ended'
          ? `It has already ended. You can still remove its worktree.`
          : `This stops its ${thing}. The session stays readable in the list until you remove it.`,
      );
      this.option.hidden = !this.hasWorktree(session);
      setText(this.optionText, `Also remove its worktree (${branch}); the branch is kept`);
      this.keepButton.hidden = true;
      setText(this.confirmButton, 'End session');
    } else {
      this.sheet.setTitle('Uncommitted changes');
      setText(this.text, `${session.name}'s worktree (${branch}) has uncommitted changes. Remove it anyway? They will be lost.`);
      this.option.hidden = true;
      this.keepButton.hidden = false;
      setText(this.confirmButton, 'Remove anyway');
    }
    if (fresh) showError(this.error, null);
  }

  private async end(fields: { removeWorktree: boolean; force?: boolean }): Promise<void> {
    const session = this.session;
    if (!session || this.busy) return;
    const request: EndRequest = { sessionId: session.id };
    if (fields.removeWorktree && this.hasWorktree(session)) request.removeWorktree = true;
    if (fields.force) request.force = true;
    this.setBusy(true);
    try {
      const reply = await this.send(request);
      if (reply.ok) this.sheet.close();
      else if (reply.error.code === 'WORKTREE_DIRTY' && !request.force) {
        this.showStep('dirty');
        this.keepButton.focus();
      } else showError(this.error, refusalText(reply.error));
    } finally {
      this.setBusy(false);
    }
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    for (const b of [this.confirmButton, this.keepButton]) b.disabled = busy;
    this.checkbox.disabled = busy;
  }

}
