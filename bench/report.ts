/** The benchmark report: one row per figure, printed as a table with the target beside it. */

/** One printed figure. `met` is null when there is no target or the figure could not be measured. */
export interface BenchRow {
  benchmark: string;
  figure: string;
  target: string;
  met: boolean | null;
}

/** What one benchmark hands back: its rows and any notes (findings, skipped parts, anomalies). */
export interface BenchResult {
  rows: BenchRow[];
  notes: string[];
}

function verdict(met: boolean | null): string {
  return met === null ? '' : met ? 'ok' : 'MISSED';
}

/** Formats rows as an aligned plain-text table. */
export function formatTable(rows: readonly BenchRow[]): string {
  const header: BenchRow = { benchmark: 'benchmark', figure: 'figure', target: 'target', met: null };
  const all = [header, ...rows];
  const w1 = Math.max(...all.map((r) => r.benchmark.length));
  const w2 = Math.max(...all.map((r) => r.figure.length));
  const w3 = Math.max(...all.map((r) => r.target.length));
  const line = (r: BenchRow, v: string): string =>
    `${r.benchmark.padEnd(w1)}  ${r.figure.padEnd(w2)}  ${r.target.padEnd(w3)}  ${v}`.trimEnd();
  const rule = '-'.repeat(w1 + w2 + w3 + 12);
  return [line(header, 'result'), rule, ...rows.map((r) => line(r, verdict(r.met)))].join('\n');
}
