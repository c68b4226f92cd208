/**
 * The Changes tab of the workspace: a summary line (branch, ↑ahead ↓behind its upstream) and the changed
 * files with git's status letters (staged, then unstaged); a tap on a file shows its diff in the same diff
 * view as an edit waiting for approval. The sheet feeds it each status it polls, and it fetches the open
 * file's diff again whenever that file changes on disk.
 */
import type { ChangedFile, StatusLetter, WorkspaceDiff, WorkspaceStatus } from '../../protocol/workspace.js';
import { button, element, plural, srOnly } from './dom.js';
import { diffLinesView } from './diff-view.js';
import { icon } from './icons.js';

/** What each status letter means, for screen readers and tooltips. */
const LETTER_WORDS: Record<StatusLetter, string> = {
  M: 'modified',
  A: 'added',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type changed',
  U: 'in conflict',
  '?': 'untracked',
};

/** How a changed file reads aloud: "modified, not staged", "added, staged", "untracked". */
export function fileStateWords(f: ChangedFile): string {
  if (f.unstaged === '?') return 'untracked';
  const parts: string[] = [];
  if (f.staged) parts.push(`${LETTER_WORDS[f.staged]}, staged`);
  if (f.unstaged) parts.push(`${LETTER_WORDS[f.unstaged]}, not staged`);
  return parts.join('; ');
}

/** Control characters in a file name shown visibly (a name comes from disk; it must not disturb the page's text). */
export function visibleName(name: string): string {
  return name.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '\uFFFD');
}

/** A Back button: the arrow is decoration, the words are its name (what a voice user says). */
export function backButton(words: string): HTMLButtonElement {
  const b = button('', 'ws-back');
  const arrow = element('span', 'ws-back-arrow', '‹ ');
  arrow.setAttribute('aria-hidden', 'true');
  b.append(arrow, words);
  return b;
}

/** Asks the host for one file's diff. */
export type DiffFetcher = (path: string) => Promise<WorkspaceDiff>;

/** The Changes tab. */
export class WorkspaceChanges {
  readonly element = element('div', 'ws-changes');
  private readonly summary = element('p', 'ws-summary');
  private readonly list = element('ul', 'ws-files');
  private readonly detail = element('div', 'ws-detail');
  private status: WorkspaceStatus | null = null;
  /** The file whose diff is shown, and the stamp it had when fetched. */
  private open: { path: string; stamp: string | null } | null = null;
  private listKey = '';

  constructor(private readonly fetchDiff: DiffFetcher) {
    this.summary.setAttribute('role', 'status');
    this.list.setAttribute('aria-label', 'Changed files');
    this.detail.hidden = true;
    this.element.append(this.summary, this.list, this.detail);
  }

  /** Shows a status the sheet just received; refreshes the open diff when its file changed. */
  setStatus(status: WorkspaceStatus): void {
    this.status = status;
    this.renderSummary(status);
    this.renderList(status);
    if (this.open) {
      const now = status.git?.files.find((f) => f.path === this.open!.path)?.stamp ?? null;
      if (now !== this.open.stamp) void this.showDiff(this.open.path, now);
    }
  }

  /** Shows a plain reason instead of the changes (refused, offline). */
  setProblem(text: string): void {
    this.summary.textContent = text;
    this.list.replaceChildren();
    this.listKey = '';
  }

  private renderSummary(status: WorkspaceStatus): void {
    const git = status.git;
    if (!git) {
      this.summary.replaceChildren(element('span', 'ws-folder', status.folder), ` · ${status.reason ?? 'not a git repository'}`);
      return;
    }
    const branch = element('span', 'ws-branch');
    branch.append(icon('branch'), git.branch ?? `detached at ${git.commit ?? '?'}`);
    const parts: Array<Node | string> = [branch];
    if (git.upstream) {
      const ab = element('span', 'ws-ahead-behind', `↑${git.upstream.ahead} ↓${git.upstream.behind}`);
      ab.title = `${plural(git.upstream.ahead, 'commit')} ahead of ${git.upstream.name}, ${git.upstream.behind} behind`;
      parts.push(' ', ab, srOnly(`: ${git.upstream.ahead} ahead of ${git.upstream.name}, ${git.upstream.behind} behind`));
    } else {
      parts.push(element('span', 'ws-no-upstream', ' · no upstream'));
    }
    const count = git.files.length + git.more;
    parts.push(element('span', 'ws-count', ` · ${count === 0 ? 'no changes' : plural(count, 'changed file')}`));
    this.summary.replaceChildren(...parts);
  }

  private renderList(status: WorkspaceStatus): void {
    const files = status.git?.files ?? [];
    const key = JSON.stringify(files.map((f) => [f.path, f.staged, f.unstaged, f.from]));
    if (key === this.listKey) return;
    this.listKey = key;
    const items = files.map((f) => {
      const item = element('li', 'ws-file');
      const b = button('', 'ws-file-button');
      b.dataset.path = f.path;
      const letters = element('span', 'ws-letters');
      letters.setAttribute('aria-hidden', 'true');
      letters.title = fileStateWords(f);
      // Untracked reads '??', as in `git status --short`.
      letters.append(element('span', 'ws-staged', f.staged ?? (f.unstaged === '?' ? '?' : ' ')), element('span', 'ws-unstaged', f.unstaged ?? ' '));
      const name = element('span', 'ws-path', visibleName(f.path));
      b.append(letters, name, srOnly(`, ${fileStateWords(f)}${f.from ? `, from ${visibleName(f.from)}` : ''}`));
      b.addEventListener('click', () => void this.showDiff(f.path, f.stamp));
      item.append(b);
      return item;
    });
    if ((status.git?.more ?? 0) > 0) items.push(element('li', 'ws-more', `… and ${plural(status.git!.more, 'more file')}`));
    this.list.replaceChildren(...items);
  }

  /** Shows `path`'s diff (fetched now) in place of the list; Back returns to the list. */
  private async showDiff(path: string, stamp: string | null): Promise<void> {
    const first = this.open?.path !== path;
    this.open = { path, stamp };
    if (first) {
      const back = backButton('All changes');
      back.addEventListener('click', () => this.closeDiff());
      this.detail.replaceChildren(back, element('p', 'ws-loading', 'Loading…'));
      this.detail.hidden = false;
      this.summary.hidden = true;
      this.list.hidden = true;
      back.focus();
    }
    let view: HTMLElement;
    try {
      const diff = await this.fetchDiff(path);
      if (this.open?.path !== path) return;
      const note = diff.truncated ? 'The diff is longer: only its beginning is shown.' : undefined;
      view = diffLinesView(visibleName(diff.path), diff.lines, { isNew: diff.isNew, ...(note ? { note } : {}), empty: diff.binary ? 'Binary file — no diff shown' : 'No changes' });
    } catch (err) {
      if (this.open?.path !== path) return;
      view = element('p', 'ws-error', (err as Error).message);
    }
    this.detail.replaceChildren(this.detail.firstElementChild!, view);
  }

  private closeDiff(): void {
    const path = this.open?.path;
    this.open = null;
    this.detail.hidden = true;
    this.detail.replaceChildren();
    this.summary.hidden = false;
    this.list.hidden = false;
    if (path) this.list.querySelector<HTMLButtonElement>(`[data-path="${CSS.escape(path)}"]`)?.focus();
    if (this.status) this.renderSummary(this.status);
  }
}
