/**
 * `tether signal` flags: the origin policy (--public-url, --trust-proxy, --allow-origin) and the
 * limits parse into the command, bad values are BAD_FLAG with one line, and every flag is documented
 * in `tether signal --help` and in README's "tether signal" section.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCli, type SignalCommand } from '../../host/cli-args.js';
import { SIGNAL_HELP } from '../../host/help.js';
import { TetherError } from '../../protocol/errors.js';
import { DEFAULT_SIGNAL_LIMITS, type SignalLimits } from '../../signal/signal-limits.js';

const signal = (...argv: string[]): SignalCommand => parseCli(['signal', ...argv], {}, '/') as SignalCommand;

const LIMIT_FLAGS: Array<[string, keyof SignalLimits]> = [
  ['--max-sessions', 'maxSessions'],
  ['--max-sessions-per-address', 'maxSessionsPerAddress'],
  ['--max-sessions-per-connection', 'maxSessionsPerConnection'],
  ['--registrations-per-minute', 'registrationsPerMinute'],
  ['--messages-per-minute', 'messagesPerMinute'],
  ['--joins-per-minute', 'joinsPerMinute'],
  ['--failed-joins-per-minute', 'failedJoinsPerMinute'],
];

describe('tether signal: origin and limit flags', () => {
  it('defaults: no public URL, no proxy trusted, no other origin, default limits', () => {
    const cmd = signal();
    assert.equal(cmd.publicUrl, null);
    assert.equal(cmd.trustProxy, false);
    assert.deepEqual(cmd.allowOrigins, []);
    assert.deepEqual(cmd.limits, {});
  });

  it('parses the origin policy; --allow-origin repeats and is normalised to an origin', () => {
    const cmd = signal('--public-url', 'https://sig.example.com/base/', '--trust-proxy', '--allow-origin', 'https://App.Example.org', '--allow-origin', 'http://b.example:8080/');
    assert.equal(cmd.publicUrl, 'https://sig.example.com/base');
    assert.equal(cmd.trustProxy, true);
    assert.deepEqual(cmd.allowOrigins, ['https://app.example.org', 'http://b.example:8080']);
  });

  it('parses every limit', () => {
    const argv = LIMIT_FLAGS.flatMap(([flag], i) => [flag, String(100 + i)]);
    assert.deepEqual(signal(...argv).limits, Object.fromEntries(LIMIT_FLAGS.map(([, key], i) => [key, 100 + i])));
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['a zero limit', ['--max-sessions', '0'], /--max-sessions must be between 1 and 10000000, got 0/],
    ['a limit that is not a number', ['--joins-per-minute', 'lots'], /--joins-per-minute must be a whole number/],
    ['--allow-origin with a path', ['--allow-origin', 'https://a.example/app'], /--allow-origin must be an origin .* got 'https:\/\/a.example\/app'/],
    ['--allow-origin *', ['--allow-origin', '*'], /--allow-origin must be an origin/],
    ['--allow-origin not http', ['--allow-origin', 'chrome-extension://abc'], /--allow-origin must be an origin/],
    ['--public-url not a URL', ['--public-url', 'sig.example.com'], /--public-url must be an http/],
  ];
  for (const [name, argv, message] of bad) {
    it(`refuses ${name} with BAD_FLAG`, () => {
      assert.throws(() => signal(...argv), (err: unknown) => err instanceof TetherError && err.code === 'BAD_FLAG' && message.test(err.message));
    });
  }

  it('every flag is in --help and in README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### `tether signal`'), readme.indexOf('### `tether attach'));
    for (const flag of ['--public-url', '--trust-proxy', '--allow-origin', '--tls-cert', '--tls-key', '--ice-server', '--turn-secret', '--turn-ttl', '--redis', ...LIMIT_FLAGS.map(([f]) => f)]) {
      assert.match(SIGNAL_HELP, new RegExp(`${flag}\\b`), `${flag} in --help`);
      assert.ok(section.includes(`\`${flag}`), `${flag} in README's tether signal section`);
    }
    for (const code of ['LIMIT_REACHED', 'ORIGIN_FORBIDDEN', 'RATE_LIMITED', 'SESSION_TAKEN']) assert.ok(readme.includes(`\`${code}\``), `${code} in README`);
  });
});

describe('tether signal --help', () => {
  it('states the default of every limit', () => {
    for (const [flag, key] of LIMIT_FLAGS) {
      const from = SIGNAL_HELP.indexOf(`${flag} N`);
      const text = SIGNAL_HELP.slice(from, SIGNAL_HELP.indexOf('\n  --', from + 1));
      assert.ok(from >= 0 && text.replace(/\s+/g, ' ').includes(`(default ${DEFAULT_SIGNAL_LIMITS[key]})`), `${flag}: ${text}`);
    }
  });
});
