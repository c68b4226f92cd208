/**
 * File reads and writes confined to one folder (a session's), for an agent's ACP fs requests and the
 * workspace view's file browser. Every check is made on what was actually opened, not on a path looked
 * at earlier, so a symlink or a swapped folder cannot lead a request outside.
 */
import { constants, existsSync, type Dirent } from 'node:fs';
import { lstat, open, opendir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TetherError } from '../protocol/errors.js';

/** Linux names every open descriptor here; a directory's entry works like openat(2). */
const PROC_FD = '/proc/self/fd';
const HAS_PROC_FD = existsSync(PROC_FD);
const { O_RDONLY, O_WRONLY, O_CREAT, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

/** Which lines of a file to read: `line` is 1-based, `limit` counts lines. */
export interface LineRange {
  line?: number | null;
  limit?: number | null;
}

/** The first bytes of a file and its whole size. */
export interface FileHead {
  bytes: Buffer;
  size: number;
}

/** One entry of a folder as found on disk (symlinks are not followed). */
export interface FolderEntry {
  name: string;
  type: 'file' | 'dir' | 'link' | 'other';
  size?: number;
}

/** Reads and writes text files inside one folder, and nowhere else. */
export class SessionFiles {
  private constructor(
    /** The folder as given (an agent may use paths through it). */
    private readonly given: string,
    /** The folder's real path: every opened file must resolve below it. */
    readonly folder: string,
  ) {}

  /** Confines access to `folder` (resolved now: moving it later does not widen access). */
  static async open(folder: string): Promise<SessionFiles> {
    return new SessionFiles(resolve(folder), await realpath(folder));
  }

  /** Reads a text file; symlinks are followed only when the file they reach is inside. Throws PATH_OUTSIDE_SESSION. */
  async read(path: string, range: LineRange = {}): Promise<string> {
    const target = this.lexical(path);
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    const file = await open(target, O_RDONLY | O_NONBLOCK);
    let text: string;
    try {
      await this.verify(file, target, path);
      text = await file.readFile('utf8');
    } finally {
      await file.close();
    }
    if (range.line == null && range.limit == null) return text;
    const lines = text.split('\n');
    const from = Math.max(0, (range.line ?? 1) - 1);
    return lines.slice(from, range.limit == null ? undefined : from + range.limit).join('\n');
  }

  /**
   * The absolute path of `rel`, a `/`-separated path relative to the folder ('' is the folder itself) as a
   * device sends it. Refuses an absolute path and any `..` component outright (PATH_OUTSIDE_SESSION).
   */
  inside(rel: string): string {
    if (rel.startsWith('/') || isAbsolute(rel) || /^[A-Za-z]:/.test(rel)) throw this.outside(rel, 'the path must be relative to the session folder');
    const parts = rel.split(/[/\\]/).filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw this.outside(rel, 'it contains ..');
    return parts.length === 0 ? this.folder : join(this.folder, ...parts);
  }

  /** The first `maxBytes` bytes of a regular file inside the folder, and its size. Throws PATH_OUTSIDE_SESSION. */
  async readHead(path: string, maxBytes: number): Promise<FileHead> {
    const target = path === this.folder ? path : this.lexical(path);
    const file = await open(target, O_RDONLY | O_NONBLOCK);
    try {
      await this.verify(file, target, path);
      const size = (await file.stat()).size;
      const bytes = Buffer.alloc(Math.min(size, maxBytes));
      let filled = 0;
      while (filled < bytes.length) {
        const { bytesRead } = await file.read(bytes, filled, bytes.length - filled, filled);
        if (bytesRead === 0) break; // the file shrank while being read
        filled += bytesRead;
      }
      return { bytes: bytes.subarray(0, filled), size };
    } finally {
      await file.close();
    }
  }

  /**
   * The entries of a folder inside the folder (or of the folder itself), folders first, at most `max` of them, and how
   * many there are in all. The folder opened must resolve inside; entries are reported as found (a
   * symlink is a `link`, whatever it points to). Throws PATH_OUTSIDE_SESSION.
   */
  async list(path: string, max: number): Promise<{ entries: FolderEntry[]; total: number }> {
    const target = path === this.folder ? path : this.lexical(path);
    const dir = await open(target, O_RDONLY | O_DIRECTORY);
    try {
      const real = await this.realPathOf(dir, target);
      if (!this.contains(real, true)) throw this.outside(path, `it resolves to ${real}`);
      // Through /proc the very folder just checked is read, not the path looked up again.
      const at = HAS_PROC_FD ? join(PROC_FD, String(dir.fd)) : real;
      const { first, total } = await firstEntries(at, max);
      const entries: FolderEntry[] = [];
      for (const d of first) {
        const type = d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'link' : d.isFile() ? 'file' : 'other';
        const entry: FolderEntry = { name: d.name, type };
        if (type === 'file') {
          // Gone since it was listed: listed without a size.
          const info = await lstat(join(at, d.name)).catch(() => null);
          if (info) entry.size = info.size;
        }
        entries.push(entry);
      }
      return { entries, total };
    } finally {
      await dir.close();
    }
  }

  /**
   * Creates or replaces a text file. The last component must not be a symlink (even a dangling one);
   * the folder it goes in must be inside. Throws PATH_OUTSIDE_SESSION.
   */
  async write(path: string, content: string): Promise<void> {
    const target = this.lexical(path);
    const dir = await open(dirname(target), O_RDONLY | O_DIRECTORY);
    let file: FileHandle;
    try {
      const dirPath = await this.realPathOf(dir, dirname(target));
      if (!this.contains(dirPath, true)) throw this.outside(path, `its folder resolves to ${dirPath}`);
      // Through /proc the name is looked up in the very folder just checked (openat), not by path again.
      const at = HAS_PROC_FD ? join(PROC_FD, String(dir.fd), basename(target)) : join(dirPath, basename(target));
      // No O_TRUNC: nothing is changed until the opened file is known to be inside.
      file = await open(at, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o666).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'ELOOP' || err.code === 'EMLINK' ? this.outside(path, 'it is a symbolic link') : err;
      });
    } finally {
      await dir.close();
    }
    try {
      await this.verify(file, target, path, true);
      await file.truncate(0);
      await file.writeFile(content, 'utf8');
    } finally {
      await file.close();
    }
  }

  /** The absolute, `..`-free form of `path`, refused unless it lies below the folder. */
  private lexical(path: string): string {
    if (!isAbsolute(path)) throw this.outside(path, 'the path must be absolute');
    const target = resolve(path);
    const below = (base: string): boolean => {
      const rel = relative(base, target);
      return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
    };
    if (!below(this.folder) && !below(this.given)) throw this.outside(path);
    return target;
  }

  /** Refuses an opened file that is not a regular file below the folder. */
  private async verify(file: FileHandle, target: string, path: string, forWriting = false): Promise<void> {
    const info = await file.stat();
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    // A second hard link may name a file outside; writing would change that file too.
    if (forWriting && info.nlink > 1) throw this.outside(path, 'it has other hard links');
    const real = await this.realPathOf(file, target);
    if (!this.contains(real, false)) throw this.outside(path, `it resolves to ${real}`);
  }

  /**
   * Where an open descriptor really is. Linux: read from /proc. Elsewhere: the real path of `path`,
   * accepted only if it is the same file (device and inode) as the one opened.
   */
  private async realPathOf(handle: FileHandle, path: string): Promise<string> {
    if (HAS_PROC_FD) return realpath(join(PROC_FD, String(handle.fd)));
    const real = await realpath(path);
    const [opened, named] = await Promise.all([handle.stat(), stat(real)]);
    if (opened.dev !== named.dev || opened.ino !== named.ino) throw this.outside(path, 'it changed while being opened');
    return real;
  }

  private contains(real: string, orSelf: boolean): boolean {
    if (real === this.folder) return orSelf;
    return real.startsWith(this.folder.endsWith(sep) ? this.folder : this.folder + sep);
  }

  private outside(path: string, why?: string): TetherError {
    return new TetherError('PATH_OUTSIDE_SESSION', `${path} is outside the session folder${why ? ` (${why})` : ''}`);
  }
}

/** Folders first, then by name: the first entries in this order are the ones a person would look at first. */
function folderOrder(a: Dirent, b: Dirent): number {
  return Number(b.isDirectory()) - Number(a.isDirectory()) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * The first `max` entries of a folder in folderOrder, and how many it has. Read as a stream and pruned as
 * it goes, so a folder of a million files costs the memory of a few thousand entries, not of all of them.
 */
async function firstEntries(path: string, max: number): Promise<{ first: Dirent[]; total: number }> {
  let kept: Dirent[] = [];
  let total = 0;
  for await (const entry of await opendir(path, { bufferSize: 256 })) {
    total++;
    kept.push(entry);
    if (kept.length >= 2 * max + 64) kept = kept.sort(folderOrder).slice(0, max);
  }
  return { first: kept.sort(folderOrder).slice(0, max), total };
}
