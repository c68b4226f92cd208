/**
 * A line diff of an edit's old and new text, for showing it as removed/added lines: common prefix and
 * suffix trimmed, then a longest-common-subsequence over the rest (bounded: past a size limit the
 * middle is shown as all removed then all added), with long unchanged runs folded to a few lines of
 * context around each change.
 */

/** One line of a diff, or a fold standing for `count` unchanged lines. */
export type DiffLine =
  | { op: 'same' | 'del' | 'add'; text: string }
  | { op: 'fold'; count: number };

/** Unchanged lines kept around each change. */
const CONTEXT = 3;
/** Fewest unchanged lines worth folding (a fold line in place of two lines hides nothing). */
const MIN_FOLD = 4;
/** Largest old×new middle compared line by line (the table takes this many cells). */
const MAX_LCS_CELLS = 2_000_000;

function lines(text: string): string[] {
  if (text === '') return [];
  const split = text.split('\n');
  if (split.at(-1) === '') split.pop(); // a final newline ends the last line; it does not start one
  return split;
}

/** Lines removed and added between `oldText` (null for a new file) and `newText`; empty when they are equal. */
export function lineDiff(oldText: string | null, newText: string): DiffLine[] {
  const a = lines(oldText ?? '');
  const b = lines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffLine[] = a.slice(0, start).map((text) => ({ op: 'same' as const, text }));
  out.push(...middle(a.slice(start, endA), b.slice(start, endB)));
  out.push(...a.slice(endA).map((text) => ({ op: 'same' as const, text })));
  if (start === a.length && start === b.length) return []; // nothing changed
  return fold(out);
}

/** LCS diff of two line lists (both already without common ends). */
function middle(a: string[], b: string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0 || n * m > MAX_LCS_CELLS) {
    return [...a.map((text) => ({ op: 'del' as const, text })), ...b.map((text) => ({ op: 'add' as const, text }))];
  }
  // table[i][j] = LCS length of a[i..] and b[j..], stored row-major in one typed array.
  const width = m + 1;
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j] ? table[(i + 1) * width + j + 1]! + 1 : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: 'same', text: a[i]! });
      i++;
      j++;
    } else if (table[(i + 1) * width + j]! >= table[i * width + j + 1]!) {
      out.push({ op: 'del', text: a[i++]! });
    } else {
      out.push({ op: 'add', text: b[j++]! });
    }
  }
  while (i < n) out.push({ op: 'del', text: a[i++]! });
  while (j < m) out.push({ op: 'add', text: b[j++]! });
  return out;
}

/** Folds unchanged runs longer than the context needs into one `fold` line. */
function fold(diff: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let i = 0;
  while (i < diff.length) {
    if (diff[i]!.op !== 'same') {
      out.push(diff[i++]!);
      continue;
    }
    let end = i;
    while (end < diff.length && diff[end]!.op === 'same') end++;
    const keepBefore = i === 0 ? 0 : CONTEXT; // context after the previous change
    const keepAfter = end === diff.length ? 0 : CONTEXT; // context before the next change
    const run = end - i;
    if (run - keepBefore - keepAfter >= MIN_FOLD) {
      out.push(...diff.slice(i, i + keepBefore));
      out.push({ op: 'fold', count: run - keepBefore - keepAfter });
      out.push(...diff.slice(end - keepAfter, end));
    } else {
      out.push(...diff.slice(i, end));
    }
    i = end;
  }
  return out;
}

/** How many lines were removed and added. */
export function diffStats(diff: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff) {
    if (line.op === 'add') added++;
    else if (line.op === 'del') removed++;
  }
  return { added, removed };
}
