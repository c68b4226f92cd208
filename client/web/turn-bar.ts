/**
 * The row above the prompt box: what the agent is doing (idle, working, waiting for approval, ended),
 * the mode switcher when the agent offers modes, and Stop — always within thumb reach while a turn
 * runs, a pending approval included.
 */
import { isTurnStatus, type AgentMode, type ConversationStatus } from '../../protocol/conversation-doc.js';
import { button, element, setText } from './dom.js';

const STATUS_LABEL: Record<ConversationStatus, string> = {
  starting: 'Starting…',
  idle: 'Idle',
  working: 'Working…',
  'awaiting-permission': 'Waiting for approval',
  'awaiting-answer': 'Waiting for your answer',
  ended: 'Ended',
};

/** What the bar's controls do. */
export interface TurnBarActions {
  /** Resolves once the host answered. */
  stop(): Promise<unknown>;
  /** Resolves true when the host switched the mode. */
  setMode(modeId: string): Promise<boolean>;
}

/** Status, mode and Stop. */
export class TurnBar {
  readonly element = element('div', 'turn-bar');
  private readonly status = element('span', 'agent-status');
  private readonly statusText = element('span', 'agent-status-text');
  private readonly mode = element('select', 'mode-select');
  private readonly stopButton = button('Stop', 'stop-button');
  private modesKey = '';
  private currentMode = '';
  private stopping = false;
  private enabled = true;
  private statusValue: ConversationStatus = 'starting';

  constructor(private readonly actions: TurnBarActions) {
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-label', 'Agent status');
    this.status.append(element('span', 'agent-status-dot'), this.statusText);
    this.mode.setAttribute('aria-label', 'Mode');
    this.mode.hidden = true;
    this.mode.addEventListener('change', () => this.changeMode());
    this.stopButton.hidden = true;
    this.stopButton.addEventListener('click', () => this.stop());
    const spacer = element('span', 'turn-bar-spacer');
    this.element.append(this.status, spacer, this.mode, this.stopButton);
    this.setStatus('starting');
  }

  setStatus(status: ConversationStatus): void {
    if (status !== this.statusValue) this.stopping = false;
    this.statusValue = status;
    this.status.dataset.status = status;
    setText(this.statusText, STATUS_LABEL[status]);
    this.stopButton.hidden = !isTurnStatus(status);
    this.renderStop();
  }

  /** The agent's modes; hidden when it offers none (or offers them as a setting: `asSetting`). */
  setModes(modes: AgentMode[], currentId: string | null, asSetting = false): void {
    const key = JSON.stringify(modes);
    if (key !== this.modesKey) {
      this.modesKey = key;
      this.mode.replaceChildren(
        ...modes.map((m) => {
          const option = element('option', undefined, m.name);
          option.value = m.id;
          if (m.description) option.title = m.description;
          return option;
        }),
      );
    }
    this.mode.hidden = modes.length === 0 || asSetting;
    this.currentMode = currentId ?? '';
    if (this.currentMode && this.mode.value !== this.currentMode) this.mode.value = this.currentMode;
  }

  /** Disables the controls (not connected, or the agent ended). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.mode.disabled = !enabled;
    this.renderStop();
  }

  private renderStop(): void {
    setText(this.stopButton, this.stopping ? 'Stopping…' : 'Stop');
    this.stopButton.setAttribute('aria-label', 'Stop');
    this.stopButton.disabled = this.stopping || !this.enabled;
  }

  private stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.renderStop();
    void this.actions.stop().then(() => {
      // The status change re-enables it; if the turn had already ended, nothing changes: re-enable now.
      this.stopping = false;
      this.renderStop();
    });
  }

  private changeMode(): void {
    const wanted = this.mode.value;
    void this.actions.setMode(wanted).then((ok) => {
      if (!ok && this.currentMode) this.mode.value = this.currentMode;
    });
  }
}
