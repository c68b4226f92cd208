/**
 * Shows one file edit from a tool call: the path (relative to the session's folder when inside it),
 * "+added −removed", and the changed lines in red and green with a little context. Long diffs show
 * their first lines and say how many more there are. The workspace shows a file's git diff with it too.
 */
import { diffStats, lineDiff, type DiffLine } from './line-diff.js';
import { element } from './dom.js';

/** Lines rendered before "… N more lines". */
const MAX_SHOWN_LINES = 400;

/** `path` relative to `cwd` when it is inside it. */
export function displayPath(path: string, cwd: string): string {
  if (cwd && path.startsWith(cwd.endsWith('/') ? cwd : `${cwd}/`)) return path.slice(cwd.length).replace(/^\/+/, '');
  return path;
}

/** Builds the element for one diff. */
export function diffView(diff: { path: string; oldText: string | null; newText: string }, cwd: string): HTMLElement {
  return diffLinesView(displayPath(diff.path, cwd), lineDiff(diff.oldText, diff.newText), { isNew: diff.oldText === null });
}

/**
 * Builds the element for a diff already split into lines (an edit's, or a file's in the workspace from
 * git): `note` says what is not shown (a cut diff), `empty` what to say when there are no lines.
 */
export function diffLinesView(path: string, lines: readonly DiffLine[], options: { isNew?: boolean; note?: string; empty?: string } = {}): HTMLElement {
  const { added, removed } = diffStats(lines);
  const figure = element('figure', 'diff');
  figure.setAttribute('aria-label', `Changes to ${path}`);
  const caption = element('figcaption', 'diff-head');
  caption.append(element('span', 'diff-path', path));
  if (options.isNew) caption.append(element('span', 'diff-new', 'new file'));
  const stat = element('span', 'diff-stat');
  stat.append(element('span', 'diff-added', `+${added}`), ' ', element('span', 'diff-removed', `−${removed}`));
  caption.append(stat);

  const body = element('div', 'diff-lines');
  for (const line of lines.slice(0, MAX_SHOWN_LINES)) {
    if (line.op === 'fold') {
      body.append(element('div', 'diff-line diff-fold', `⋯ ${line.count} unchanged line${line.count === 1 ? '' : 's'}`));
      continue;
    }
    const tag = line.op === 'del' ? 'del' : line.op === 'add' ? 'ins' : 'div';
    const row = element(tag, `diff-line diff-${line.op}`);
    row.append(element('span', 'diff-sign', line.op === 'del' ? '-' : line.op === 'add' ? '+' : ' '), element('span', 'diff-text', line.text));
    body.append(row);
  }
  if (lines.length > MAX_SHOWN_LINES) body.append(element('div', 'diff-line diff-fold', `… ${lines.length - MAX_SHOWN_LINES} more lines`));
  if (options.note) body.append(element('div', 'diff-line diff-fold', options.note));
  if (lines.length === 0) body.append(element('div', 'diff-line diff-fold', options.empty ?? 'No changes'));
  figure.append(caption, body);
  return figure;
}
