/**
 * The built app asks Chromium to compile every function of its scripts while streaming them in
 * (client/build.ts, COMPILE_HINT): each script's first line is the hint, and its source map accounts
 * for that line. The service worker is built apart and needs no hint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientDir } from '../../host/package-paths.js';
import { COMPILE_HINT } from '../../client/build.js';

test('every script of the app starts with the compile hint, and its source map skips that line', () => {
  const dir = clientDir();
  const scripts = readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'sw.js');
  assert.ok(scripts.some((f) => f.startsWith('app-')) && scripts.some((f) => f.startsWith('chunk-')), `built scripts: ${scripts.join(', ')}`);
  for (const file of scripts) {
    const text = readFileSync(join(dir, file), 'utf8');
    assert.equal(text.split('\n', 1)[0], COMPILE_HINT, `${file} starts with the hint`);
    const map = JSON.parse(readFileSync(join(dir, `${file}.map`), 'utf8')) as { mappings: string };
    assert.ok(map.mappings.startsWith(';'), `${file}.map maps nothing on the hint's line`);
  }
});
