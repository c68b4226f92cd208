/**
 * The git state of one folder, from `git status --porcelain=v2 --branch -z`: branch, upstream with
 * ahead/behind, and the changed files below the folder with their staged and unstaged letters.
 */
import type { ChangedFile, GitState, StatusLetter } from '../../protocol/workspace.js';
import { MAX_STATUS_FILES, MAX_WORKSPACE_PATH_CHARS, StatusLetterSchema } from '../../protocol/workspace.js';

/** What `git status` says, before each file is stamped. */
export type ParsedStatus = Omit<GitState, 'files'> & { files: Array<Omit<ChangedFile, 'stamp'>> };

/** Most bytes of `git status` output read (a few thousand files' worth). */
export const MAX_STATUS_BYTES = 1024 * 1024;

/** The arguments of the status command: every untracked file below the folder (`.`), submodules' insides ignored. */
export const STATUS_ARGS = ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all', '--ignore-submodules=dirty', '--', '.'] as const;

function letter(c: string | undefined): StatusLetter | null {
  if (c === undefined || c === '.') return null;
  const parsed = StatusLetterSchema.safeParse(c);
  // A letter this version does not know: shown as modified rather than dropped.
  return parsed.success ? parsed.data : 'M';
}

/** Cuts a path too long to be asked about again (it is still listed). */
function bounded(path: string): string {
  return path.length > MAX_WORKSPACE_PATH_CHARS * 4 ? path.slice(0, MAX_WORKSPACE_PATH_CHARS * 4) : path;
}

/**
 * Parses porcelain v2 output (NUL-separated records). `prefix` is the folder's path inside the repository
 * (`git rev-parse --show-prefix`): paths are given relative to the folder. `truncated`: the output was cut,
 * so its last record may be partial and is dropped.
 */
export function parseStatus(out: Buffer, prefix: string, truncated: boolean): ParsedStatus {
  const records = out.toString('utf8').split('\0');
  if (truncated || records.at(-1) === '') records.pop();
  let branch: string | null = null;
  let commit: string | null = null;
  let upstreamName: string | null = null;
  let ahead = 0;
  let behind = 0;
  const files: ParsedStatus['files'] = [];
  let more = 0;
  const rel = (p: string): string => bounded(prefix && p.startsWith(prefix) ? p.slice(prefix.length) : p);
  const add = (file: Omit<ChangedFile, 'stamp'>): void => {
    if (files.length < MAX_STATUS_FILES) files.push(file);
    else more++;
  };
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.startsWith('# ')) {
      const [, key, ...rest] = r.split(' ');
      const value = rest.join(' ');
      if (key === 'branch.oid') commit = value === '(initial)' ? null : value.slice(0, 12);
      else if (key === 'branch.head') branch = value === '(detached)' ? null : value.slice(0, 255);
      else if (key === 'branch.upstream') upstreamName = value.slice(0, 255);
      else if (key === 'branch.ab') {
        const m = /^\+(\d+) -(\d+)$/.exec(value);
        if (m) {
          ahead = Number(m[1]);
          behind = Number(m[2]);
        }
      }
      continue;
    }
    const kind = r[0];
    if (kind === '?') {
      add({ path: rel(r.slice(2)), staged: null, unstaged: '?' });
    } else if (kind === '1' || kind === 'u') {
      // 1 XY sub mH mI mW hH hI path · u XY sub m1 m2 m3 mW h1 h2 h3 path
      const fields = kind === '1' ? 8 : 10;
      const parts = r.split(' ');
      const xy = parts[1] ?? '..';
      add({ path: rel(parts.slice(fields).join(' ')), staged: kind === 'u' ? 'U' : letter(xy[0]), unstaged: kind === 'u' ? 'U' : letter(xy[1]) });
    } else if (kind === '2') {
      // 2 XY sub mH mI mW hH hI Xscore path, then the original path as the next record
      const parts = r.split(' ');
      const xy = parts[1] ?? '..';
      const from = records[++i];
      add({ path: rel(parts.slice(9).join(' ')), staged: letter(xy[0]), unstaged: letter(xy[1]), ...(from !== undefined ? { from: rel(from) } : {}) });
    }
  }
  return { branch, commit, upstream: upstreamName === null ? null : { name: upstreamName, ahead, behind }, files, more };
}
