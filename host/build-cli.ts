/**
 * Bundles the compiled CLI (dist/host/main.js and what it imports, our code and the pure JavaScript
 * packages) with esbuild into one CommonJS file, dist/cli/tether.cjs, which bin/tether.js runs with a V8
 * code cache (host/code-cache.ts). Node then opens one file at start instead of ~780 (measured: `tether
 * --version` 420–500 ms unbundled, mostly resolving, reading and compiling module files one by one), and
 * from the second start on compiles nothing it compiled before. A command's modules are still evaluated
 * only when it imports them (esbuild wraps each lazily imported module in a function it calls on first
 * import). Packages with native addons, worker files or files found at run time stay outside and load from
 * node_modules as before. CommonJS because Node 20 can cache the code of a vm.Script, not of an ES module.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { packageRoot } from './package-paths.js';

/**
 * Loaded from node_modules, not bundled: native addons (node-datachannel, node-pty, lmdb and its msgpackr),
 * ws's optional native helpers, and what is only loaded on first use by a few commands (Redis, Web Push,
 * the ACP SDK): bundling those gains nothing. iconv-lite (express's body parsing) stays outside too: its
 * character set tables (~400 KB) are files it opens on first use, which in a bundle every start would
 * parse and keep in memory. pino is bundled: its worker files serve transports, which
 * tether does not use (it writes to stderr itself), and its ~20 module files cost every start a lookup each.
 */
const EXTERNAL = [
  'node-datachannel',
  '@lydell/node-pty',
  'lmdb',
  'koffi',
  'msgpackr',
  'iconv-lite',
  'bufferutil',
  'utf-8-validate',
  'ioredis',
  '@socket.io/redis-adapter',
  'web-push',
  '@agentclientprotocol/sdk',
];

/** import.meta.url in our modules (package-paths.ts finds the package root with it): the bundle's own URL. */
const IMPORT_META_URL = "const __tetherImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";

/** Writes dist/cli/tether.cjs from dist/host/main.js (run after tsc); returns its path. */
export async function buildCli(): Promise<string> {
  const root = packageRoot();
  const outDir = join(root, 'dist', 'cli');
  await rm(outDir, { recursive: true, force: true });
  const outfile = join(outDir, 'tether.cjs');
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'dist', 'host', 'main.js')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    define: { 'import.meta.url': '__tetherImportMetaUrl' },
    banner: { js: IMPORT_META_URL },
    // Whitespace and syntax only: Node parses less at every start and keeps less source in memory, while
    // stack traces in bug reports keep their function names.
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  // The bundle runs from a V8 code cache, where a dynamic import() of its own fails (package-import.ts):
  // any but importPackage's fallback is a build error, not a failure on a user's second start.
  const imports = (await readFile(outfile, 'utf8')).match(/(?<![\w$.])import\((?!specifier\))[^)]{0,60}/g) ?? [];
  if (imports.length > 0) throw new Error(`the CLI bundle imports modules dynamically (${imports.join('; ')}): use importPackage() from host/package-import.ts`);
  return outfile;
}

// Run when executed directly (`node dist/host/build-cli.js`), not when imported.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildCli().then(
    (entry) => console.log(`cli built: ${entry}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
