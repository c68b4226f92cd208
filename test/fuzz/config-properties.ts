/**
 * Fuzz properties of the config file (host/agent-presets.ts loadPresets): random file contents, hostile
 * JSON and mutated valid configs written to a real temporary file give presets or BAD_CONFIG naming the
 * file; accepted presets are runnable command lines and nothing leaks onto Object.prototype.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { BUILTIN_PRESETS, loadPresets } from '../../host/agent-presets.js';
import { utf8 } from '../../protocol/encoding.js';
import { fuzzProperty, type FuzzProperty } from './fuzz-property.js';
import { valueOrCoded } from './coded-outcome.js';
import { hostileJson, mutateBytes, mutateJson } from './mutations.js';

const word = fc.stringMatching(/^[a-z0-9./_-]{1,12}$/);
/** A config file as the README describes it. */
const validConfig = fc.record(
  {
    presets: fc.dictionary(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/),
      fc.record({ command: fc.oneof(fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')), fc.array(word, { minLength: 1, maxLength: 4 })), install: fc.string({ maxLength: 60 }) }, { requiredKeys: ['command'] }),
      { maxKeys: 4 },
    ),
  },
  { requiredKeys: [] },
);

const bytesOf = (value: unknown): Uint8Array => utf8(JSON.stringify(value) ?? '');

let dir: string | null = null;
/** A fresh file with `content` in this process's temporary folder. */
function configFile(content: Uint8Array): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tether-fuzz-config-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, content);
  return path;
}

/** Config file properties. */
export const configProperties: FuzzProperty[] = [
  fuzzProperty({
    name: 'config/load-presets',
    arbitrary: fc.oneof(
      { weight: 1, arbitrary: validConfig.map(bytesOf) },
      { weight: 5, arbitrary: mutateJson(validConfig).map(bytesOf) },
      { weight: 2, arbitrary: mutateBytes(validConfig.map(bytesOf)) },
      { weight: 1, arbitrary: hostileJson().map(bytesOf) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }) },
      { weight: 1, arbitrary: validConfig.map((c) => utf8(`\ufeff${JSON.stringify(c)}`)) },
    ),
    check: (content) => {
      const path = configFile(content);
      const out = valueOrCoded(() => loadPresets(path, true), ['BAD_CONFIG']);
      assert.equal(({} as Record<string, unknown>).command, undefined, 'the config polluted Object.prototype');
      if (!out.ok) {
        assert.ok(out.error.message.startsWith(path), 'BAD_CONFIG names the file');
        return;
      }
      for (const name of Object.keys(BUILTIN_PRESETS)) assert.ok(Object.hasOwn(out.value, name), `built-in preset ${name} kept`);
      for (const [name, preset] of Object.entries(out.value)) {
        assert.match(name, /^[a-z][a-z0-9-]{0,31}$/);
        assert.ok(Array.isArray(preset.command) && preset.command.length >= 1, `${name}: no command`);
        assert.ok(preset.command.every((part) => typeof part === 'string' && part.length >= 1), `${name}: an empty word in ${JSON.stringify(preset.command)}`);
        assert.notEqual(preset.command[0]!.trim(), '', `${name}: a blank program in ${JSON.stringify(preset.command)}`);
        assert.equal(typeof preset.install, 'string');
      }
    },
    runs: { short: 300, long: 5_000 },
  }),
];
