import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, webcrypto } from 'node:crypto';
import {
  authInput,
  keyId,
  newKeyPair,
  signAuth,
  tokenId,
  tokenMac,
  verifyAuthSignature,
  verifyTokenMac,
  type AuthContext,
} from '../../protocol/auth.js';
import { newId, newKey } from '../../protocol/ids.js';
import { fromBase64Url, toBase64Url } from '../../protocol/encoding.js';

const token = newKey();
const base: AuthContext = { kind: 'offer', sessionId: newId(), peerId: newId(), nonce: newId(), body: 'v=0\r\na=fingerprint:sha-256 AB:CD:EF\r\n' };

/** Replaces character i of a base64url string by another that changes the decoded bytes. */
function flipChar(text: string, i: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const v = alphabet.indexOf(text[i]!);
  return text.slice(0, i) + alphabet[v ^ 0b100000] + text.slice(i + 1);
}

const changes: Array<[string, Partial<AuthContext>]> = [
  ['kind offer → answer', { kind: 'answer' }],
  ['kind offer → reject', { kind: 'reject' }],
  ['sessionId', { sessionId: newId() }],
  ['peerId', { peerId: newId() }],
  ['nonce (a replayed offer)', { nonce: newId() }],
  ['SDP fingerprint', { body: base.body.replace('AB:CD', 'AB:CE') }],
  ['field boundary shift', { sessionId: base.sessionId.slice(0, 21), peerId: base.sessionId.slice(21) + base.peerId }],
];

describe('token MAC', () => {
  it('is an HMAC-SHA256 keyed by the token over the length-prefixed fields, and verifies', () => {
    const parts = ['tether-auth-v2', base.kind, base.sessionId, base.peerId, base.nonce, base.body].map((p) => Buffer.from(p, 'utf8'));
    const input = Buffer.concat(parts.flatMap((p) => [Buffer.from([0, 0, p.length >> 8, p.length & 0xff]), p]));
    assert.deepEqual(Buffer.from(authInput(base)), input);
    const expected = toBase64Url(createHmac('sha256', Buffer.from(fromBase64Url(token))).update(input).digest());
    assert.equal(tokenMac(token, base), expected);
    assert.equal(verifyTokenMac(token, base, expected), true);
  });

  for (const [what, change] of changes) {
    it(`fails when the ${what} changes`, () => {
      assert.equal(verifyTokenMac(token, { ...base, ...change }, tokenMac(token, base)), false);
    });
  }

  it('fails with another token, a flipped MAC, or malformed input, without throwing', () => {
    const mac = tokenMac(token, base);
    assert.equal(verifyTokenMac(newKey(), base, mac), false);
    assert.equal(verifyTokenMac(token, base, flipChar(mac, 0)), false);
    for (const bad of ['', 'x', mac + 'A', 42, null, undefined]) assert.equal(verifyTokenMac(token, base, bad), false);
    assert.equal(verifyTokenMac('not base64!', base, mac), false);
  });

  it('names a token by a hash that does not reveal it', () => {
    const id = tokenId(token);
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(tokenId(token), id);
    assert.notEqual(tokenId(newKey()), id);
    assert.ok(!token.includes(id) && !id.includes(token.slice(0, 10)));
  });
});

describe('device and host signatures (P-256)', () => {
  const pair = newKeyPair();
  const publicKey = toBase64Url(pair.publicKey);

  it('signs and verifies; any change to the context or key fails', () => {
    const sig = signAuth(pair.secretKey, base);
    assert.match(sig, /^[A-Za-z0-9_-]{86}$/);
    assert.equal(verifyAuthSignature(publicKey, base, sig), true);
    for (const [, change] of changes) assert.equal(verifyAuthSignature(publicKey, { ...base, ...change }, sig), false);
    assert.equal(verifyAuthSignature(toBase64Url(newKeyPair().publicKey), base, sig), false);
    assert.equal(verifyAuthSignature(publicKey, base, flipChar(sig, 5)), false);
    for (const bad of ['', sig.slice(1), 7, null]) assert.equal(verifyAuthSignature(publicKey, base, bad), false);
    assert.equal(verifyAuthSignature('garbage', base, sig), false);
  });

  it('accepts a signature made by WebCrypto (what browsers on secure origins use, high-S included)', async () => {
    const subtle = webcrypto.subtle;
    for (let i = 0; i < 8; i++) {
      const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
      const raw = new Uint8Array(await subtle.exportKey('raw', keys.publicKey));
      const sig = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, authInput(base)));
      assert.equal(verifyAuthSignature(toBase64Url(raw), base, toBase64Url(sig)), true);
    }
  });

  it('names a key by a short stable id', () => {
    assert.match(keyId(publicKey), /^[A-Za-z0-9_-]{22}$/);
    assert.equal(keyId(publicKey), keyId(publicKey));
  });
});
