/**
 * `tether sessions [list|prune]`: what the state folder holds (each stored session with its state, last
 * activity and size; the total disk use) and removing what is no longer wanted. Sessions a live tether
 * process serves are never pruned. Names are printed through safeLine (they come from devices).
 */
import type { SessionsCommand } from './cli-args.js';
import { SessionStore } from './persist/session-store.js';
import { historyReport, pruneHistory } from './persist/retention.js';
import { safeLine } from '../client/terminal/safe-text.js';

/** Formats a byte count for people. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  if (s < 129_600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

/** Runs the command; resolves with the exit status. */
export async function runSessionsCommand(cmd: SessionsCommand, out: NodeJS.WritableStream): Promise<number> {
  const store = SessionStore.open(cmd.stateDir);
  try {
    if (cmd.action === 'prune') {
      const removed = await pruneHistory(store, { olderThanMs: cmd.olderThanMs, ids: cmd.ids, all: cmd.all });
      const missing = cmd.ids.filter((id) => !removed.includes(id));
      if (cmd.json) out.write(JSON.stringify({ event: 'pruned', removed, notRemoved: missing }) + '\n');
      else {
        out.write(`Removed ${removed.length} stored session${removed.length === 1 ? '' : 's'}.\n`);
        for (const id of missing) out.write(`Not removed: ${id} (unknown, or a running tether serves it)\n`);
      }
      return missing.length > 0 ? 1 : 0;
    }
    const report = historyReport(store);
    const now = Date.now();
    if (cmd.json) {
      out.write(JSON.stringify({
        event: 'sessions',
        stateDir: cmd.stateDir,
        storedBytes: report.storedBytes,
        fileBytes: report.fileBytes,
        sessions: report.sessions.map((s) => ({ id: s.id, name: s.name, kind: s.kind, origin: s.origin, folder: s.folder, state: s.live ? 'live' : s.state === 'running' ? 'interrupted' : s.state, lastActivity: s.lastActivity, bytes: s.bytes })),
      }) + '\n');
      return 0;
    }
    out.write(`Stored sessions in ${safeLine(cmd.stateDir)}: ${report.sessions.length}, ${formatBytes(report.storedBytes)} (store file ${formatBytes(report.fileBytes)})\n`);
    for (const s of report.sessions) {
      const state = s.live ? 'live' : s.state === 'running' ? 'interrupted' : s.state;
      out.write(`  ${s.id}  ${state.padEnd(11)}  ${ago(s.lastActivity, now).padEnd(8)}  ${formatBytes(s.bytes).padStart(9)}  ${safeLine(s.name)} (${s.kind}, ${s.origin}) ${safeLine(s.folder)}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
