/**
 * The layering rules: imports flow toward protocol/ (which imports nothing of ours), the signal server
 * and the clients never import the host, the terminal pieces shared by the host's console and `tether
 * attach` live in one declared place (client/terminal/), and documents are read only through the typed
 * readers in protocol/ (no `.get('key') as T` anywhere else).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../../host/package-paths.js';

const root = packageRoot();

/** Every .ts file below `dir` (relative to the package root). */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** The package-relative paths a file imports from our own code. */
function ownImports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => relative(root, resolve(root, dirname(file), m[1]!)));
}

/** Asserts every own import of every file below `dir` satisfies `allowed`. */
function checkImports(dir: string, allowed: (target: string, file: string) => boolean): void {
  const files = sources(dir);
  assert.ok(files.length > 0, `${dir} exists`);
  for (const file of files) for (const target of ownImports(file)) assert.ok(allowed(target, file), `${file} imports ${target}`);
}

test('protocol/ imports nothing of ours but protocol/', () => {
  checkImports('protocol', (t) => t.startsWith('protocol/'));
});

test('signal/ never imports host/ or client/', () => {
  checkImports('signal', (t) => !t.startsWith('host/') && !t.startsWith('client/'));
});

test('client/ never imports host/ or signal/', () => {
  checkImports('client', (t) => !t.startsWith('host/') && !t.startsWith('signal/'));
});

test('documents are read through protocol/ readers: no `.get(key) as T` outside protocol/', () => {
  for (const file of [...sources('host'), ...sources('client'), ...sources('signal')]) {
    assert.doesNotMatch(readFileSync(join(root, file), 'utf8'), /\.get\([^)]*\)\s+as\s/, `${file} casts a document read`);
  }
});

test('client/terminal imports only protocol/ and itself', () => {
  const files = sources('client/terminal');
  assert.ok(files.length > 0, 'client/terminal exists');
  for (const file of files) {
    for (const target of ownImports(file)) {
      assert.ok(target.startsWith('protocol/') || target.startsWith('client/terminal/'), `${file} imports ${target}`);
    }
  }
});

test('host/ takes terminal pieces from client/terminal only (main.ts also runs the attach command)', () => {
  for (const file of sources('host')) {
    for (const target of ownImports(file)) {
      if (!target.startsWith('client/')) continue;
      const allowed = target.startsWith('client/terminal/') || (file === 'host/main.ts' && ['client/node/attach.js', 'client/node/link-input.js'].includes(target));
      assert.ok(allowed, `${file} imports ${target}`);
    }
  }
});

test('raw mode is switched in client/terminal only', () => {
  for (const file of [...sources('host'), ...sources('client/node'), ...sources('client/core')]) {
    assert.doesNotMatch(readFileSync(join(root, file), 'utf8'), /\.setRawMode\(/, `${file} switches raw mode itself`);
  }
});

/** The package a bare specifier names: `@scope/name` or `name`, without a path inside it. */
const packageOf = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** Own files and packages a file imports statically (not `import type`, not `await import(...)`). */
function staticImports(file: string): { own: string[]; packages: string[] } {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)].map((m) => (m[1] ?? m[2])!);
  return {
    own: specs.filter((s) => s.startsWith('.')).map((s) => relative(root, resolve(root, dirname(file), s)).replace(/\.js$/, '.ts')),
    packages: specs.filter((s) => !s.startsWith('.') && !s.startsWith('node:')).map(packageOf),
  };
}

test('the CLI loads big optional packages only in the modes that use them (issue #14: host memory)', () => {
  // Everything `tether` loads before it knows its command: the rest is imported per command.
  const seen = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const { own, packages: pkgs } = staticImports(file);
    for (const p of pkgs) packages.add(p);
    for (const o of own) walk(o);
  };
  walk('host/main.ts');
  for (const heavy of ['socket.io', 'socket.io-client', 'node-datachannel', 'qrcode', 'lmdb']) {
    assert.ok(!packages.has(heavy), `host/main.ts loads ${heavy} before it knows the command`);
  }
  // A host never loads Redis support unless it is asked to, nor the ACP SDK before it runs an agent.
  seen.clear();
  packages.clear();
  walk('host/session-server.ts');
  walk('signal/signal-server.ts');
  for (const heavy of ['ioredis', '@socket.io/redis-adapter', '@agentclientprotocol/sdk']) {
    assert.ok(!packages.has(heavy), `a host loads ${heavy} statically`);
  }
  assert.ok(packages.has('yjs') && packages.has('socket.io'), 'the walk follows static imports');
  // The host signs, hashes and checks the handshake with node:crypto, never with @noble (its curve tables
  // cost a host several MB and tens of ms at start; its SHA-256 is JavaScript V8 optimizes); devices keep it.
  assert.ok(seen.has('host/trust/authenticator.ts'), 'the walk reaches the host\'s authenticator');
  assert.ok(!packages.has('@noble/curves'), 'a host loads @noble/curves');
  assert.ok(!packages.has('@noble/hashes'), 'a host loads @noble/hashes');
});

test('packages whose entry loads far more than tether uses are imported by path (issue #14: host memory)', () => {
  // rate-limiter-flexible's entry loads every store it supports and Node's cluster module; qrcode's loads
  // its PNG and SVG renderers. Each is imported through the one file tether needs.
  const byPath: Record<string, RegExp> = { 'rate-limiter-flexible': /^rate-limiter-flexible\/lib\/\w+\.js$/, qrcode: /^qrcode\/lib\/core\/\w+\.js$/ };
  let found = 0;
  for (const file of [...sources('host'), ...sources('signal'), ...sources('client'), ...sources('protocol')]) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm)) {
      const spec = (m[1] ?? m[2])!;
      const rule = byPath[packageOf(spec)];
      if (!rule) continue;
      found++;
      assert.match(spec, rule, `${file} imports ${spec}`);
    }
  }
  assert.ok(found >= 3, 'the rule sees the imports it checks');
});

test('zod is used through protocol/zod.ts, and never its whole namespaces (issue #14: size)', () => {
  // protocol/zod.ts re-exports zod/mini, whose functions a bundle keeps only where used; but reading
  // `z.core` or `z.locales` keeps all of them (the CLI's zod grew from 54 to 519 KB for one `z.core.$ZodError`).
  const files = [...sources('host'), ...sources('signal'), ...sources('client'), ...sources('protocol')];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    assert.doesNotMatch(text, /\bz\.(core|locales)\b/, `${file} reads a whole zod namespace`);
    if (file === join('protocol', 'zod.ts') || file === join('client', 'web', 'zod-without-eval.ts')) continue;
    assert.doesNotMatch(text, /(?:from\s*|import\s*\(?\s*)['"]zod(?:\/[^'"]*)?['"]/, `${file} imports zod itself, not protocol/zod.ts`);
  }
});
