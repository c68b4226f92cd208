/**
 * The "New session" sheet: which agent (the server's presets, its default first chosen; one whose
 * command is not installed on the host is marked so, with its install hint, and cannot be started), an
 * optional name, where the session works — the server's folder or its own git worktree (offered unless
 * the server runs a single session; the default follows the server's spawn mode) — and, for an agent
 * that keeps its sessions, one of its earlier sessions in the folder to resume. Start sends the
 * start-session intent; a refusal ("capacity reached (4/4)") stays on the sheet until changed.
 */
import type { AgentSessionList, SpawnMode, StartableAgent } from '../../protocol/session-list-doc.js';
import type { IntentReply } from '../../protocol/messages.js';
import { button, element, setText, showError } from './dom.js';
import { Sheet } from './sheet.js';
import { nameProblem } from './session-card.js';
import { refusalText } from './toast.js';

/** What the sheet asks the host for. */
export interface StartRequest {
  agent: string;
  name?: string;
  spawn?: 'same-dir' | 'worktree';
  /** An earlier session of the agent to resume. */
  resume?: string;
}

/** What the sheet's Start does. */
export interface NewSessionActions {
  /** Sends start-session; resolves with the host's reply. */
  start(request: StartRequest): Promise<IntentReply>;
  /** Asks the host for the agent's earlier sessions (they arrive through `setAgentSessions`). */
  listSessions(agent: string): Promise<IntentReply>;
}

/** The server's settings the form follows. */
export interface NewSessionOptions {
  agents: StartableAgent[];
  defaultAgent: string;
  spawnMode: SpawnMode;
  folder: string;
  /** False when the folder is not in a git repository ("Own worktree" is then disabled). */
  gitRepo?: boolean;
}

let formCount = 0;

/** The sheet and its form. */
export class NewSessionSheet {
  private readonly sheet = new Sheet('New session');
  private readonly form = element('form', 'sheet-form');
  private readonly agent = element('select', 'field-input field-select');
  private readonly agentHint = element('p', 'field-hint field-mono');
  private readonly name = element('input', 'field-input');
  private readonly where = element('fieldset', 'field-where');
  private readonly sameDir = element('input');
  private readonly worktree = element('input');
  private readonly sameDirHint = element('span', 'choice-hint');
  private readonly worktreeHint = element('span', 'choice-hint');
  private readonly worktreeChoice: HTMLElement;
  private readonly resume = element('fieldset', 'field-resume');
  private readonly resumeButton = button('Resume an earlier session…', 'sheet-link-button');
  private readonly resumeStatus = element('p', 'field-hint resume-status');
  private readonly resumeList = element('div', 'resume-list');
  private agentSessions: (agent: string) => AgentSessionList | null = () => null;
  private resumeAsked = new Set<string>();
  private readonly error = element('p', 'form-error');
  private readonly startButton = button('Start', 'sheet-button sheet-primary');
  private options: NewSessionOptions = { agents: [], defaultAgent: '', spawnMode: 'same-dir', folder: '' };
  private agentsKey = '';
  private agentTouched = false;
  private whereTouched = false;
  private sending = false;
  private connected = true;

  constructor(private readonly actions: NewSessionActions) {
    const n = ++formCount;
    this.form.setAttribute('aria-label', 'New session');
    this.form.noValidate = true;

    const agentId = `new-agent-${n}`;
    this.agent.id = agentId;
    this.agentHint.id = `${agentId}-hint`;
    this.agent.setAttribute('aria-describedby', this.agentHint.id);
    const agentField = field('Agent', agentId, this.agent, this.agentHint);

    const nameId = `new-name-${n}`;
    this.name.id = nameId;
    this.name.type = 'text';
    this.name.maxLength = 64;
    this.name.placeholder = 'Automatic';
    this.name.autocomplete = 'off';
    this.name.spellcheck = false;
    this.name.enterKeyHint = 'go';
    const nameHint = element('p', 'field-hint', 'Leave empty for a generated name.');
    nameHint.id = `${nameId}-hint`;
    this.name.setAttribute('aria-describedby', nameHint.id);
    const nameField = field('Name', nameId, this.name, nameHint);

    const legend = element('legend', 'field-label', 'Where');
    this.where.append(
      legend,
      choice(this.sameDir, `new-where-${n}`, 'same-dir', 'Same folder', this.sameDirHint),
      (this.worktreeChoice = choice(this.worktree, `new-where-${n}`, 'worktree', 'Own worktree', this.worktreeHint)),
    );

    this.resume.append(element('legend', 'field-label', 'Start from'), this.resumeButton, this.resumeStatus, this.resumeList);
    this.resumeStatus.setAttribute('role', 'status');
    this.resumeButton.addEventListener('click', () => void this.askSessions());
    this.resumeList.addEventListener('change', () => {
      this.where.disabled = this.resumeChoice() !== null;
      showError(this.error, null);
    });

    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    const cancel = button('Cancel', 'sheet-button');
    this.startButton.type = 'submit';
    const buttons = element('div', 'sheet-actions');
    buttons.append(cancel, this.startButton);
    this.form.append(agentField, nameField, this.resume, this.where, this.error, buttons);
    this.sheet.body.append(this.form);

    cancel.addEventListener('click', () => this.sheet.close());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.agent.addEventListener('change', () => {
      this.agentTouched = true;
      this.renderHints();
      this.renderResume();
      showError(this.error, null);
    });
    this.name.addEventListener('input', () => {
      this.renderHints();
      showError(this.error, null);
    });
    for (const radio of [this.sameDir, this.worktree]) {
      radio.addEventListener('change', () => {
        this.whereTouched = true;
        showError(this.error, null);
      });
    }
    this.sheet.onClose(() => showError(this.error, null));
  }

  /** The root element (a <dialog>, already in the document). */
  get element(): HTMLDialogElement {
    return this.sheet.dialog;
  }

  /** Follows the server's settings (they may change while the sheet is open: `w` on the host). */
  setOptions(options: NewSessionOptions): void {
    this.options = options;
    const key = JSON.stringify([options.agents, options.defaultAgent]);
    if (key !== this.agentsKey) {
      this.agentsKey = key;
      const selected = this.agentTouched ? this.agent.value : options.defaultAgent;
      this.agent.replaceChildren(...options.agents.map((a) => new Option(a.installed ? a.label : `${a.label} — not installed`, a.label)));
      this.agent.value = options.agents.some((a) => a.label === selected) ? selected : (options.agents[0]?.label ?? '');
    }
    this.where.hidden = options.spawnMode === 'session';
    if (!this.whereTouched) this.followSpawnMode();
    this.offerWorktree();
    this.renderHints();
  }

  /** Start needs the computer: disabled while it cannot be reached (a start under way keeps its own state). */
  setConnected(connected: boolean): void {
    this.connected = connected;
    if (!this.sending) this.startButton.disabled = !connected;
  }

  /** Follows what the host learned about agents' earlier sessions. */
  setAgentSessions(read: (agent: string) => AgentSessionList | null): void {
    this.agentSessions = read;
    this.renderResume();
  }

  /** Opens the sheet with an empty name. */
  open(): void {
    this.name.value = '';
    this.resumeAsked.clear();
    showError(this.error, null);
    this.renderHints();
    this.renderResume();
    this.sheet.open();
    // Desktops: straight to the name (Enter starts). Phones: no keyboard until the user asks for one.
    if (!window.matchMedia('(pointer: coarse)').matches) this.name.focus();
  }

  close(): void {
    this.sheet.close();
  }

  private followSpawnMode(): void {
    const worktree = this.options.spawnMode === 'worktree';
    this.worktree.checked = worktree;
    this.sameDir.checked = !worktree;
  }

  /** Outside a git repository a worktree cannot work: say so instead of failing on Start. */
  private offerWorktree(): void {
    const offered = this.options.gitRepo !== false;
    this.worktree.disabled = !offered;
    this.worktreeChoice.dataset.disabled = String(!offered);
    if (!offered && this.worktree.checked) this.sameDir.checked = true;
  }

  private selectedAgent(): StartableAgent | undefined {
    return this.options.agents.find((a) => a.label === this.agent.value);
  }

  private renderHints(): void {
    const agent = this.selectedAgent();
    const missing = agent !== undefined && !agent.installed;
    const hint = missing ? `Not installed on the host${agent.install ? ` — ${agent.install}` : ''}` : (agent?.command ?? '');
    setText(this.agentHint, hint);
    this.agentHint.title = hint;
    this.agentHint.dataset.missing = String(missing);
    this.startButton.disabled = missing || this.sending;
    setText(this.sameDirHint, this.options.folder || 'The server\'s folder');
    this.sameDirHint.title = this.options.folder;
    const name = this.name.value.trim();
    setText(
      this.worktreeHint,
      this.options.gitRepo === false ? 'Not a git repository, so no worktree' : `New branch tether/${name && !nameProblem(name) ? name : '<name>'}`,
    );
  }

  /** The earlier session chosen, or null for a new conversation. */
  private resumeChoice(): string | null {
    const checked = this.resumeList.querySelector<HTMLInputElement>('input:checked');
    return checked && checked.value !== '' ? checked.value : null;
  }

  private async askSessions(): Promise<void> {
    const agent = this.agent.value;
    this.resumeAsked.add(agent);
    this.renderResume();
    const reply = await this.actions.listSessions(agent);
    if (!reply.ok) {
      setText(this.resumeStatus, refusalText(reply.error));
      this.resumeStatus.hidden = false;
    }
  }

  private renderResume(): void {
    const agent = this.selectedAgent();
    // Terminal programs keep no conversations; an agent that is not installed cannot list any.
    const possible = agent !== undefined && agent.installed && agent.label !== 'shell';
    this.resume.hidden = !possible;
    if (!possible) return;
    const asked = this.resumeAsked.has(agent.label);
    const list = asked ? this.agentSessions(agent.label) : null;
    this.resumeButton.hidden = asked;
    this.resumeStatus.hidden = !asked || list?.state === 'listed';
    setText(this.resumeStatus, !list || list.state === 'listing' ? 'Asking the agent for its earlier sessions…' : list.state === 'failed' ? `No earlier sessions: ${list.error ?? 'the agent could not list them'}` : '');
    const sessions = list?.state === 'listed' ? list.sessions : [];
    const previous = this.resumeChoice();
    if (!asked || list?.state !== 'listed') {
      this.resumeList.replaceChildren();
      this.where.disabled = false;
      return;
    }
    const group = `resume-${this.agent.id}`;
    const item = (value: string, title: string, hint: string): HTMLElement => {
      const label = element('label', 'choice resume-choice');
      const input = element('input', 'choice-input');
      input.type = 'radio';
      input.name = group;
      input.value = value;
      input.checked = value === (previous ?? '');
      const text = element('span', 'choice-text');
      text.append(element('span', 'choice-title', title), element('span', 'choice-hint', hint));
      label.append(input, text);
      return label;
    };
    this.resumeList.replaceChildren(
      item('', 'New conversation', 'Start afresh'),
      ...sessions.map((s) => item(s.sessionId, s.title || s.sessionId, s.updatedAt ? `Last active ${new Date(s.updatedAt).toLocaleString()}` : s.sessionId)),
    );
    if (sessions.length === 0) this.resumeList.append(element('p', 'field-hint', 'The agent has no earlier sessions in this folder.'));
    this.where.disabled = this.resumeChoice() !== null;
  }

  private async submit(): Promise<void> {
    if (this.sending) return;
    if (this.selectedAgent()?.installed === false) {
      showError(this.error, `${this.agent.value} is not installed on the host.`);
      return;
    }
    const name = this.name.value.trim();
    const problem = name === '' ? null : nameProblem(name);
    if (problem) {
      showError(this.error, problem);
      this.name.focus();
      return;
    }
    const request: StartRequest = { agent: this.agent.value };
    if (name) request.name = name;
    const resume = this.resume.hidden ? null : this.resumeChoice();
    if (resume) request.resume = resume;
    else if (this.options.spawnMode !== 'session') request.spawn = this.worktree.checked ? 'worktree' : 'same-dir';
    this.sending = true;
    this.startButton.disabled = true;
    setText(this.startButton, 'Starting…');
    showError(this.error, null);
    try {
      const reply = await this.actions.start(request);
      if (reply.ok) this.sheet.close();
      // Given up because the computer stopped answering: by the start's own deadline, or because the
      // connection was lost for longer than an unqueued intent waits (OFFLINE).
      else if (reply.error.code === 'HOST_UNREACHABLE' || reply.error.code === 'OFFLINE') showError(this.error, 'Your computer did not answer. Check that tether is still running there, then try again.');
      else showError(this.error, refusalText(reply.error));
    } finally {
      this.sending = false;
      this.startButton.disabled = !this.connected;
      setText(this.startButton, 'Start');
      this.renderHints();
    }
  }

}

/** A labelled field: label, control, hint. */
function field(label: string, id: string, control: HTMLElement, hint: HTMLElement): HTMLElement {
  const wrap = element('div', 'field');
  const labelEl = element('label', 'field-label', label);
  labelEl.htmlFor = id;
  wrap.append(labelEl, control, hint);
  return wrap;
}

/** One radio choice with a title and a hint line. */
function choice(input: HTMLInputElement, group: string, value: string, title: string, hint: HTMLElement): HTMLElement {
  const label = element('label', 'choice');
  input.type = 'radio';
  input.name = group;
  input.value = value;
  input.className = 'choice-input';
  const titleEl = element('span', 'choice-title', title);
  titleEl.id = `${group}-${value}-title`;
  hint.id = `${group}-${value}-hint`;
  // Named by its title alone; the hint (the folder, the branch) is its description.
  input.setAttribute('aria-labelledby', titleEl.id);
  input.setAttribute('aria-describedby', hint.id);
  const text = element('span', 'choice-text');
  text.append(titleEl, hint);
  label.append(input, text);
  return label;
}
