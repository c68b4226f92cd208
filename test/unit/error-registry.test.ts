/**
 * Every error code in the registry is raised somewhere in tether and documented in the README's
 * "Errors" section (and nothing undocumented is raised), like fastify's error-code test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../protocol/errors.js';
import { packageRoot } from '../../host/package-paths.js';

const root = packageRoot();
const codes = Object.keys(ERROR_CODES);

/** Our source (not tests, not the registry itself). */
function sourceText(): string {
  const dirs = ['protocol', 'signal', 'host', 'client'];
  return dirs
    .flatMap((dir) => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f)))
    .filter((f) => f !== join('protocol', 'errors.ts'))
    .map((f) => readFileSync(join(root, f), 'utf8'))
    .join('\n');
}

test('every registered code is raised somewhere', () => {
  const text = sourceText();
  const unused = codes.filter((code) => !new RegExp(`['"\`]${code}['"\`]`).test(text));
  assert.deepEqual(unused, [], `codes never raised: ${unused.join(', ')}`);
});

test('every registered code is documented in the README', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const undocumented = codes.filter((code) => !readme.includes(`\`${code}\``));
  assert.deepEqual(undocumented, [], `codes missing from README: ${undocumented.join(', ')}`);
});

test('the README\'s Errors table explains each code once', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Errors\n'), readme.indexOf('\n## ', readme.indexOf('\n## Errors\n') + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  const listed = rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!));
  const twice = listed.filter((code, i) => listed.indexOf(code) !== i);
  assert.deepEqual(twice, [], `codes explained in more than one row: ${twice.join(', ')}`);
  assert.ok(listed.length >= codes.length - 5, `the table was not found whole: ${listed.length} codes`);
});
