/**
 * base64url (protocol/encoding.ts), encoded directly from the alphabet: the same text as Node's own
 * encoder for every length and byte value, and decoded back to the same bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fromBase64Url, toBase64Url } from '../../protocol/encoding.js';

test('toBase64Url gives Node\'s base64url for every length, and fromBase64Url reads it back', () => {
  const samples = [new Uint8Array(0), Uint8Array.from({ length: 256 }, (_, i) => i), new Uint8Array(65).fill(255)];
  for (let length = 1; length <= 70; length++) for (let k = 0; k < 20; k++) samples.push(new Uint8Array(randomBytes(length)));
  for (const bytes of samples) {
    const text = toBase64Url(bytes);
    assert.equal(text, Buffer.from(bytes).toString('base64url'), `${bytes.length} bytes`);
    assert.deepEqual(fromBase64Url(text), bytes);
  }
});
