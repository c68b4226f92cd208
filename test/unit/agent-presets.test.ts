/** Agent presets: built-ins, presets from a config file, and clear errors for a bad file. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_PRESETS, defaultConfigPath, loadPresets } from '../../host/agent-presets.js';
import { TetherError } from '../../protocol/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'tether-presets-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('agent presets', () => {
  it('has the five built-in agents', () => {
    assert.deepEqual(Object.keys(BUILTIN_PRESETS), ['claude', 'codex', 'gemini', 'copilot', 'goose']);
    assert.deepEqual(BUILTIN_PRESETS.goose!.command, ['goose', 'acp']);
  });

  it('adds presets from a config file (string or array commands)', () => {
    const presets = loadPresets(file('ok.json', JSON.stringify({ presets: { mine: { command: 'my-agent  --acp', install: 'pip install mine' }, other: { command: ['a b', 'c'] } } })), true);
    assert.deepEqual(presets.mine, { command: ['my-agent', '--acp'], install: 'pip install mine' });
    assert.deepEqual(presets.other!.command, ['a b', 'c']);
    assert.ok(presets.claude, 'built-ins stay');
  });

  it('a missing default file is fine; a missing --config file is an error', () => {
    assert.ok(loadPresets(join(dir, 'absent.json'), false).claude);
    assert.throws(() => loadPresets(join(dir, 'absent.json'), true), (e: TetherError) => e.code === 'BAD_CONFIG' && /not found/.test(e.message));
  });

  const bad: Array<[string, string, RegExp]> = [
    ['not JSON', '{presets', /not valid JSON/],
    ['an unknown top-level key', '{"plugins": {}}', /\(root\)|plugins/],
    ['a bad preset name', '{"presets": {"Bad Name": {"command": "x"}}}', /lowercase/],
    ['an empty command', '{"presets": {"x": {"command": ""}}}', /presets\.x\.command/],
    // Found by the config fuzzer: a command of only white space became the program "".
    ['a command of only white space', '{"presets": {"x": {"command": " \\r\\n\\t "}}}', /presets\.x\.command/],
    ['a command array whose program is blank', '{"presets": {"x": {"command": [" ", "--acp"]}}}', /presets\.x\.command/],
    ['an empty command array', '{"presets": {"x": {"command": []}}}', /presets\.x\.command/],
  ];
  for (const [what, text, message] of bad) {
    it(`${what} is BAD_CONFIG naming the file and the problem`, () => {
      const path = file(`${what.replace(/\W+/g, '-')}.json`, text);
      assert.throws(() => loadPresets(path, true), (e: TetherError) => e.code === 'BAD_CONFIG' && e.message.startsWith(path) && message.test(e.message));
    });
  }

  it('the default location follows XDG_CONFIG_HOME, then HOME', () => {
    assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/x/tether/config.json');
    assert.equal(defaultConfigPath({ HOME: '/h' }), '/h/.config/tether/config.json');
    assert.equal(defaultConfigPath({}), null);
  });
});
