/**
 * Answers a device's workspace intents for one session's folder (or its worktree): the git state, a
 * file's diff, a folder's entries, a file's text — read only, confined to the folder as the agent's
 * file access is (SessionFiles), with git run bounded (run-git.ts) and at most a few requests at a time.
 */
import { lstat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { TetherError } from '../../protocol/errors.js';
import type { Role } from '../../protocol/roles.js';
import {
  MAX_DIFF_LINES,
  MAX_DIR_ENTRIES,
  MAX_FILE_BYTES,
  type GitState,
  type WorkspaceDiff,
  type WorkspaceFile,
  type WorkspaceIntent,
  type WorkspaceList,
  type WorkspaceResult,
  type WorkspaceStatus,
} from '../../protocol/workspace.js';
import { SessionFiles } from '../session-files.js';
import { runGit } from './run-git.js';
import { MAX_STATUS_BYTES, parseStatus, STATUS_ARGS } from './git-status.js';
import { cutLine, parseUnifiedDiff } from './unified-diff.js';

/** Requests running at once for one session; more wait, up to MAX_WAITING. */
const MAX_RUNNING = 2;
const MAX_WAITING = 8;
/** Most bytes of `git diff` output read for one file. */
const MAX_DIFF_BYTES = 1024 * 1024;
/** Bytes looked at to tell a binary file (git's own rule: a NUL in the first 8000). */
const BINARY_SNIFF_BYTES = 8000;

/** True when `bytes` look binary. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** The workspace of one session. */
export class Workspace {
  private files: Promise<SessionFiles> | null = null;
  /** The folder's path inside its repository ('' at the top), once known; null: not known to be in one. */
  private prefix: string | null = null;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** A status being computed: devices polling at once share it. */
  private status: Promise<WorkspaceStatus> | null = null;

  constructor(
    /** The session's folder or worktree. */
    readonly folder: string,
    private readonly env: NodeJS.ProcessEnv,
    /** The least role that may see it (policy workspaceRole; owner by default: a folder holds files like .env). */
    readonly role: Role,
    private readonly log: Logger,
  ) {}

  /** Answers one valid, permitted intent; throws a TetherError for the device. */
  answer(intent: WorkspaceIntent): Promise<WorkspaceResult> {
    if (intent.type === 'workspace-status') {
      this.status ??= this.gated(() => this.readStatus()).finally(() => (this.status = null));
      return this.status;
    }
    if (intent.type === 'workspace-diff') return this.gated(() => this.diff(intent.path));
    if (intent.type === 'workspace-list') return this.gated(() => this.list(intent.path));
    return this.gated(() => this.read(intent.path));
  }

  /** Runs `job` when fewer than MAX_RUNNING run; WORKSPACE_BUSY when too many wait already. */
  private async gated<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= MAX_RUNNING) {
      if (this.waiting.length >= MAX_WAITING) throw new TetherError('WORKSPACE_BUSY');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await job();
    } catch (err) {
      throw this.forDevice(err);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** What a device is told about a failure: coded errors as they are, a file system error as FILE_UNREADABLE. */
  private forDevice(err: unknown): TetherError {
    if (err instanceof TetherError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new TetherError('FILE_UNREADABLE', 'no such file or folder');
    if (code === 'ENOTDIR') return new TetherError('FILE_UNREADABLE', 'not a folder');
    if (code === 'EISDIR') return new TetherError('FILE_UNREADABLE', 'a folder, not a file');
    if (code === 'EACCES' || code === 'EPERM') return new TetherError('FILE_UNREADABLE', 'permission denied');
    if (err instanceof Error && / is not a regular file$/.test(err.message)) return new TetherError('FILE_UNREADABLE', 'not a regular file');
    this.log.warn({ err }, 'workspace request failed');
    return new TetherError('FILE_UNREADABLE', code ? `cannot read it (${code})` : undefined);
  }

  private sessionFiles(): Promise<SessionFiles> {
    this.files ??= SessionFiles.open(this.folder).catch((err: unknown) => {
      this.files = null;
      throw err;
    });
    return this.files;
  }

  private git(args: readonly string[], maxBytes: number, okCodes?: readonly number[]): ReturnType<typeof runGit> {
    return runGit(this.folder, args, this.env, maxBytes, okCodes);
  }

  /** The folder's path in its repository, or null when it is in none. */
  private async repoPrefix(): Promise<string | null> {
    if (this.prefix !== null) return this.prefix;
    const out = await this.git(['rev-parse', '--is-inside-work-tree', '--show-prefix'], 64 * 1024, [128]);
    const [inside, prefix] = out.stdout.toString('utf8').split('\n');
    if (out.code !== 0 || inside !== 'true') return null;
    this.prefix = prefix ?? '';
    return this.prefix;
  }

  private async readStatus(): Promise<WorkspaceStatus> {
    const folder = basename(this.folder);
    const prefix = await this.repoPrefix();
    if (prefix === null) return { kind: 'status', folder, git: null, reason: 'not a git repository' };
    const out = await this.git(STATUS_ARGS, MAX_STATUS_BYTES, [128]);
    if (out.code !== 0) {
      // The repository went away (the agent removed .git): ask again next time.
      this.prefix = null;
      return { kind: 'status', folder, git: null, reason: 'not a git repository' };
    }
    const parsed = parseStatus(out.stdout, prefix, out.truncated);
    const files = await Promise.all(parsed.files.map(async (f) => ({ ...f, stamp: await this.stamp(f.path) })));
    const git: GitState = { ...parsed, files };
    return { kind: 'status', folder, git };
  }

  /** Size and modification time of a changed file, so a page knows when its diff changed (no content read). */
  private async stamp(path: string): Promise<string> {
    try {
      const files = await this.sessionFiles();
      const info = await lstat(files.inside(path));
      return `${info.size}:${Math.trunc(info.mtimeMs * 1000)}`.slice(0, 64);
    } catch (err) {
      // Deleted files have no stamp; a path git gives that this host refuses is just not followed.
      return err instanceof TetherError ? 'outside' : 'gone';
    }
  }

  private async diff(path: string): Promise<WorkspaceDiff> {
    const files = await this.sessionFiles();
    const absolute = files.inside(path);
    if ((await this.repoPrefix()) === null) throw new TetherError('GIT_FAILED', 'the session folder is not a git repository');
    const base = await this.baseCommit();
    const rel = absolute === files.folder ? '.' : absolute.slice(files.folder.length + 1);
    const out = await this.git(['diff', '--no-color', '--no-ext-diff', '--no-textconv', '--find-renames', base, '--', rel], MAX_DIFF_BYTES);
    const parsed = parseUnifiedDiff(out.stdout, out.truncated);
    if (out.stdout.length === 0 && !(await this.tracked(rel))) return this.untrackedDiff(files, absolute, path);
    return { kind: 'diff', path, ...parsed };
  }

  /** HEAD, or the empty tree before the first commit (everything staged is then new). */
  private async baseCommit(): Promise<string> {
    const head = await this.git(['rev-parse', '-q', '--verify', 'HEAD^{commit}'], 1024, [1, 128]);
    if (head.code === 0) return 'HEAD';
    const empty = await this.git(['hash-object', '-t', 'tree', '/dev/null'], 1024);
    return empty.stdout.toString('utf8').trim();
  }

  private async tracked(rel: string): Promise<boolean> {
    const out = await this.git(['ls-files', '-z', '--', rel], 64 * 1024);
    return out.stdout.length > 0;
  }

  /** An untracked file's diff: every line added (read through the confinement, like the file browser). */
  private async untrackedDiff(files: SessionFiles, absolute: string, path: string): Promise<WorkspaceDiff> {
    const head = await files.readHead(absolute, MAX_FILE_BYTES);
    if (looksBinary(head.bytes)) return { kind: 'diff', path, isNew: true, binary: true, lines: [], truncated: false };
    const text = head.bytes.toString('utf8').split('\n');
    if (text.at(-1) === '') text.pop();
    const lines = text.slice(0, MAX_DIFF_LINES).map((t) => ({ op: 'add' as const, text: cutLine(t) }));
    return { kind: 'diff', path, isNew: true, binary: false, lines, truncated: text.length > MAX_DIFF_LINES || head.size > head.bytes.length };
  }

  private async list(path: string): Promise<WorkspaceList> {
    const files = await this.sessionFiles();
    const { entries, total } = await files.list(files.inside(path), MAX_DIR_ENTRIES);
    // A name longer than a device may send back could not be opened: left out, and counted.
    const kept = entries.filter((e) => e.name.length <= 1024);
    return { kind: 'list', path, entries: kept, more: total - kept.length };
  }

  private async read(path: string): Promise<WorkspaceFile> {
    const files = await this.sessionFiles();
    const head = await files.readHead(files.inside(path), MAX_FILE_BYTES);
    const binary = looksBinary(head.bytes);
    let text = binary ? '' : head.bytes.toString('utf8');
    // Decoding never makes more characters than bytes, but a cut multi-byte character becomes U+FFFD.
    if (text.length > MAX_FILE_BYTES) text = text.slice(0, MAX_FILE_BYTES);
    return { kind: 'file', path, size: head.size, binary, text, truncated: head.size > head.bytes.length };
  }
}
