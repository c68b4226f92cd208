/**
 * The top bar's Workspace button on a session's page (terminal or conversation): the workspace sheet's
 * code loads on the first tap, so a page that never opens it does not pay for it.
 */
import type { SessionClient } from '../core/session-client.js';
import { button } from './dom.js';
import { icon } from './icons.js';

/** The button; a tap opens the session's workspace sheet. */
export function workspaceButton(client: SessionClient): HTMLButtonElement {
  const b = button('', 'ws-open', 'Workspace');
  b.title = 'Workspace: what changed, and the files';
  b.append(icon('folder'));
  let sheet: Promise<{ open(): void }> | null = null;
  b.addEventListener('click', () => {
    sheet ??= import('./workspace-sheet.js').then(({ WorkspaceSheet }) => new WorkspaceSheet(client));
    sheet.then(
      (s) => s.open(),
      (err: unknown) => {
        // A chunk gone after an update: the next tap tries again (a reload brings the new build).
        sheet = null;
        console.error('tether: cannot load the workspace view', err);
      },
    );
  });
  return b;
}
