/** Finding processes by a marker word in their command line, to prove nothing was left running. */
import { execFileSync } from 'node:child_process';

/** `ps` lines (pid and command line) of processes whose command line holds `marker` (this ps excluded). */
export function processesMatching(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('ps -eo'));
}
