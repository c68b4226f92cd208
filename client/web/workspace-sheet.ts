/**
 * The workspace sheet of a session: what the agent changed in its folder (Changes) and a read-only file
 * browser (Files). While the sheet is open on a visible page it asks the host for the folder's git status
 * every POLL_MS, one request at a time — git status is cheap and the host shares one run among devices —
 * so the list and an open diff follow the agent live; nothing is asked while it is closed.
 */
import type { SessionClient } from '../core/session-client.js';
import type { IntentBody } from '../../protocol/messages.js';
import type { WorkspaceDiff, WorkspaceFile, WorkspaceList, WorkspaceResult, WorkspaceStatus } from '../../protocol/workspace.js';
import { Sheet } from './sheet.js';
import { button, element } from './dom.js';
import { WorkspaceChanges } from './workspace-changes.js';
import { WorkspaceFiles } from './workspace-files.js';

/** How often the open sheet asks for the status. */
export const POLL_MS = 2000;

/** A refusal or failure in the words a person reads. */
function problemWords(code: string, message: string): string {
  if (code === 'FORBIDDEN_ROLE') return 'Only the owner\'s devices can see this session\'s files: a folder can hold secrets such as .env files. Ask the computer\'s owner for an owner link.';
  if (code === 'OFFLINE' || code === 'HOST_UNREACHABLE' || code === 'PEER_CLOSED') return 'Not connected to your computer: the workspace shows again once it is back.';
  if (code === 'PATH_OUTSIDE_SESSION') return 'That leads outside the session\'s folder, so it is not shown.';
  return `${message} (${code})`;
}

/** The sheet, built once per page. */
export class WorkspaceSheet {
  private readonly sheet = new Sheet('Workspace');
  private readonly changes: WorkspaceChanges;
  private readonly files: WorkspaceFiles;
  private readonly tabs: Record<'changes' | 'files', HTMLButtonElement>;
  private readonly panels: Record<'changes' | 'files', HTMLElement>;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private polling = false;
  private folder = '';

  constructor(private readonly client: SessionClient) {
    this.sheet.dialog.classList.add('ws-sheet');
    this.changes = new WorkspaceChanges((path) => this.ask<WorkspaceDiff>({ type: 'workspace-diff', path }));
    this.files = new WorkspaceFiles(
      {
        list: (path) => this.ask<WorkspaceList>({ type: 'workspace-list', path }),
        read: (path) => this.ask<WorkspaceFile>({ type: 'workspace-read', path }),
      },
      () => this.folder,
    );

    const close = button('Close', 'ws-close');
    close.addEventListener('click', () => this.sheet.close());
    const title = this.sheet.body.querySelector('.sheet-title')!;
    const head = element('div', 'ws-head');
    title.replaceWith(head);
    head.append(title, close);

    const tablist = element('div', 'ws-tabs');
    tablist.setAttribute('role', 'tablist');
    tablist.setAttribute('aria-label', 'Workspace views');
    this.tabs = { changes: button('Changes', 'ws-tab'), files: button('Files', 'ws-tab') };
    this.panels = { changes: this.changes.element, files: this.files.element };
    for (const key of ['changes', 'files'] as const) {
      const tab = this.tabs[key];
      const panel = this.panels[key];
      tab.id = `ws-tab-${key}`;
      panel.id = `ws-panel-${key}`;
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-controls', panel.id);
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', tab.id);
      panel.classList.add('ws-panel');
      tab.addEventListener('click', () => this.select(key));
      tablist.append(tab);
    }
    // Arrow keys move between the tabs (the ARIA tabs pattern).
    tablist.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      const next = this.tabs.changes.getAttribute('aria-selected') === 'true' ? 'files' : 'changes';
      this.select(next);
      this.tabs[next].focus();
    });
    this.sheet.body.append(tablist, this.panels.changes, this.panels.files);
    this.select('changes');

    this.sheet.onClose(() => this.stop());
    document.addEventListener('visibilitychange', () => {
      if (this.sheet.isOpen && document.visibilityState === 'visible') this.poll();
    });
    client.on('state', (state) => {
      if (state === 'live' && this.sheet.isOpen) this.poll();
    });
  }

  /** Opens the sheet and starts following the folder. */
  open(): void {
    this.sheet.open();
    this.poll();
  }

  private select(key: 'changes' | 'files'): void {
    for (const k of ['changes', 'files'] as const) {
      const on = k === key;
      this.tabs[k].setAttribute('aria-selected', String(on));
      this.tabs[k].tabIndex = on ? 0 : -1;
      this.panels[k].hidden = !on;
    }
    if (key === 'files') this.files.show();
  }

  /** Asks for the status now, then again POLL_MS after each answer while the sheet is open and visible. */
  private poll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.polling || !this.sheet.isOpen || document.visibilityState !== 'visible') return;
    this.polling = true;
    this.ask<WorkspaceStatus>({ type: 'workspace-status' })
      .then(
        (status) => {
          this.folder = status.folder;
          this.changes.setStatus(status);
        },
        (err: unknown) => this.changes.setProblem((err as Error).message),
      )
      .finally(() => {
        this.polling = false;
        if (this.sheet.isOpen) this.timer = setTimeout(() => this.poll(), POLL_MS);
      });
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Sends a workspace intent; resolves with its result or rejects with the words to show. */
  private async ask<T extends WorkspaceResult>(body: IntentBody): Promise<T> {
    const reply = await this.client.sendIntent(body, { timeoutMs: 20_000 });
    if (!reply.ok) throw new Error(problemWords(reply.error.code, reply.error.message));
    if (!reply.result) throw new Error('The computer runs an older tether without the workspace view.');
    return reply.result as T;
  }
}
