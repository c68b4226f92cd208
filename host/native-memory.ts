/**
 * The two libc calls that hand memory back to the system, which Node has no binding for: glibc's
 * `malloc_trim(0)` (free pages inside malloc's heaps) and `madvise(MADV_DONTNEED)` on a file's read-only
 * shared mapping (its pages stay in the page cache and come back on the next read). Called through koffi
 * (a maintained FFI library with prebuilt binaries: no compiler at install), loaded on first use. Where
 * there is no glibc (macOS, musl) or koffi has no binary, they do nothing and say so.
 */
import { readFileSync, statSync } from 'node:fs';
import { importPackage } from './package-import.js';

interface Libc {
  mallocTrim(pad: number): number;
  madvise(address: number, length: number, advice: number): number;
}

/** Linux's MADV_DONTNEED. */
const MADV_DONTNEED = 4;
const PAGE_BYTES = 4096;

let libc: Libc | null | undefined;

async function loadLibc(): Promise<Libc | null> {
  if (libc !== undefined) return libc;
  libc = null;
  if (process.platform !== 'linux') return libc;
  try {
    const koffi = (await importPackage<typeof import('koffi')>('koffi')).default;
    const lib = koffi.load('libc.so.6');
    const mallocTrim = lib.func('int malloc_trim(size_t pad)');
    // An address passed as an integer: the same register as a pointer in every Linux ABI koffi supports.
    const madvise = lib.func('int madvise(uintptr_t addr, size_t length, int advice)');
    libc = { mallocTrim: (pad) => mallocTrim(pad) as number, madvise: (a, l, advice) => madvise(a, l, advice) as number };
  } catch {
    // No glibc (musl has no malloc_trim) or no koffi binary for this machine: memory is kept, as before.
  }
  return libc;
}

/** glibc's malloc_trim(0): false where it is not available. */
export async function trimMallocHeap(): Promise<boolean> {
  const c = await loadLibc();
  if (!c) return false;
  c.mallocTrim(0);
  return true;
}

/**
 * Drops the resident pages of this process's read-only shared mappings of `file` (up to the file's size:
 * a store's map reserves far more), as found in /proc/self/maps. Only read-only shared mappings: their
 * pages are the page cache's, so a later read faults them back in unchanged. Returns the bytes advised
 * (0 for a file that is gone or not mapped), or null where it cannot be done.
 */
export async function dropFileMapping(file: string): Promise<number | null> {
  const c = await loadLibc();
  if (!c) return null;
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch {
    return 0;
  }
  let advised = 0;
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    // "start-end perms offset dev inode path"
    const m = /^([0-9a-f]+)-([0-9a-f]+) r--s [0-9a-f]+ \S+ \d+\s+(.*)$/.exec(line);
    if (!m || m[3] !== file) continue;
    const start = Number.parseInt(m[1]!, 16);
    const length = Math.min(Number.parseInt(m[2]!, 16) - start, Math.ceil(bytes / PAGE_BYTES) * PAGE_BYTES);
    if (length > 0 && c.madvise(start, length, MADV_DONTNEED) === 0) advised += length;
  }
  return advised;
}
