/**
 * Builds the browser app into dist/client/web: the app as ES modules split by page (app-<hash>.js loads
 * the session list and the connection; the terminal view with xterm.js and the conversation view with
 * markdown-it and DOMPurify are chunks loaded only by the page that needs them), app-<hash>.css, the
 * icons, the web app manifest, the service worker (sw.js, which knows every asset of this build) and
 * index.html. Asset names carry a content hash, so a cached old bundle is never paired with a new host.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

/** Browsers the bundle must run in: recent phones and desktops. */
const BROWSER_TARGETS = ['chrome100', 'safari15', 'firefox100', 'edge100'];

/**
 * Chromium's per-file compile hint: every function of a file that starts with it is compiled on the
 * background thread that streams the script in, not lazily on the page's one thread when first called.
 * Every chunk is code a page runs while it opens (the view's chunk too, fetched while connecting);
 * measured on fresh opens: the page's thread 24 ms less busy for a terminal, 16 ms for a conversation.
 * Other browsers ignore the comment.
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad';

/** The app's colours, shared by the manifest and index.html. */
const THEME_COLOR = '#11151d';
const BACKGROUND_COLOR = '#0b0e14';

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

/** The browser must get the npm `events` package (our client's emitters rely on it). */
function assertBundledFromNpm(metafile: Metafile, pkg: string): void {
  const marker = `node_modules/${pkg}/`;
  if (!Object.keys(metafile.inputs).some((p) => p.replaceAll('\\', '/').includes(marker))) {
    throw new Error(`client/build: the browser bundle does not include the npm package "${pkg}"`);
  }
}

function contentHash(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** The outputs `entry` imports statically, directly or through each other, without `entry` itself. */
function staticClosure(metafile: Metafile, entry: string): string[] {
  const found = new Set<string>();
  const visit = (path: string): void => {
    for (const i of metafile.outputs[path]?.imports ?? []) {
      if (i.kind !== 'import-statement' || found.has(i.path)) continue;
      found.add(i.path);
      visit(i.path);
    }
  };
  visit(entry);
  return [...found];
}

/** The file name of an esbuild output path. */
function fileName(path: string): string {
  return path.replaceAll('\\', '/').split('/').pop()!;
}

/** The web app manifest: what an installed tether looks like and where it opens. */
function manifest(icons: Array<{ src: string; size: number }>): string {
  return JSON.stringify({
    name: 'tether',
    short_name: 'tether',
    description: 'Your coding agents and terminals, live from your own computer.',
    id: '/',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: BACKGROUND_COLOR,
    theme_color: THEME_COLOR,
    icons: icons.map((i) => ({ src: i.src, sizes: `${i.size}x${i.size}`, type: 'image/png', purpose: 'any maskable' })),
  });
}

/**
 * Every `zod/mini` import in the page gets the configured one (client/web/zod-without-eval.ts); classic
 * `zod` is refused: the protocol is written with zod/mini (protocol/zod.ts), and classic zod in the page
 * would bring back ~100 KB that every open parses before it can connect.
 */
function zodMiniWithoutEval(webSrc: string): Plugin {
  const wrapper = join(webSrc, 'zod-without-eval.ts');
  return {
    name: 'zod-mini-without-eval',
    setup(b) {
      b.onResolve({ filter: /^zod\/mini$/ }, (args) => (args.importer === wrapper ? undefined : { path: wrapper }));
      b.onResolve({ filter: /^zod(\/v4)?$/ }, (args) => ({
        errors: [{ text: `classic zod imported by ${args.importer}: the page uses zod/mini through protocol/zod.ts` }],
      }));
    },
  };
}

/** Bundles the app and writes index.html, the manifest and the service worker; returns the output folder. */
export async function buildClient(): Promise<string> {
  const root = packageRoot();
  const webSrc = join(root, 'client', 'web');
  const outDir = join(root, 'dist', 'client', 'web');
  // Hashed names: files of an older build would only pile up.
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  const script = await build({
    absWorkingDir: root,
    entryPoints: { app: join(webSrc, 'main.ts') },
    outdir: outDir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    minify: true,
    sourcemap: 'linked',
    banner: { js: COMPILE_HINT },
    format: 'esm',
    platform: 'browser',
    target: BROWSER_TARGETS,
    define: { global: 'globalThis', 'process.env.NODE_ENV': '"production"' },
    // `events` and friends are npm packages in the browser, never Node built-ins.
    mainFields: ['browser', 'module', 'main'],
    plugins: [zodMiniWithoutEval(webSrc)],
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  assertBundledFromNpm(script.metafile, 'events');
  const outputs = Object.entries(script.metafile.outputs);
  const entry = outputs.find(([, o]) => o.entryPoint?.endsWith('client/web/main.ts'));
  if (!entry) throw new Error('client/build: no output for client/web/main.ts');
  const appJs = fileName(entry[0]);
  // What the entry imports statically (directly or through another chunk) is fetched at once, in
  // parallel with it, largest first: a browser opens at most six connections to a server over HTTP/1.1,
  // and a large chunk left for the second round arrived last, up to 50 ms after the rest.
  const preload = staticClosure(script.metafile, entry[0])
    .sort((a, b) => script.metafile.outputs[b]!.bytes - script.metafile.outputs[a]!.bytes)
    .map(fileName);

  const styles = await build({
    absWorkingDir: root,
    entryPoints: { app: join(webSrc, 'app.css') },
    outdir: outDir,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    target: BROWSER_TARGETS,
    metafile: true,
    logLevel: 'warning',
  });
  const appCss = fileName(Object.keys(styles.metafile.outputs).find((p) => p.endsWith('.css'))!);

  const icons: Array<{ src: string; size: number }> = [];
  for (const size of [192, 512]) {
    const bytes = await readFile(join(webSrc, 'icons', `icon-${size}.png`));
    const name = `icon-${size}-${contentHash(bytes)}.png`;
    await copyFile(join(webSrc, 'icons', `icon-${size}.png`), join(outDir, name));
    icons.push({ src: `/assets/${name}`, size });
  }
  const manifestText = manifest(icons);
  const manifestName = `manifest-${contentHash(manifestText)}.webmanifest`;
  await writeFile(join(outDir, manifestName), manifestText);

  const template = await readFile(join(webSrc, 'index.html'), 'utf8');
  const html = template
    .replaceAll('{{THEME_COLOR}}', THEME_COLOR)
    .replace('{{APP_CSS}}', `/assets/${appCss}`)
    .replace('{{APP_JS}}', `/assets/${appJs}`)
    .replace('{{PRELOAD}}', preload.map((p) => `<link rel="modulepreload" href="/assets/${p}">`).join('\n  '))
    .replace('{{MANIFEST}}', `/assets/${manifestName}`)
    .replaceAll('{{ICON}}', icons[0]!.src);
  await writeFile(join(outDir, 'index.html'), html);

  // The service worker knows this build's files: it caches them all, so the app opens without the network.
  const assets = (await readdir(outDir)).filter((f) => !f.endsWith('.map') && !f.endsWith('.LEGAL.txt') && f !== 'index.html').sort();
  const version = contentHash(JSON.stringify([html, assets]));
  await build({
    absWorkingDir: root,
    entryPoints: [join(webSrc, 'service-worker.ts')],
    outfile: join(outDir, 'sw.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: BROWSER_TARGETS,
    define: { __SHELL_VERSION__: JSON.stringify(version), __SHELL_ASSETS__: JSON.stringify(assets.filter((f) => f !== 'sw.js').map((f) => `/assets/${f}`)) },
    plugins: [zodMiniWithoutEval(webSrc)],
    logLevel: 'warning',
  });
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
