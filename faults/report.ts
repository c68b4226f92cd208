/** The fault suite's table: runs, faults injected (by kind), lost, doubled, stuck, recovery p50/p99, memory. */
import type { RunResult } from './fault-run.js';

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Memory is back to baseline when the host's RSS after a run stays within this of the baseline... */
export const RSS_TOLERANCE_BYTES = 96 * 1024 * 1024;
/** ...where the baseline is the median after these first runs (allocators and caches settle first). */
const BASELINE_RUNS = 5;

/** The summary of a set of runs, as text. */
export function report(results: RunResult[]): string {
  const kinds = new Map<string, number>();
  for (const r of results) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  const sum = (f: (r: RunResult) => number): number => results.reduce((n, r) => n + f(r), 0);
  const rec = results.flatMap((r) => r.recoveries).sort((a, b) => a - b);
  const fmt = (ms: number | null): string => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
  const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
  /** One memory figure over the runs that recorded it: baseline, last, and runs past the tolerance. */
  const memory = (of: (r: RunResult) => number | undefined): string => {
    const values = results.map(of).filter((b): b is number => b !== undefined && b > 0);
    const first = values.slice(0, BASELINE_RUNS).sort((a, b) => a - b);
    const baseline = first[Math.floor(first.length / 2)] ?? 0;
    const over = values.slice(BASELINE_RUNS).filter((b) => b > baseline + RSS_TOLERANCE_BYTES).length;
    return `baseline ${mb(baseline)} (median of the first ${BASELINE_RUNS} runs), last ${mb(values.at(-1) ?? 0)}, runs over baseline + ${mb(RSS_TOLERANCE_BYTES)}: ${over}`;
  };
  const rows: Array<[string, string]> = [
    ['runs', String(results.length)],
    ['faults injected', `${results.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`],
    ['prompts sent', String(sum((r) => r.prompts))],
    ['lost', String(sum((r) => r.lost))],
    ['doubled', String(sum((r) => r.doubled))],
    ['stuck', String(sum((r) => r.stuck))],
    ['diverged replicas', String(sum((r) => r.diverged))],
    ['processes left behind', String(sum((r) => r.leftover))],
    ['host crashes', String(sum((r) => r.crashed ?? 0))],
    ['recovery p50 / p99', `${fmt(percentile(rec, 50))} / ${fmt(percentile(rec, 99))} (${rec.length} device recoveries, max ${fmt(rec.at(-1) ?? null)})`],
    ['host memory (RSS)', memory((r) => r.hostRssBytes)],
    // RSS also counts the session store's mapped pages the host touched; this part is the host's own.
    ['host memory (anonymous)', memory((r) => r.hostAnonBytes)],
    ...(results.some((r) => r.hostV8LiveBytes) ? [['host V8 live data (--probe)', memory((r) => r.hostV8LiveBytes)] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
