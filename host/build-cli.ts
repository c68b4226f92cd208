/**
 * Bundles the compiled CLI (dist/host/main.js and what it imports, our code and the pure JavaScript
 * packages) into dist/cli/ with esbuild, one chunk per lazily loaded command. Node then opens a handful of
 * files at start instead of ~780 (measured: `tether --version` 420–500 ms unbundled, mostly resolving,
 * reading and compiling module files one by one). Packages with native addons, worker files or files
 * found at run time stay outside and load from node_modules as before.
 */
import { rm } from 'node:fs/promises';
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

/**
 * CommonJS packages inside an ES module bundle still expect `require`, `__filename` and `__dirname`
 * (write-file-atomic names its temporary files after __filename); each chunk defines them for itself.
 */
const COMMONJS_GLOBALS = [
  "import { createRequire as __tetherCreateRequire } from 'node:module';",
  "import { fileURLToPath as __tetherFileURLToPath } from 'node:url';",
  "import { dirname as __tetherDirname } from 'node:path';",
  'const require = __tetherCreateRequire(import.meta.url);',
  'const __filename = __tetherFileURLToPath(import.meta.url);',
  'const __dirname = __tetherDirname(__filename);',
].join('\n');

/** Writes dist/cli/ from dist/host/main.js (run after tsc); returns the entry's path. */
export async function buildCli(): Promise<string> {
  const root = packageRoot();
  const outDir = join(root, 'dist', 'cli');
  await rm(outDir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { tether: join(root, 'dist', 'host', 'main.js') },
    outdir: outDir,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    banner: { js: COMMONJS_GLOBALS },
    // Whitespace and syntax only: Node parses less at every start and keeps less source in memory (the
    // chunks shrink from 3.6 to 2.5 MB), while stack traces in bug reports keep their function names.
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return join(outDir, 'tether.js');
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
