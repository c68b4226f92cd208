import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signSdp, verifySdp, type SignedKind } from '../../protocol/mac.js';
import { newId, newKey } from '../../protocol/ids.js';
import { fromBase64Url, toBase64Url } from '../../protocol/encoding.js';

const key = newKey();
const sessionId = newId();
const peerId = newId();
const sdp = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 AB:CD:EF\r\n';

interface Fields {
  key: string;
  kind: SignedKind;
  sessionId: string;
  peerId: string;
  sdp: string;
}
const base: Fields = { key, kind: 'offer', sessionId, peerId, sdp };
const sign = (f: Fields): string => signSdp(f.key, f.kind, f.sessionId, f.peerId, f.sdp);
const verify = (f: Fields, mac: string): boolean => verifySdp(f.key, f.kind, f.sessionId, f.peerId, f.sdp, mac);

/** Replaces character i of a base64url string by another character that changes the decoded bytes. */
function flipChar(text: string, i: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const v = alphabet.indexOf(text[i]!);
  // Flip a high bit of the 6-bit value: in the last character of 43 only the top 4 bits carry data.
  return text.slice(0, i) + alphabet[v ^ 0b100000] + text.slice(i + 1);
}

describe('signSdp / verifySdp', () => {
  it('signs to a 43-character base64url HMAC-SHA256 that verifies', () => {
    const mac = sign(base);
    assert.match(mac, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(fromBase64Url(mac).length, 32);
    assert.equal(verify(base, mac), true);
  });

  it('is deterministic and matches an independent HMAC-SHA256 over the length-prefixed fields', () => {
    const parts = ['tether-mac-v1', base.kind, base.sessionId, base.peerId, base.sdp].map((p) => Buffer.from(p, 'utf8'));
    const input = Buffer.concat(parts.flatMap((p) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(p.length);
      return [len, p];
    }));
    const expected = toBase64Url(createHmac('sha256', Buffer.from(fromBase64Url(key))).update(input).digest());
    assert.equal(sign(base), expected);
    assert.equal(sign(base), sign({ ...base }));
  });

  it('verifies an answer signed as an answer, with unicode in the SDP', () => {
    const f: Fields = { ...base, kind: 'answer', sdp: 'a=x-name:téléphone 📱\r\n' };
    assert.equal(verify(f, sign(f)), true);
  });

  const changes: Array<[string, Partial<Fields>]> = [
    ['kind offer → answer', { kind: 'answer' }],
    ['sessionId', { sessionId: newId() }],
    ['peerId', { peerId: newId() }],
    ['sessionId and peerId swapped', { sessionId: peerId, peerId: sessionId }],
    ['sdp: one character changed', { sdp: sdp.replace('AB:CD', 'AB:CE') }],
    ['sdp: one character appended', { sdp: sdp + ' ' }],
    ['sdp: truncated', { sdp: sdp.slice(0, -1) }],
    ['sdp: empty', { sdp: '' }],
    ['key: a different key', { key: newKey() }],
    ['key: one character changed', { key: flipChar(key, 0) }],
  ];
  for (const [what, change] of changes) {
    it(`fails when the ${what} differs`, () => {
      const mac = sign(base);
      assert.equal(verify({ ...base, ...change }, mac), false);
      // And the changed message's own MAC differs from the original one.
      assert.notEqual(sign({ ...base, ...change }), mac);
    });
  }

  it('fails when any character of the MAC changes', () => {
    const mac = sign(base);
    for (let i = 0; i < mac.length; i++) {
      const changed = flipChar(mac, i);
      assert.notEqual(changed, mac);
      assert.equal(verify(base, changed), false, `MAC with character ${i} changed was accepted`);
    }
  });

  it('fails for the MAC of another message', () => {
    assert.equal(verify(base, sign({ ...base, kind: 'answer' })), false);
  });

  it(
    'rejects a non-canonical spelling of the MAC (the unused low bits of the last character set)',
    () => {
      const mac = sign(base);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(mac[42]!);
      const variant = mac.slice(0, 42) + alphabet[last ^ 0b01];
      assert.notEqual(variant, mac);
      assert.equal(verify(base, variant), false);
    },
  );

  describe('field boundaries cannot be shifted', () => {
    const pairs: Array<[string, Fields, Fields]> = [
      ['sessionId ab + peer c vs a + bc', { ...base, sessionId: 'ab', peerId: 'c' }, { ...base, sessionId: 'a', peerId: 'bc' }],
      ['peer + sdp', { ...base, peerId: 'p1', sdp: 'v=0' }, { ...base, peerId: 'p', sdp: '1v=0' }],
      ['empty peer', { ...base, sessionId: 'abc', peerId: '' }, { ...base, sessionId: '', peerId: 'abc' }],
      ['separator-looking content', { ...base, sessionId: 'a\u0000b', peerId: 'c' }, { ...base, sessionId: 'a', peerId: 'b\u0000c' }],
    ];
    for (const [what, a, b] of pairs) {
      it(what, () => {
        assert.notEqual(sign(a), sign(b));
        assert.equal(verify(b, sign(a)), false);
        assert.equal(verify(a, sign(b)), false);
      });
    }
  });

  describe('malformed MAC or key returns false without throwing', () => {
    const mac = sign(base);
    const badMacs: Array<[string, string]> = [
      ['empty', ''],
      ['not base64url', mac.slice(0, 42) + '!'],
      ['standard base64 with + and /', mac.replace(/-/g, '+').replace(/_/g, '/').slice(0, 42) + '+'],
      ['padded', mac + '='],
      ['one character short', mac.slice(0, 42)],
      ['one character long', mac + 'A'],
      ['impossible base64 length (4n+1)', 'A'.repeat(41)],
      ['a truncated 16-byte MAC', toBase64Url(fromBase64Url(mac).subarray(0, 16))],
      ['whitespace', ` ${mac}`],
    ];
    for (const [what, bad] of badMacs) {
      it(`MAC: ${what}`, () => {
        assert.doesNotThrow(() => verify(base, bad));
        assert.equal(verify(base, bad), false);
      });
    }
    const badKeys: Array<[string, string]> = [
      ['not base64url', '###'],
      ['impossible base64 length', 'A'],
      ['empty', ''],
      ['a truncated key', key.slice(0, 20)],
    ];
    for (const [what, bad] of badKeys) {
      it(`key: ${what}`, () => {
        assert.doesNotThrow(() => verify({ ...base, key: bad }, mac));
        assert.equal(verify({ ...base, key: bad }, mac), false);
      });
    }
  });
});
