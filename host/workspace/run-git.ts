/**
 * Runs git for the workspace view: execFile (no shell), a timeout, bounded output, and settings that keep
 * it from disturbing the agent's work or running anything configured in the repository.
 */
import { execFile } from 'node:child_process';
import { TetherError } from '../../protocol/errors.js';

/** How long one git command may take. */
export const GIT_TIMEOUT_MS = 10_000;

/** What git wrote, and whether it was cut at `maxBytes`. */
export interface GitOutput {
  stdout: Buffer;
  /** git's exit code (0 unless `okCodes` allowed another). */
  code: number;
  truncated: boolean;
}

/**
 * Options that make git read-only and inert here: no optional locks (`git status` would otherwise take
 * the index lock to refresh it, from under the agent), no fsmonitor hook, no external diff or textconv
 * programs, no pager, no colour.
 */
const SAFE_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'core.untrackedCache=false', '-c', 'diff.external=', '-c', 'color.ui=false', '--no-pager'];

/**
 * Runs `git args` in `cwd`. Output past `maxBytes` is cut (truncated: true) rather than failing; any exit
 * code not in `okCodes`, a timeout or a missing git is GIT_FAILED with git's first error line.
 */
export function runGit(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv, maxBytes: number, okCodes: readonly number[] = [0]): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...SAFE_CONFIG, ...args],
      {
        cwd,
        encoding: 'buffer',
        maxBuffer: maxBytes,
        timeout: GIT_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        windowsHide: true,
        // Literal pathspecs: a file named '*' or ':(glob)x' is that file, not a pattern.
        env: { ...env, GIT_OPTIONAL_LOCKS: '0', GIT_LITERAL_PATHSPECS: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, code: 0, truncated: false });
        const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
        if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return resolve({ stdout: stdout.subarray(0, maxBytes), code: 0, truncated: true });
        if (typeof e.code === 'number' && okCodes.includes(e.code)) return resolve({ stdout, code: e.code, truncated: false });
        const why = e.code === 'ENOENT' ? 'git is not installed' : e.killed ? `git took longer than ${GIT_TIMEOUT_MS / 1000} s` : firstLine(stderr) || e.message;
        reject(new TetherError('GIT_FAILED', `git ${args[0] ?? ''}: ${why}`.slice(0, 300), { cause: err }));
      },
    );
  });
}

function firstLine(text: Buffer): string {
  return text.toString('utf8').split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}
