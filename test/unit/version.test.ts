import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PROTOCOL_VERSION, TETHER_VERSION } from '../../protocol/version.js';

describe('version', () => {
  it('TETHER_VERSION equals the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: unknown };
    assert.equal(typeof pkg.version, 'string');
    assert.equal(TETHER_VERSION, pkg.version);
  });

  it('PROTOCOL_VERSION is a positive integer', () => {
    assert.ok(Number.isInteger(PROTOCOL_VERSION) && PROTOCOL_VERSION >= 1);
  });
});
