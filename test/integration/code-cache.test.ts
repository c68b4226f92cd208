/**
 * The CLI's code cache (host/code-cache.ts) with a real bundle in real Node processes: the first start
 * compiles and leaves a cache, the next runs from it — and can still import ES module packages (in Node
 * 20 a cached function loses vm.Script's import() callback: package-import.ts) — and a changed bundle is
 * never run with the old bundle's cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOADER = fileURLToPath(new URL('../../host/code-cache.ts', import.meta.url));

/** A bundle that imports an ES module package through the loader's import(), as the CLI does. */
function bundleSource(word: string): string {
  return `const importPackage = globalThis[Symbol.for('tether.importPackage')];
function answer() { return importPackage('node:path').then((m) => console.log('${word}', typeof m.join)); }
answer();
`;
}

/** Runs `bundle` through the loader in a new Node process; returns its output and how it was run. */
function start(bundle: string, cacheHome: string, env: Record<string, string> = {}, nodeFlags: string[] = []): { out: string; how: string } {
  const runner = join(cacheHome, '..', 'runner.mjs');
  writeFileSync(runner, `import { runBundle } from ${JSON.stringify(LOADER)};\nconst how = runBundle(process.argv[2], ['demo']);\nprocess.on('exit', () => console.log('how', how));\n`);
  const out = execFileSync(process.execPath, [...nodeFlags, '--import', 'tsx', runner, bundle], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...env }, timeout: 30_000 });
  return { out, how: /how (\w+)/.exec(out)?.[1] ?? '?' };
}

test('a start compiles and leaves a cache; the next start runs from it and still imports ES modules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-code-cache-'));
  const bundle = join(dir, 'app', 'bundle.cjs');
  mkdirSync(join(dir, 'app'));
  writeFileSync(bundle, bundleSource('first'));
  const cacheHome = join(dir, 'cache');

  const one = start(bundle, cacheHome);
  assert.equal(one.how, 'compiled');
  assert.match(one.out, /first function/);
  const beside = join(dir, 'app', '.v8-cache');
  assert.equal(readdirSync(beside).filter((f) => f.endsWith('.bin')).length, 1, 'the cache is written beside the bundle as the process exits');

  const two = start(bundle, cacheHome);
  assert.equal(two.how, 'cached');
  assert.match(two.out, /first function/, `an import() from cached code works: ${two.out}`);

  // Same length, other content: V8's own check (the source's length) would take the old cache.
  writeFileSync(bundle, bundleSource('other'));
  const three = start(bundle, cacheHome);
  assert.equal(three.how, 'compiled', 'a changed bundle is compiled, not run with the old cache');
  assert.match(three.out, /other function/);
  assert.equal(start(bundle, cacheHome).how, 'cached');

  assert.equal(start(bundle, cacheHome, { TETHER_NO_CODE_CACHE: '1' }).how, 'off');
  assert.ok(!existsSync(join(cacheHome, 'tether')), 'nothing went to the user cache folder while the one beside the bundle was writable');
});

test('a command still running 3 s after its start writes the cache then, whole, collecting after it; a folder that refuses it is skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-code-cache-'));
  const bundle = join(dir, 'app', 'bundle.cjs');
  mkdirSync(join(dir, 'app'));
  const beside = join(dir, 'app', '.v8-cache');
  // A host-like bundle: still running at 3.5 s, when it looks for its cache (the write is due at 3 s).
  writeFileSync(
    bundle,
    `setTimeout(() => { let files = []; try { files = require('fs').readdirSync(${JSON.stringify(beside)}); } catch {} console.log('seen', JSON.stringify(files)); }, 3_500);\n`,
  );
  const cacheHome = join(dir, 'cache');
  // --expose-gc as bin/tether.js runs it: the collection after the write runs and must not disturb the process.
  const one = start(bundle, cacheHome, {}, ['--expose-gc']);
  assert.equal(one.how, 'compiled');
  const seen = JSON.parse(/seen (.*)/.exec(one.out)?.[1] ?? 'null') as string[] | null;
  assert.ok(seen && seen.length === 1 && seen[0]!.endsWith('.bin'), `the cache was written while the command ran, and nothing else: ${one.out}`);
  assert.equal(start(bundle, cacheHome, {}, ['--expose-gc']).how, 'cached');

  // The folder beside the bundle cannot be made (a file is in its place, which stops root too): the user's
  // cache folder takes it, and nothing is left half-written.
  const other = join(dir, 'other', 'bundle.cjs');
  mkdirSync(join(dir, 'other'));
  writeFileSync(other, bundleSource('other'));
  writeFileSync(join(dir, 'other', '.v8-cache'), 'not a folder');
  assert.equal(start(other, cacheHome).how, 'compiled');
  assert.deepEqual(readdirSync(join(cacheHome, 'tether', 'v8-cache')).map((f) => f.endsWith('.bin')), [true], 'the cache, whole, in the user cache folder');
  assert.equal(start(other, cacheHome).how, 'cached');
});
