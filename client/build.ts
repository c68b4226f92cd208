/**
 * Builds the browser app into dist/client/web: app.js (client/web/main.ts bundled with esbuild),
 * app.css (our styles plus xterm's) and index.html, whose asset URLs carry a content hash so a
 * cached old bundle is never paired with a new host. Run by `npm run build` after tsc.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

/** Browsers the bundle must run in: recent phones and desktops. */
const BROWSER_TARGETS = ['chrome100', 'safari15', 'firefox100', 'edge100'];

/**
 * The package root, found from this file's own location so the build works from any cwd, whether it
 * runs compiled (dist/client/build.js) or from source (client/build.ts).
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'client', 'web', 'main.ts'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('client/build: cannot find the tether package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** The browser must get the npm `events` package (simple-peer, readable-stream and our client rely on it). */
function assertBundledFromNpm(metafile: Metafile, pkg: string): void {
  const marker = `node_modules/${pkg}/`;
  if (!Object.keys(metafile.inputs).some((p) => p.replaceAll('\\', '/').includes(marker))) {
    throw new Error(`client/build: the browser bundle does not include the npm package "${pkg}"`);
  }
}

function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Bundles the app and writes index.html; returns the output folder. */
export async function buildClient(): Promise<string> {
  const root = packageRoot();
  const webSrc = join(root, 'client', 'web');
  const outDir = join(root, 'dist', 'client', 'web');
  await mkdir(outDir, { recursive: true });

  const script = await build({
    absWorkingDir: root,
    entryPoints: [join(webSrc, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'iife',
    platform: 'browser',
    target: BROWSER_TARGETS,
    // simple-peer's Node-flavoured dependencies expect Buffer and process as globals.
    inject: [join(webSrc, 'node-globals-shim.ts')],
    define: { global: 'globalThis', 'process.env.NODE_ENV': '"production"' },
    // `events` and friends are npm packages in the browser, never Node built-ins.
    mainFields: ['browser', 'module', 'main'],
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const pkg of ['events', 'buffer', 'process']) assertBundledFromNpm(script.metafile, pkg);

  await build({
    absWorkingDir: root,
    entryPoints: [join(webSrc, 'app.css')],
    outfile: join(outDir, 'app.css'),
    bundle: true,
    minify: true,
    target: BROWSER_TARGETS,
    logLevel: 'warning',
  });

  const js = await readFile(join(outDir, 'app.js'), 'utf8');
  const css = await readFile(join(outDir, 'app.css'), 'utf8');
  const template = await readFile(join(webSrc, 'index.html'), 'utf8');
  const html = template
    .replace('/assets/app.js', `/assets/app.js?v=${contentHash(js)}`)
    .replace('/assets/app.css', `/assets/app.css?v=${contentHash(css)}`);
  await writeFile(join(outDir, 'index.html'), html);
  return outDir;
}

// Run when executed directly (`node dist/client/build.js` or `tsx client/build.ts`), not when imported.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildClient().then(
    (outDir) => console.log(`client built: ${outDir}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
