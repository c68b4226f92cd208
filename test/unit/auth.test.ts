import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, webcrypto } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { authInput, type AuthContext, type AuthDigests } from '../../protocol/auth.js';
import * as deviceDigests from '../../protocol/auth-digests.js';
import * as hostDigests from '../../host/trust/host-digests.js';
import { newKeyPair, signAuth, verifyAuthSignature } from '../../protocol/auth-signature.js';
import { HostSigner, newHostKey, verifyDeviceSignature } from '../../host/trust/host-signature.js';
import { Authenticator } from '../../host/trust/authenticator.js';
import { MemoryTrustStore } from '../../host/trust/memory-trust-store.js';
import type { HostKeyRecord } from '../../host/trust/trust-store.js';
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

/** Both sides' digests: the devices' (@noble/hashes) and the host's (node:crypto). */
const digestSides: Array<[string, AuthDigests]> = [
  ['devices (@noble)', deviceDigests],
  ['host (node:crypto)', hostDigests],
];

for (const [side, { tokenId, tokenMac, verifyTokenMac, keyId }] of digestSides) describe(`token MAC and ids, ${side}`, () => {
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

  it('names a key by a short stable id', () => {
    const publicKey = newHostKey().publicKey;
    assert.match(keyId(publicKey), /^[A-Za-z0-9_-]{22}$/);
    assert.equal(keyId(publicKey), keyId(publicKey));
  });
});

it('the host and the devices compute the same token ids, MACs and key ids', () => {
  for (let i = 0; i < 20; i++) {
    const t = newKey();
    const ctx: AuthContext = { ...base, nonce: newId(), body: `v=0 ${'é✓'.repeat(i)}` };
    const key = newHostKey().publicKey;
    assert.equal(hostDigests.tokenId(t), deviceDigests.tokenId(t));
    assert.equal(hostDigests.tokenMac(t, ctx), deviceDigests.tokenMac(t, ctx));
    assert.ok(hostDigests.verifyTokenMac(t, ctx, deviceDigests.tokenMac(t, ctx)));
    assert.ok(deviceDigests.verifyTokenMac(t, ctx, hostDigests.tokenMac(t, ctx)));
    assert.equal(hostDigests.keyId(key), deviceDigests.keyId(key));
  }
});

/** One side's P-256 signatures: the devices' (@noble) or the host's (node:crypto). */
interface SignatureSide {
  name: string;
  newKey: () => HostKeyRecord;
  sign: (key: HostKeyRecord, ctx: AuthContext) => string;
  verify: (publicKey: string, ctx: AuthContext, signature: unknown) => boolean;
}

const sides: SignatureSide[] = [
  {
    name: 'devices (@noble, protocol/auth-signature.ts)',
    newKey: () => {
      const pair = newKeyPair();
      return { secretKey: toBase64Url(pair.secretKey), publicKey: toBase64Url(pair.publicKey) };
    },
    sign: (key, ctx) => signAuth(fromBase64Url(key.secretKey), ctx),
    verify: verifyAuthSignature,
  },
  { name: 'host (node:crypto, host/trust/host-signature.ts)', newKey: newHostKey, sign: (key, ctx) => new HostSigner(key).sign(ctx), verify: verifyDeviceSignature },
];

for (const side of sides) {
  describe(`P-256 signatures: ${side.name}`, () => {
    const key = side.newKey();

    it('signs and verifies; any change to the context or key fails', () => {
      const sig = side.sign(key, base);
      assert.match(sig, /^[A-Za-z0-9_-]{86}$/);
      assert.equal(side.verify(key.publicKey, base, sig), true);
      for (const [, change] of changes) assert.equal(side.verify(key.publicKey, { ...base, ...change }, sig), false);
      assert.equal(side.verify(side.newKey().publicKey, base, sig), false);
      assert.equal(side.verify(key.publicKey, base, flipChar(sig, 5)), false);
      for (const bad of ['', sig.slice(1), 7, null]) assert.equal(side.verify(key.publicKey, base, bad), false);
      assert.equal(side.verify('garbage', base, sig), false);
      // Right length, not a point on the curve; and a point written in another form (compressed-style prefix).
      assert.equal(side.verify(toBase64Url(new Uint8Array(65).fill(4)), base, sig), false);
      assert.equal(side.verify(toBase64Url(Uint8Array.of(2, ...fromBase64Url(key.publicKey).subarray(1))), base, sig), false);
    });

    it('accepts a signature made by WebCrypto (what browsers on secure origins use, high-S included)', async () => {
      const subtle = webcrypto.subtle;
      for (let i = 0; i < 8; i++) {
        const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
        const raw = new Uint8Array(await subtle.exportKey('raw', keys.publicKey));
        const sig = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, authInput(base)));
        assert.equal(side.verify(toBase64Url(raw), base, toBase64Url(sig)), true);
      }
    });

    for (const other of sides) {
      it(`signs what ${other.name} verifies`, () => {
        for (let i = 0; i < 8; i++) {
          const k = side.newKey();
          assert.equal(other.verify(k.publicKey, base, side.sign(k, base)), true);
        }
      });
    }

    it('makes raw keys: a 32-byte secret whose public key is the 65-byte uncompressed point beside it', () => {
      for (let i = 0; i < 16; i++) {
        const k = side.newKey();
        const secret = fromBase64Url(k.secretKey);
        assert.equal(secret.length, 32);
        assert.deepEqual(toBase64Url(p256.getPublicKey(secret, false)), k.publicKey);
      }
    });
  });
}

describe('the host key', () => {
  it('a damaged host key is refused when the host starts, with BAD_CONFIG, not at the first device', () => {
    const good = newHostKey();
    const notOnCurve: HostKeyRecord = { secretKey: good.secretKey, publicKey: toBase64Url(new Uint8Array(65).fill(4)) };
    const store = new MemoryTrustStore();
    store.hostKey = () => notOnCurve;
    assert.throws(() => new Authenticator(store), (err: Error & { code?: string }) => err.code === 'BAD_CONFIG' && /trust\.json/.test(err.message));
    assert.throws(() => new HostSigner(notOnCurve));
  });

  it('a host key whose secret and public halves are of two different keys is refused at start too', () => {
    // Both halves are valid on their own, so OpenSSL takes them; the host would then sign challenges
    // that every paired device rejects, and the user would see "not trusted" on each of them.
    const mixed: HostKeyRecord = { secretKey: newHostKey().secretKey, publicKey: newHostKey().publicKey };
    const store = new MemoryTrustStore();
    store.hostKey = () => mixed;
    assert.throws(() => new Authenticator(store), (err: Error & { code?: string }) => err.code === 'BAD_CONFIG' && /trust\.json/.test(err.message));
    assert.throws(() => new HostSigner(mixed), /do not match/);
  });

});
