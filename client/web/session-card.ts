/**
 * One session in the session list: a link named by the session's name (the whole card is its tap
 * target) with its state, agent, folder or worktree branch, devices and last activity, and its
 * actions — Rename (an inline editor), End, and Remove once it has ended. Updated in place, field by
 * field, so a live list never rebuilds or flickers.
 */
import type { ListedSession, ListedState } from '../../protocol/session-list-doc.js';
import { MAX_NAME_CHARS, NAME_FORBIDDEN } from '../../protocol/messages.js';
import { button, element, setText } from './dom.js';
import { icon } from './icons.js';
import { relativeTime } from './relative-time.js';
import { formatUsage } from '../../protocol/agent-offer.js';

/** How the list names each state. */
export const STATE_LABEL: Record<ListedState, string> = {
  starting: 'Starting…',
  running: 'Running',
  idle: 'Idle',
  working: 'Working',
  'awaiting-permission': 'Waiting for approval',
  'awaiting-answer': 'Waiting for an answer',
  ended: 'Ended',
  interrupted: 'Interrupted',
};

/** How long a newly started session stays highlighted. */
const FRESH_MS = 6000;

/** What a card's controls do; the page carries them out. */
export interface SessionCardActions {
  /** Renames the session; resolves with the refusal as a sentence, or null when it was renamed. */
  rename(id: string, name: string): Promise<string | null>;
  /** Asks to end the session (the page confirms first). */
  end(session: ListedSession): void;
  /** Removes an ended session from the list. */
  remove(id: string): Promise<void>;
  /** Runs an interrupted session's program or agent again (its host restarted). */
  resume(id: string): Promise<void>;
  /** The session is being opened (its link was followed). */
  opening(session: ListedSession): void;
  /** An inline editor opened in `card`: the page closes the others. */
  editing(card: SessionCard): void;
}

/** Why a name cannot be used, or null (the host checks again). */
export function nameProblem(name: string): string | null {
  if (name === '') return 'Enter a name.';
  if (name.length > MAX_NAME_CHARS) return `A name has at most ${MAX_NAME_CHARS} characters.`;
  if (/[/\\]/.test(name)) return 'A name cannot contain slashes.';
  if (NAME_FORBIDDEN.test(name)) return 'A name cannot contain control or invisible characters.';
  return null;
}

let cardCount = 0;

/** One row of the list. */
export class SessionCard {
  readonly element = element('li', 'session-card');
  /** The session as last shown. */
  session: ListedSession;
  private readonly head = element('div', 'card-head');
  private readonly link = element('a', 'card-link');
  private readonly pill = element('span', 'state-pill');
  private readonly pillText = element('span', 'state-text');
  private readonly agent = element('span', 'card-agent');
  private readonly usage = element('span', 'card-usage');
  private readonly where = element('span', 'card-where');
  private readonly whereText = element('span', 'card-where-text');
  private readonly devices = element('p', 'card-devices');
  private readonly devicesText = element('span', 'card-devices-text');
  private readonly reason = element('p', 'card-reason');
  private readonly time = element('time', 'card-time');
  private readonly renameButton = button('Rename', 'card-button');
  private readonly endButton = button('End', 'card-button card-end');
  private readonly removeButton = button('Remove', 'card-button card-remove');
  private readonly resumeButton = button('Resume', 'card-button card-resume');
  private readonly renameForm = element('form', 'rename-form');
  private readonly renameInput = element('input', 'rename-input');
  private readonly renameError = element('p', 'rename-error');
  private readonly saveButton = button('Save', 'card-button card-save');
  private renderedKey = '';
  private freshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    session: ListedSession,
    private readonly actions: SessionCardActions,
  ) {
    this.session = session;
    const id = `card-${++cardCount}`;
    this.pill.id = `${id}-state`;
    this.pill.append(element('span', 'state-icon'), this.pillText);
    this.head.append(this.link, this.pill);

    const meta = element('p', 'card-meta');
    meta.id = `${id}-meta`;
    this.where.append(icon('branch'), icon('folder'), this.whereText);
    meta.append(this.agent, this.where, this.usage);
    this.devices.id = `${id}-devices`;
    this.devices.append(icon('device'), this.devicesText);
    this.reason.id = `${id}-reason`;
    this.link.setAttribute('aria-describedby', [this.pill.id, meta.id, this.reason.id, this.devices.id].join(' '));

    const foot = element('div', 'card-foot');
    const when = element('span', 'card-when');
    when.append(icon('clock'), this.time);
    const buttons = element('div', 'card-actions');
    buttons.append(this.resumeButton, this.renameButton, this.endButton, this.removeButton);
    foot.append(when, buttons);

    this.buildRenameForm();
    this.element.append(this.head, this.renameForm, meta, this.reason, this.devices, foot);

    this.link.addEventListener('click', () => this.actions.opening(this.session));
    this.renameButton.addEventListener('click', () => this.openRename());
    this.endButton.addEventListener('click', () => this.actions.end(this.session));
    this.removeButton.addEventListener('click', () => void this.remove());
    this.resumeButton.addEventListener('click', () => void this.actions.resume(this.session.id));
  }

  /**
   * Shows `session` with the names of the `devices` in it (only what changed is touched); `href` opens
   * it, `agentCommand` explains the agent.
   */
  update(session: ListedSession, devices: readonly string[], href: string, agentCommand: string, now: number): void {
    this.session = session;
    const key = JSON.stringify([session, devices, href, agentCommand]);
    if (key !== this.renderedKey) {
      this.renderedKey = key;
      this.render(session, devices, href, agentCommand);
    }
    this.tick(now);
  }

  /** Enables the card's actions (they need the computer: disabled while it cannot be reached). */
  setEnabled(enabled: boolean): void {
    for (const b of [this.renameButton, this.endButton, this.removeButton, this.saveButton]) b.disabled = !enabled;
  }

  /** Refreshes the relative time. */
  tick(now: number): void {
    const at = this.session.lastActivity;
    setText(this.time, relativeTime(at, now));
    const iso = Number.isFinite(at) && at > 0 ? new Date(at).toISOString() : '';
    if (this.time.dateTime !== iso) {
      this.time.dateTime = iso;
      this.time.title = iso ? `Last activity ${new Date(at).toLocaleString()}` : '';
    }
  }

  /** Highlights the card for a few seconds (a session this device just started) and brings it into view. */
  flash(): void {
    if (this.freshTimer) clearTimeout(this.freshTimer);
    this.element.dataset.fresh = 'true';
    this.freshTimer = setTimeout(() => {
      delete this.element.dataset.fresh;
      this.freshTimer = null;
    }, FRESH_MS);
    this.element.scrollIntoView({ block: 'nearest' });
  }

  /** Closes the inline rename editor, if open. */
  closeRename(restoreFocus = false): void {
    if (this.renameForm.hidden) return;
    this.renameForm.hidden = true;
    this.head.hidden = false;
    this.renameError.hidden = true;
    this.renameError.textContent = '';
    this.element.classList.remove('is-editing');
    if (restoreFocus) this.renameButton.focus();
  }

  private render(s: ListedSession, devices: readonly string[], href: string, agentCommand: string): void {
    this.element.dataset.state = s.state;
    this.element.dataset.kind = s.kind;
    this.link.href = href;
    setText(this.link, s.name);
    setText(this.pillText, STATE_LABEL[s.state]);

    setText(this.agent, s.agent);
    this.usage.hidden = s.usage === null;
    setText(this.usage, s.usage ? formatUsage(s.usage) : '');
    this.usage.title = s.usage ? `Context used and cost: ${formatUsage(s.usage)}` : '';
    this.agent.title = agentCommand ? `${s.agent}: ${agentCommand}` : s.agent;
    const removed = s.folder.endsWith(' (removed)');
    this.where.dataset.kind = s.branch ? 'branch' : 'folder';
    setText(this.whereText, s.branch ? `${s.branch}${removed ? ' (worktree removed)' : ''}` : baseName(s.folder));
    this.where.title = s.branch ? `Own worktree on branch ${s.branch}: ${s.folder}` : `Works in ${s.folder}`;

    const ended = s.state === 'ended';
    const interrupted = s.state === 'interrupted';
    this.reason.hidden = !ended && !interrupted;
    setText(this.reason, ended ? sentence(s.endedReason || 'ended') : interrupted ? 'The host restarted while this ran. Resume runs it again, its history kept.' : '');
    setText(this.devicesText, devicesText(devices));
    this.devices.title = devices.join(', ');
    this.devices.dataset.count = String(devices.length);

    this.renameButton.setAttribute('aria-label', `Rename ${s.name}`);
    this.endButton.setAttribute('aria-label', `End ${s.name}`);
    this.removeButton.setAttribute('aria-label', `Remove ${s.name}`);
    this.renameInput.setAttribute('aria-label', `New name for ${s.name}`);
    this.renameForm.setAttribute('aria-label', `Rename ${s.name}`);
    this.endButton.hidden = ended;
    this.removeButton.hidden = !ended;
    this.resumeButton.hidden = !interrupted;
    this.resumeButton.setAttribute('aria-label', `Resume ${s.name}`);
  }

  private buildRenameForm(): void {
    this.renameForm.hidden = true;
    this.renameInput.type = 'text';
    this.renameInput.maxLength = 64;
    this.renameInput.autocomplete = 'off';
    this.renameInput.spellcheck = false;
    this.renameInput.enterKeyHint = 'done';
    this.saveButton.type = 'submit';
    const cancel = button('Cancel', 'card-button');
    this.renameError.setAttribute('role', 'alert');
    this.renameError.hidden = true;
    const row = element('div', 'rename-row');
    row.append(this.renameInput, this.saveButton, cancel);
    this.renameForm.append(row, this.renameError);
    this.renameForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submitRename();
    });
    cancel.addEventListener('click', () => this.closeRename(true));
    this.renameInput.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      this.closeRename(true);
    });
  }

  private openRename(): void {
    this.actions.editing(this);
    this.element.classList.add('is-editing');
    this.head.hidden = true;
    this.renameForm.hidden = false;
    this.renameInput.value = this.session.name;
    this.renameInput.focus();
    this.renameInput.select();
  }

  private async submitRename(): Promise<void> {
    const name = this.renameInput.value.trim();
    if (name === this.session.name) {
      this.closeRename(true);
      return;
    }
    const problem = nameProblem(name);
    if (problem) {
      this.showRenameError(problem);
      return;
    }
    this.saveButton.disabled = true;
    try {
      const refusal = await this.actions.rename(this.session.id, name);
      if (refusal) this.showRenameError(refusal);
      else this.closeRename(true);
    } finally {
      this.saveButton.disabled = false;
    }
  }

  private showRenameError(text: string): void {
    this.renameError.textContent = text;
    this.renameError.hidden = false;
    this.renameInput.focus();
  }

  private async remove(): Promise<void> {
    this.removeButton.disabled = true;
    try {
      await this.actions.remove(this.session.id);
    } finally {
      this.removeButton.disabled = false;
    }
  }
}

/** "No devices" / "1 device · Chrome on Android" / "3 devices · Chrome on Linux (2), Safari on iPhone". */
export function devicesText(names: readonly string[]): string {
  if (names.length === 0) return 'No devices';
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  const listed = [...counts].map(([name, n]) => (n > 1 ? `${name} (${n})` : name)).join(', ');
  return `${names.length} ${names.length === 1 ? 'device' : 'devices'} · ${listed}`;
}

/** The last part of a path ("/home/me/app" → "app"). */
function baseName(path: string): string {
  const parts = path.replace(/[/\\]+$/, '').split(/[/\\]/);
  return parts[parts.length - 1] || path || '—';
}

function sentence(text: string): string {
  const s = text.trim();
  const capital = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}
