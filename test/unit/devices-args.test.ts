/**
 * `tether devices …` parsing (valid command lines and BAD_FLAG for bad ones), its --help, and the trust
 * error codes and flags documented in README.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCli } from '../../host/cli-args.js';
import { DEVICES_HELP, REMOTE_CONTROL_HELP } from '../../host/help.js';
import { ERROR_CODES } from '../../protocol/errors.js';
import { TetherError } from '../../protocol/errors.js';

const env = { HOME: '/home/dev', TETHER_STATE_DIR: '/run/state' };
const id = 'AAAAAAAAAAAAAAAAAAAAAA';
const parse = (argv: string[]) => parseCli(['devices', ...argv], env, '/tmp');

describe('tether devices', () => {
  it('parses every action', () => {
    const base = { command: 'devices', json: false, stateDir: '/run/state' };
    assert.deepEqual(parse([]), { ...base, action: 'list', deviceId: null, value: null });
    assert.deepEqual(parse(['list', '--json']), { ...base, json: true, action: 'list', deviceId: null, value: null });
    assert.deepEqual(parse(['revoke', id]), { ...base, action: 'revoke', deviceId: id, value: null });
    assert.deepEqual(parse(['revoke-all', '--state-dir', 'x']), { ...base, stateDir: '/tmp/x', action: 'revoke-all', deviceId: null, value: null });
    assert.deepEqual(parse(['rename', id, 'work', 'laptop']), { ...base, action: 'rename', deviceId: id, value: 'work laptop' });
    assert.deepEqual(parse(['role', id, 'view']), { ...base, action: 'role', deviceId: id, value: 'view' });
    assert.deepEqual(parse(['allow', id, '--view']), { ...base, action: 'allow', deviceId: id, value: 'view' });
    assert.deepEqual(parse(['deny', id]), { ...base, action: 'deny', deviceId: id, value: null });
    assert.deepEqual(parse(['--help']), { command: 'help', topic: 'devices' });
  });

  it('refuses bad command lines with BAD_FLAG', () => {
    for (const argv of [['nuke'], ['revoke'], ['revoke', '../etc'], ['role', id, 'admin'], ['rename', id], ['list', id], ['deny', id, '--view'], ['--bogus']]) {
      assert.throws(() => parse(argv), (err: unknown) => err instanceof TetherError && err.code === 'BAD_FLAG', argv.join(' '));
    }
  });

  it('--help documents every action and flag', () => {
    for (const word of ['list', 'rename', 'role', 'revoke', 'revoke-all', 'allow', 'deny', '--json', '--state-dir', '--view']) assert.ok(DEVICES_HELP.includes(word), word);
  });
});

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  it('documents every error code', () => {
    for (const code of Object.keys(ERROR_CODES)) assert.ok(readme.includes(code), `${code} is not in README`);
  });
  it('documents the trust flags, keys and commands', () => {
    for (const text of ['--link-ttl', '--confirm-devices', '--allow-agent', '--audit FILE', '--audit-prompts', '--state-dir', '/rc new', '/rc view', '/devices revoke', 'Ctrl-] n', 'Ctrl-] v', '/etc/tether/policy.json', 'tether devices revoke', '## Trust and devices']) {
      assert.ok(readme.includes(text), `${text} is not in README`);
    }
    for (const flag of ['--link-ttl', '--confirm-devices', '--allow-agent', '--audit', '--audit-prompts', '--state-dir']) assert.ok(REMOTE_CONTROL_HELP.includes(flag), flag);
  });
});
