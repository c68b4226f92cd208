import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as z from '../../protocol/zod.js';
import {
  ClientHelloSchema,
  decodeClientHello,
  decodeJson,
  DisplayNameSchema,
  encodeJson,
  ErrorFrameSchema,
  HostHelloSchema,
  IntentReplySchema,
  IntentSchema,
  MAX_COLS,
  MAX_INPUT_CHARS,
  MAX_ROWS,
  MIN_COLS,
  MIN_ROWS,
  RenameSessionIntentSchema,
} from '../../protocol/messages.js';
import { newKeyPair } from '../../protocol/auth-signature.js';
import { toBase64Url } from '../../protocol/encoding.js';
import { newId } from '../../protocol/ids.js';
import { ERROR_CODES, TetherError } from '../../protocol/errors.js';
import { utf8 } from '../../protocol/encoding.js';

type Row = [name: string, value: unknown];

/** Asserts every `valid` row parses (to an equal value) and every `invalid` row does not. */
function table(schema: z.ZodMiniType<unknown>, valid: Row[], invalid: Row[]): void {
  for (const [name, value] of valid) {
    it(`accepts ${name}`, () => {
      const r = schema.safeParse(value);
      assert.equal(r.success, true, r.success ? '' : JSON.stringify(r.error.issues));
      assert.deepEqual(r.data, value);
    });
  }
  for (const [name, value] of invalid) {
    it(`rejects ${name}`, () => {
      assert.equal(schema.safeParse(value).success, false);
    });
  }
}

const id = newId();

describe('size bounds', () => {
  it('are the documented values', () => {
    assert.deepEqual([MIN_COLS, MAX_COLS, MIN_ROWS, MAX_ROWS, MAX_INPUT_CHARS], [2, 500, 1, 300, 64 * 1024]);
  });
});

describe('ClientHelloSchema', () => {
  const ok = { type: 'hello', v: 1, side: 'client', deviceName: 'Pixel 8', deviceKind: 'browser' };
  const publicKey = toBase64Url(newKeyPair().publicKey);
  table(
    ClientHelloSchema,
    [
      ['a browser hello', ok],
      ['a terminal hello', { ...ok, deviceKind: 'terminal', deviceName: 'laptop — tether attach' }],
      ['a 64-character name', { ...ok, deviceName: 'n'.repeat(64) }],
      ['a 1-character name', { ...ok, deviceName: 'n' }],
      ['a hello offering a public key to pair', { ...ok, publicKey }],
    ],
    [
      ['side host', { ...ok, side: 'host' }],
      ['type other than hello', { ...ok, type: 'intent' }],
      ['v 0', { ...ok, v: 0 }],
      ['v as a string', { ...ok, v: '1' }],
      ['an empty name', { ...ok, deviceName: '' }],
      ['a 65-character name', { ...ok, deviceName: 'n'.repeat(65) }],
      ['a name of spaces only', { ...ok, deviceName: '   ' }],
      ['a name with an escape sequence', { ...ok, deviceName: 'evil\x1b]52;c;cHduZWQ=\x07' }],
      ['a name with a C1 control', { ...ok, deviceName: 'evil\u009b2J' }],
      ['a name with a bidi override', { ...ok, deviceName: 'evil\u202eexe.txt' }],
      ['a name with a zero-width space', { ...ok, deviceName: 'Pixel\u200b 8' }],
      ['a name with a line break', { ...ok, deviceName: 'Pixel\n[1] Allow' }],
      ['an unknown device kind', { ...ok, deviceKind: 'phone' }],
      ['a device that names its own id (the host assigns it)', { ...ok, deviceId: id }],
      ['a malformed public key', { ...ok, publicKey: publicKey.slice(1) }],
      ['an extra key (strict)', { ...ok, sessionId: id }],
      ['a host hello', { type: 'hello', v: 1, side: 'host', peerId: id }],
    ],
  );
});

describe('DisplayNameSchema (session and device names)', () => {
  table(
    DisplayNameSchema,
    [
      ['a plain name', 'Pixel 8'],
      ['punctuation and other scripts', 'laptop — tether attach · café 日本 🚀'],
      ['64 characters', 'n'.repeat(64)],
      ['1 character', 'n'],
      ['a slash (device names may have one)', 'terminal on build/01'],
    ],
    [
      ['empty', ''],
      ['spaces only', '   '],
      ['65 characters', 'n'.repeat(65)],
      ...[
        ['NUL', '\u0000'], ['ESC', '\u001b'], ['an erase-line sequence', '\u001b[2K'], ['CR', '\r'], ['LF', '\n'], ['tab', '\t'], ['DEL', '\u007f'],
        ['C1 NEL', '\u0085'], ['C1 CSI', '\u009b'], ['C1 OSC', '\u009d'], ['U+2028', '\u2028'], ['U+2029', '\u2029'],
        ['LRE', '\u202a'], ['RLO', '\u202e'], ['LRI', '\u2066'], ['PDI', '\u2069'], ['LRM', '\u200e'], ['RLM', '\u200f'], ['ALM', '\u061c'],
        ['zero-width space', '\u200b'], ['ZWNJ', '\u200c'], ['ZWJ', '\u200d'], ['word joiner', '\u2060'], ['BOM', '\ufeff'],
      ].map(([what, ch]): Row => [`a name containing ${what}`, `a${ch}b`]),
    ],
  );
  it('trims surrounding spaces', () => {
    assert.equal(DisplayNameSchema.parse('  Pixel 8  '), 'Pixel 8');
  });
  it('session names follow the same rule, and also refuse slashes (they name folders and branches)', () => {
    const rename = { id, type: 'rename-session', sessionId: newId() };
    assert.equal(RenameSessionIntentSchema.safeParse({ ...rename, name: 'fix-login' }).success, true);
    for (const name of ['a/b', 'a\\b', 'evil\u009b2J', 'evil\u202eexe', 'a\u200bb', '', 'n'.repeat(65)]) {
      assert.equal(RenameSessionIntentSchema.safeParse({ ...rename, name }).success, false, JSON.stringify(name));
    }
  });
});

describe('decodeClientHello', () => {
  const ok = { type: 'hello', v: 1, side: 'client', deviceName: 'Pixel 8', deviceKind: 'browser' };
  it('accepts a good hello and trims the name', () => {
    assert.deepEqual(decodeClientHello(encodeJson({ ...ok, deviceName: ' Pixel 8 ' })), ok);
  });
  it('refuses a bad device name with NAME_INVALID', () => {
    for (const deviceName of ['evil\x1b[2K', 'a\u202eb', '', 'n'.repeat(65)]) {
      assert.throws(() => decodeClientHello(encodeJson({ ...ok, deviceName })), { name: 'TetherError', code: 'NAME_INVALID' }, JSON.stringify(deviceName));
    }
  });
  it('refuses anything else that is wrong with FRAME_MALFORMED, even when the name is bad too', () => {
    assert.throws(() => decodeClientHello(utf8('hello')), { code: 'FRAME_MALFORMED' });
    assert.throws(() => decodeClientHello(encodeJson({ ...ok, side: 'host' })), { code: 'FRAME_MALFORMED' });
    assert.throws(() => decodeClientHello(encodeJson({ ...ok, side: 'host', deviceName: 'a\u202eb' })), { code: 'FRAME_MALFORMED' });
    assert.throws(() => decodeClientHello(encodeJson({ ...ok, extra: 1 })), { code: 'FRAME_MALFORMED' });
    assert.throws(() => decodeClientHello(encodeJson({ ...ok, deviceName: 42 })), { code: 'FRAME_MALFORMED' });
  });
});

describe('HostHelloSchema', () => {
  const hostKey = toBase64Url(newKeyPair().publicKey);
  const ok = { type: 'hello', v: 1, side: 'host', peerId: newId(), deviceId: id, role: 'control', hostKey, hostName: 'desk', paired: true };
  table(
    HostHelloSchema,
    [['a host hello', ok], ['a view-only grant', { ...ok, role: 'view', paired: false }]],
    [
      ['side client', { ...ok, side: 'client' }],
      ['v fractional', { ...ok, v: 1.1 }],
      ['an unknown role', { ...ok, role: 'admin' }],
      ['a bad deviceId', { ...ok, deviceId: 'abc' }],
      ['a bad peerId', { ...ok, peerId: id + '!' }],
      ['a malformed host key', { ...ok, hostKey: 'x' }],
      ['a missing peerId', { ...ok, peerId: undefined }],
      ['an extra key (strict)', { ...ok, key: 'secret' }],
    ],
  );
});

describe('IntentSchema', () => {
  const input = { id, type: 'input', data: 'ls\r' };
  const resize = { id, type: 'resize', cols: 80, rows: 24 };
  table(
    IntentSchema,
    [
      ['input', input],
      ['input with the sender size', { ...input, cols: 120, rows: 40 }],
      ['input with only cols', { ...input, cols: 120 }],
      ['input of one character', { ...input, data: '\x03' }],
      ['input of exactly 64 KiB', { ...input, data: 'x'.repeat(MAX_INPUT_CHARS) }],
      ['input with unicode', { ...input, data: 'héllo 📱' }],
      ['resize', resize],
      ['resize at the minimum (2×1)', { ...resize, cols: 2, rows: 1 }],
      ['resize at the maximum (500×300)', { ...resize, cols: 500, rows: 300 }],
    ],
    [
      ['input with empty data', { ...input, data: '' }],
      ['input of 64 KiB + 1', { ...input, data: 'x'.repeat(MAX_INPUT_CHARS + 1) }],
      ['input with non-string data', { ...input, data: [1, 2] }],
      ['input without data', { id, type: 'input' }],
      ['input with cols 1', { ...input, cols: 1 }],
      ['input with rows 301', { ...input, rows: 301 }],
      ['input with an extra key (strict)', { ...input, paste: true }],
      ['resize cols 1', { ...resize, cols: 1 }],
      ['resize cols 501', { ...resize, cols: 501 }],
      ['resize rows 0', { ...resize, rows: 0 }],
      ['resize rows 301', { ...resize, rows: 301 }],
      ['resize fractional cols', { ...resize, cols: 80.5 }],
      ['resize cols as a string', { ...resize, cols: '80' }],
      ['resize NaN rows', { ...resize, rows: Number.NaN }],
      ['resize without rows', { id, type: 'resize', cols: 80 }],
      ['resize with data (strict)', { ...resize, data: 'x' }],
      ['an unknown type', { id, type: 'kill' }],
      ['a missing id', { type: 'input', data: 'x' }],
      ['a bad id', { ...input, id: 'intent-1' }],
      ['a missing type', { id, data: 'x' }],
      ['null', null],
    ],
  );
});

describe('IntentReplySchema', () => {
  table(
    IntentReplySchema,
    [
      ['ok', { id, ok: true }],
      ['ok duplicate', { id, ok: true, duplicate: true }],
      ['an error', { id, ok: false, error: { code: 'INTENT_INVALID', message: 'bad' } }],
      ['an error with a 500-character message', { id, ok: false, error: { code: 'X', message: 'm'.repeat(500) } }],
    ],
    [
      ['ok without id', { ok: true }],
      ['ok with an error (strict)', { id, ok: true, error: { code: 'X', message: 'y' } }],
      ['ok false without error', { id, ok: false }],
      ['an error with a 501-character message', { id, ok: false, error: { code: 'X', message: 'm'.repeat(501) } }],
      ['an error without code', { id, ok: false, error: { message: 'y' } }],
      ['an error with an extra key', { id, ok: false, error: { code: 'X', message: 'y', stack: 'z' } }],
      ['duplicate as a string', { id, ok: true, duplicate: 'yes' }],
      ['a bad id', { id: 'x', ok: true }],
    ],
  );
});

describe('ErrorFrameSchema', () => {
  table(
    ErrorFrameSchema,
    [
      ['a registry code', { code: 'FRAME_TOO_LARGE', message: 'frame exceeds 262144 bytes' }],
      ...Object.keys(ERROR_CODES).map((code): Row => [`code ${code}`, { code, message: '' }]),
    ],
    [
      ['an unknown code', { code: 'NOT_A_CODE', message: 'x' }],
      ['an inherited property as code', { code: 'toString', message: 'x' }],
      ['a lowercase code', { code: 'frame_too_large', message: 'x' }],
      ['a 501-character message', { code: 'FRAME_MALFORMED', message: 'x'.repeat(501) }],
      ['a missing message', { code: 'FRAME_MALFORMED' }],
      ['an extra key (strict)', { code: 'FRAME_MALFORMED', message: 'x', stack: 'y' }],
    ],
  );
});

describe('encodeJson / decodeJson', () => {
  it('round trips a message', () => {
    const intent = { id, type: 'resize' as const, cols: 100, rows: 30 };
    const bytes = encodeJson(intent);
    assert.equal(new TextDecoder().decode(bytes), JSON.stringify(intent));
    assert.deepEqual(decodeJson(IntentSchema, bytes), intent);
  });

  it('round trips unicode input', () => {
    const intent = { id, type: 'input' as const, data: 'é📱\u0000\x1b[A' };
    assert.deepEqual(decodeJson(IntentSchema, encodeJson(intent)), intent);
  });

  const failures: Array<[string, Uint8Array]> = [
    ['non-UTF-8 bytes', new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
    ['a lone continuation byte', new Uint8Array([0x22, 0x80, 0x22])],
    ['not JSON', utf8('hello')],
    ['truncated JSON', utf8('{"id":')],
    ['empty', new Uint8Array()],
    ['a schema mismatch', encodeJson({ id, type: 'resize', cols: 1, rows: 1 })],
    ['JSON null', utf8('null')],
    ['a JSON array', utf8('[]')],
  ];
  for (const [what, payload] of failures) {
    it(`throws FRAME_MALFORMED by default for ${what}`, () => {
      assert.throws(() => decodeJson(IntentSchema, payload), (err: unknown) => {
        assert.ok(err instanceof TetherError, `not a TetherError: ${String(err)}`);
        assert.equal(err.code, 'FRAME_MALFORMED');
        return true;
      });
    });
    it(`throws the given code (INTENT_INVALID) for ${what}`, () => {
      assert.throws(() => decodeJson(IntentSchema, payload, 'INTENT_INVALID'), { name: 'TetherError', code: 'INTENT_INVALID' });
    });
  }

  it('names the failing field of a schema mismatch in the message', () => {
    assert.throws(() => decodeJson(IntentSchema, encodeJson({ id, type: 'resize', cols: 80, rows: 0 })), {
      code: 'FRAME_MALFORMED',
      message: /^invalid message: rows: /,
    });
    assert.throws(() => decodeJson(IntentSchema, utf8('7')), { message: /^invalid message: \(root\): / });
  });

  it('keeps the parse error as the cause of a non-JSON payload', () => {
    assert.throws(() => decodeJson(IntentSchema, utf8('{')), (err: unknown) => {
      assert.ok(err instanceof TetherError);
      assert.ok(err.cause instanceof SyntaxError);
      return true;
    });
  });
});
