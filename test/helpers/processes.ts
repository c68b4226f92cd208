/** Finds processes by a marker in their command line (tests check that nothing is left behind). */
import { execFileSync } from 'node:child_process';

/** `ps` lines of every process whose command line contains `marker`. */
export function processesMatching(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('ps -eo'));
}
