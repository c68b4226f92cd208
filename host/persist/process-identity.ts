/**
 * Names a process so that it can be recognised later by another process: its pid plus its start time
 * (from /proc), because a pid alone may have been reused by an unrelated process since.
 */
import { readFileSync } from 'node:fs';

/** A process, recognisable after a restart. */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); null where /proc is missing. */
  startTime: number | null;
}

/** The start time of `pid`, or undefined when no such process exists. */
function startTimeOf(pid: number): number | null | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return processExists(pid) ? null : undefined;
    throw err;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Identifies a running process (undefined when it is gone already). */
export function identify(pid: number): ProcessIdentity | undefined {
  const startTime = startTimeOf(pid);
  return startTime === undefined ? undefined : { pid, startTime };
}

/** True when the process named by `id` is still the one running under its pid. */
export function isAlive(id: ProcessIdentity): boolean {
  const now = startTimeOf(id.pid);
  if (now === undefined) return false;
  return id.startTime === null || now === null || now === id.startTime;
}

/** True when a process group led by `id` still has members (its leader may be gone). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
