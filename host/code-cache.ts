/**
 * Runs the CLI bundle (dist/cli/tether.cjs) with a V8 code cache, so a start does not compile the code it
 * runs again: measured on the 2-core machine, `remote-control` to its QR code ~100 ms sooner. Node 20 has
 * no compile cache of its own (`module.enableCompileCache` came with Node 22), so the bundle is CommonJS and
 * compiled here through `vm.Script`, whose code cache (bytecode of every function run so far) is written
 * a few seconds after a start that found none (or as it exits, if sooner) and read by the starts after it.
 *
 * Each command has its own cache (what `remote-control` compiles is not what `attach` does), for this
 * Node version and these command-line Node flags (V8 refuses a cache made with other V8 flags; flags in
 * NODE_OPTIONS are not in the key, so V8 flags there get the cache refused and written again). A cache
 * records the bundle's size and modification time and is used only for that very bundle (V8's own check
 * looks at the source's length alone). It lives beside the bundle (like Python's __pycache__), or in the
 * user's cache folder where the installation is not writable; anything wrong with it only means compiling
 * as before.
 * Imports only Node's own modules (and the one-line package-import.ts): this runs before anything else.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { PACKAGE_IMPORT } from './package-import.js';

/** How long after a start without a usable cache its code cache is written (startup is over by then). */
const WRITE_AFTER_MS = 3_000;
/** What the first line of a cache file says before its key. */
const MAGIC = 'tether-v8-cache 1';

/** The folders a cache may live in: beside the bundle, then the user's cache folder. */
function cacheFolders(bundle: string): string[] {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return [join(dirname(bundle), '.v8-cache'), join(base, 'tether', 'v8-cache')];
}

/** FNV-1a of a string, as 8 hex digits: a short, stable file name part (not a security check). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The cache's file name and the key its first line must hold for this start of `bundle`. */
function cacheIdentity(bundle: string, argv: string[]): { name: string; key: string } {
  const command = /^[a-z][a-z-]{0,30}$/.test(argv[0] ?? '') ? argv[0]! : 'other';
  const runtime = [process.version, process.arch, ...process.execArgv].join(' ');
  const { size, mtimeMs } = statSync(bundle);
  return { name: `${command}-${fnv1a(runtime)}.bin`, key: `${MAGIC} ${size} ${mtimeMs} ${runtime}` };
}

/** The cached bytecode for this key, if one of the folders has it. */
function readCache(folders: string[], name: string, key: string): Buffer | undefined {
  for (const folder of folders) {
    let file: Buffer;
    try {
      file = readFileSync(join(folder, name));
    } catch {
      continue;
    }
    const newline = file.indexOf(10);
    if (newline > 0 && file.toString('utf8', 0, newline) === key) return file.subarray(newline + 1);
  }
  return undefined;
}

/** Writes the cache into the first folder that takes it (whole or not at all: a temporary file, renamed). */
function writeCache(folders: string[], name: string, key: string, data: Buffer): void {
  for (const folder of folders) {
    const temporary = join(folder, `${name}.${process.pid}.tmp`);
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      // Key line and bytecode written one after the other: no third copy of the ~1.7 MB cache in memory.
      const fd = openSync(temporary, 'w', 0o600);
      try {
        // On a descriptor, writeFileSync writes at the current position until every byte is written.
        writeFileSync(fd, `${key}\n`);
        writeFileSync(fd, data);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, join(folder, name));
      return;
    } catch {
      // Not writable here (an installation owned by another user, a read-only or full disk): try the next.
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Nothing was written there, or nothing can be removed there either.
      }
    }
  }
}

/**
 * Compiles and runs the CommonJS `bundle` as a module, with the code cache when there is a good one.
 * Returns how: from the cache, compiled (its cache is written later), or with the cache turned off.
 */
export function runBundle(bundle: string, argv = process.argv.slice(2)): 'cached' | 'compiled' | 'off' {
  // The bundle imports its ES module packages through this (package-import.ts says why).
  (globalThis as Record<symbol, unknown>)[PACKAGE_IMPORT] = (specifier: string): Promise<unknown> => import(specifier);
  const require = createRequire(bundle);
  if (process.env.TETHER_NO_CODE_CACHE === '1') {
    require(bundle);
    return 'off';
  }
  let identity: { name: string; key: string } | null = null;
  let cachedData: Buffer | undefined;
  const folders = cacheFolders(bundle);
  try {
    identity = cacheIdentity(bundle, argv);
    cachedData = readCache(folders, identity.name, identity.key);
  } catch {
    // No cache then.
  }
  const source = readFileSync(bundle, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  const usable = cachedData !== undefined && !script.cachedDataRejected;
  if (!usable && identity) {
    const { name, key } = identity;
    let written = false;
    const write = (): void => {
      if (written) return;
      written = true;
      clearTimeout(timer);
      writeCache(folders, name, key, script.createCachedData());
    };
    // A host writes it once started; a command that ends sooner (or a host stopped at once), as it exits.
    // The cache's buffers (a few MB off V8's heap) are garbage right after the write, but a host at rest
    // might not collect for minutes, and glibc returns their memory only once they are freed: collected at
    // once where the CLI's flags expose gc (measured, AMD machine, one device at rest: 78.0 → 73.7 MiB).
    const timer = setTimeout(() => {
      write();
      setImmediate(() => (globalThis as { gc?: () => void }).gc?.());
    }, WRITE_AFTER_MS).unref();
    process.once('exit', write);
  }
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, require, module, bundle, dirname(bundle));
  return usable ? 'cached' : 'compiled';
}
