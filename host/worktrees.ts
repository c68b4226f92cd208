/**
 * Git worktrees for sessions: each session started in worktree mode works in
 * `.tether/worktrees/<name>` on a new branch `tether/<name>` from HEAD. A folder held by a session of
 * this process is never handed out again (names that slug alike get `-2`, `-3`…) nor removed for
 * another session; stale entries are pruned or reused; removal refuses uncommitted changes unless
 * forced. Uses the git command line; every git failure is WORKTREE_FAILED. Worktree changes to one
 * repository run one at a time: git does not guard them against each other. So a slow git hook in that
 * repository makes the next worktree session's start wait for it (each git call has its own timeout).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TetherError } from '../protocol/errors.js';
import { slug } from './session-names.js';

const run = promisify(execFile);

/**
 * Worktree folders held by this process's sessions, claimed before the first await so two sessions
 * started at the same moment cannot pick the same one.
 */
const held = new Set<string>();

/**
 * The last worktree change queued per repository. Two `git worktree add` at once fail on each other's
 * half-written entry ("failed to read .git/worktrees/<name>/commondir"), and a `worktree prune` may
 * take such an entry for a stale one, so changes to one repository wait for the one before.
 */
const pending = new Map<string, Promise<unknown>>();

function oneAtATime<T>(repo: string, change: () => Promise<T>): Promise<T> {
  const previous = pending.get(repo) ?? Promise.resolve();
  const next = previous.then(change, change);
  const settled = next.catch(() => undefined);
  pending.set(repo, settled);
  void settled.then(() => {
    if (pending.get(repo) === settled) pending.delete(repo);
  });
  return next;
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, timeout: 30_000, maxBuffer: 8 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new TetherError('WORKTREE_FAILED', `git ${args[0]} failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`, { cause: err });
  }
}

/** The repository's top folder; throws NOT_A_REPOSITORY. */
export async function repositoryRoot(folder: string): Promise<string> {
  try {
    return (await git(folder, ['rev-parse', '--show-toplevel'])).trim();
  } catch (err) {
    throw new TetherError('NOT_A_REPOSITORY', `${folder} is not inside a git repository (--spawn worktree needs one): ${(err as Error).message}`);
  }
}

/** A created (or reused) worktree. */
export interface Worktree {
  path: string;
  branch: string;
}

/**
 * Creates `.tether/worktrees/<slug>` on branch `tether/<slug>` from HEAD, the first `<slug>`, `<slug>-2`…
 * that no session of this process holds; reuses a stale folder or branch. The folder stays held
 * until releaseWorktree or removeWorktree.
 */
export async function createWorktree(repo: string, name: string): Promise<Worktree> {
  const base = slug(name);
  let safe = base;
  for (let n = 2; held.has(join(repo, '.tether', 'worktrees', safe)); n++) safe = `${base}-${n}`;
  const path = join(repo, '.tether', 'worktrees', safe);
  const branch = `tether/${safe}`;
  held.add(path);
  try {
    return await oneAtATime(repo, () => addWorktree(repo, path, branch));
  } catch (err) {
    held.delete(path);
    throw new TetherError('WORKTREE_FAILED', `could not create the worktree for "${name}": ${(err as Error).message}`, { cause: err });
  }
}

async function addWorktree(repo: string, path: string, branch: string): Promise<Worktree> {
  // Forget worktrees whose folders were deleted by hand, so their names and branches are free again.
  await git(repo, ['worktree', 'prune']);
  const registered = (await git(repo, ['worktree', 'list', '--porcelain'])).split('\n').some((l) => l === `worktree ${path}`);
  if (registered && existsSync(path)) return { path, branch }; // a stale entry of the same name: reuse it
  if (existsSync(path)) throw new Error(`${path} exists and is not a worktree; move it away`);
  const branchExists = (await git(repo, ['branch', '--list', branch])).trim() !== '';
  // HEAD works detached too: the new branch starts at whatever commit is checked out.
  await git(repo, branchExists ? ['worktree', 'add', path, branch] : ['worktree', 'add', '-b', branch, path, 'HEAD']);
  await ensureIgnored(repo);
  return { path, branch };
}

/** A restored session holds `path` again (its server restarted). */
export function holdWorktree(path: string): void {
  held.add(path);
}

/** The session holding `path` is gone (the folder stays): a later session of the same name may reuse it. */
export function releaseWorktree(path: string): void {
  held.delete(path);
}

/** Keeps `.tether/` out of `git status` without touching the user's .gitignore. */
async function ensureIgnored(repo: string): Promise<void> {
  const exclude = join((await git(repo, ['rev-parse', '--git-common-dir'])).trim(), 'info', 'exclude');
  const absolute = exclude.startsWith('/') ? exclude : join(repo, exclude);
  const current = existsSync(absolute) ? await readFile(absolute, 'utf8') : '';
  if (!current.split('\n').includes('/.tether/')) {
    await mkdir(join(absolute, '..'), { recursive: true });
    await appendFile(absolute, `${current.endsWith('\n') || current === '' ? '' : '\n'}/.tether/\n`);
  }
}

/** True when the worktree has uncommitted changes (untracked files included). */
export async function isDirty(path: string): Promise<boolean> {
  try {
    return (await git(path, ['status', '--porcelain'])).trim() !== '';
  } catch (err) {
    throw new TetherError('WORKTREE_FAILED', `could not check ${path} for uncommitted changes: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Removes a worktree folder (the branch stays, with any commits) and releases it; refuses uncommitted
 * changes unless `force`.
 */
export async function removeWorktree(repo: string, path: string, force: boolean): Promise<void> {
  if (existsSync(path)) {
    if (!force && (await isDirty(path))) throw new TetherError('WORKTREE_DIRTY', `${path} has uncommitted changes; confirm to remove it anyway`);
    try {
      await oneAtATime(repo, () => git(repo, ['worktree', 'remove', ...(force ? ['--force'] : []), path]));
    } catch (err) {
      throw new TetherError('WORKTREE_FAILED', `could not remove ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  held.delete(path);
}
