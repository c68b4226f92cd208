/**
 * The "New session" sheet: which agent (the server's presets, its default first chosen), an optional
 * name, and where the session works — the server's folder or its own git worktree (offered unless the
 * server runs a single session; the default follows the server's spawn mode). Start sends the
 * start-session intent; a refusal ("capacity reached (4/4)") stays on the sheet until changed.
 */
import type { SpawnMode, StartableAgent } from '../../protocol/session-list-doc.js';
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
}

/** What the sheet's Start does. */
export interface NewSessionActions {
  /** Sends start-session; resolves with the host's reply. */
  start(request: StartRequest): Promise<IntentReply>;
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

    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    const cancel = button('Cancel', 'sheet-button');
    this.startButton.type = 'submit';
    const buttons = element('div', 'sheet-actions');
    buttons.append(cancel, this.startButton);
    this.form.append(agentField, nameField, this.where, this.error, buttons);
    this.sheet.body.append(this.form);

    cancel.addEventListener('click', () => this.sheet.close());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.agent.addEventListener('change', () => {
      this.agentTouched = true;
      this.renderHints();
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
      this.agent.replaceChildren(...options.agents.map((a) => new Option(a.label, a.label)));
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

  /** Opens the sheet with an empty name. */
  open(): void {
    this.name.value = '';
    showError(this.error, null);
    this.renderHints();
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

  private renderHints(): void {
    const agent = this.options.agents.find((a) => a.label === this.agent.value);
    setText(this.agentHint, agent?.command ?? '');
    this.agentHint.title = agent?.command ?? '';
    setText(this.sameDirHint, this.options.folder || 'The server\'s folder');
    this.sameDirHint.title = this.options.folder;
    const name = this.name.value.trim();
    setText(
      this.worktreeHint,
      this.options.gitRepo === false ? 'Not a git repository, so no worktree' : `New branch tether/${name && !nameProblem(name) ? name : '<name>'}`,
    );
  }

  private async submit(): Promise<void> {
    if (this.sending) return;
    const name = this.name.value.trim();
    const problem = name === '' ? null : nameProblem(name);
    if (problem) {
      showError(this.error, problem);
      this.name.focus();
      return;
    }
    const request: StartRequest = { agent: this.agent.value };
    if (name) request.name = name;
    if (this.options.spawnMode !== 'session') request.spawn = this.worktree.checked ? 'worktree' : 'same-dir';
    this.sending = true;
    this.startButton.disabled = true;
    setText(this.startButton, 'Starting…');
    showError(this.error, null);
    try {
      const reply = await this.actions.start(request);
      if (reply.ok) this.sheet.close();
      else if (reply.error.code === 'HOST_UNREACHABLE') showError(this.error, 'Your computer did not answer. Check that tether is still running there, then try again.');
      else showError(this.error, refusalText(reply.error));
    } finally {
      this.sending = false;
      this.startButton.disabled = !this.connected;
      setText(this.startButton, 'Start');
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
