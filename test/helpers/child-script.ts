/**
 * Runs an ES module script (TypeScript imports allowed) in a fresh Node process with `gc()` exposed, and
 * returns the JSON its last output line printed: for measuring memory without the test runner's own heap
 * and buffers in the figures.
 */
import { execFileSync } from 'node:child_process';
import { packageRoot } from '../../host/package-paths.js';

/** `script` is run with `args` after it (its `process.argv` tail) and `nodeArgs` before it. */
export function runMeasuringScript<T>(script: string, args: string[] = [], nodeArgs: string[] = []): T {
  const out = execFileSync(process.execPath, ['--expose-gc', ...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', script, ...args], {
    cwd: packageRoot(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}
