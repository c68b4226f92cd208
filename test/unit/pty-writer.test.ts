/** How pasted input is cut for the PTY: small pieces, never inside a character or an escape sequence. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inputChunks, PTY_CHUNK_BYTES } from '../../host/pty-writer.js';

const naiveCut = Math.floor(PTY_CHUNK_BYTES / 3);

test('pieces are at most PTY_CHUNK_BYTES of UTF-8 and join back to the input', () => {
  const text = 'ascii é 漢字 😀\r'.repeat(5000);
  const chunks = inputChunks(text);
  assert.ok(chunks.length > 10);
  for (const c of chunks) assert.ok(Buffer.byteLength(c) <= PTY_CHUNK_BYTES, `${Buffer.byteLength(c)} bytes`);
  assert.equal(chunks.join(''), text);
});

test('a surrogate pair at the cut stays whole', () => {
  const text = 'a'.repeat(naiveCut - 1) + '😀' + 'b'.repeat(10);
  const chunks = inputChunks(text);
  for (const c of chunks) assert.equal(Buffer.from(c).toString(), c, 'each piece is valid UTF-16 on its own');
  assert.equal(chunks.join(''), text);
});

test('bracketed-paste markers and other escape sequences at the cut stay whole', () => {
  for (const seq of ['\x1b[201~', '\x1b[200~', '\x1b[1;5A', '\x1bOA', '\x1bx']) {
    for (let before = naiveCut - seq.length; before < naiveCut; before++) {
      const text = 'a'.repeat(before) + seq + 'b'.repeat(100);
      const chunks = inputChunks(text);
      assert.ok(chunks.some((c) => c.includes(seq)), `${JSON.stringify(seq)} after ${before} characters was split: ${JSON.stringify(chunks.map((c) => c.slice(-8)))}`);
      assert.equal(chunks.join(''), text);
    }
  }
});

test('an escape sequence that is complete before the cut is not moved', () => {
  const text = 'a'.repeat(naiveCut - 10) + '\x1b[A' + 'b'.repeat(100);
  assert.equal(inputChunks(text)[0]!.length, naiveCut);
});
