/**
 * Reads one file's unified diff (`git diff` output) into the lines the page's diff view draws: removed,
 * added and context lines, with the unchanged stretches between hunks as folds, and binary files named.
 */
import type * as z from '../../protocol/zod.js';
import type { DiffLineSchema } from '../../protocol/workspace.js';
import { MAX_DIFF_LINES, MAX_LINE_CHARS } from '../../protocol/workspace.js';

/** One line of a diff as sent to the page. */
export type DiffLine = z.infer<typeof DiffLineSchema>;

/** A file's diff, as the page shows it. */
export interface ParsedDiff {
  lines: DiffLine[];
  binary: boolean;
  /** git said the file is new (no old side). */
  isNew: boolean;
  /** More lines than MAX_DIFF_LINES (the rest is not sent). */
  truncated: boolean;
}

/** Cuts a line longer than the page shows. */
export function cutLine(text: string): string {
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Parses the diff of one file; `truncated`: the output was cut, so its last line may be partial and is dropped. */
export function parseUnifiedDiff(out: Buffer, truncated: boolean): ParsedDiff {
  const text = out.toString('utf8');
  const rows = text.split('\n');
  if (truncated || rows.at(-1) === '') rows.pop();
  const lines: DiffLine[] = [];
  let binary = false;
  let isNew = false;
  let inHunks = false;
  /** The next old-side line number not yet accounted for. */
  let nextOld = 1;
  let cut = truncated;
  for (const row of rows) {
    if (lines.length >= MAX_DIFF_LINES) {
      cut = true;
      break;
    }
    const hunk = HUNK.exec(row);
    if (hunk) {
      inHunks = true;
      const start = Number(hunk[1]);
      const length = hunk[2] === undefined ? 1 : Number(hunk[2]);
      // An empty old range "-5,0" sits after line 5.
      const first = length === 0 ? start + 1 : start;
      if (first > nextOld) lines.push({ op: 'fold', count: first - nextOld });
      nextOld = first + length;
      continue;
    }
    if (!inHunks) {
      if (row.startsWith('new file mode')) isNew = true;
      if (row.startsWith('Binary files ') || row === 'GIT binary patch') binary = true;
      continue;
    }
    const sign = row[0];
    if (sign === ' ') lines.push({ op: 'same', text: cutLine(row.slice(1)) });
    else if (sign === '-') lines.push({ op: 'del', text: cutLine(row.slice(1)) });
    else if (sign === '+') lines.push({ op: 'add', text: cutLine(row.slice(1)) });
    // '\ No newline at end of file' and anything else: not a line of the file.
  }
  return { lines, binary, isNew, truncated: cut };
}
