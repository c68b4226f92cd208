/**
 * Fuzz properties of handshake authentication (protocol/auth.ts, the devices' signatures in
 * protocol/auth-signature.ts, the host's in host/trust/host-signature.ts, and the host's Authenticator):
 * random or damaged MACs, signatures, keys and contexts verify as false on either side and never throw;
 * only the genuine article verifies, on both sides, and changing any bound field breaks it.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { authInput, type AuthContext, type AuthKind } from '../../protocol/auth.js';
import { tokenId, tokenMac, verifyTokenMac } from '../../protocol/auth-digests.js';
import * as hostDigests from '../../host/trust/host-digests.js';
import { newKeyPair, signAuth, verifyAuthSignature } from '../../protocol/auth-signature.js';
import { toBase64Url } from '../../protocol/encoding.js';
import { Authenticator } from '../../host/trust/authenticator.js';
import { HostSigner, verifyDeviceSignature } from '../../host/trust/host-signature.js';
import { MemoryTrustStore } from '../../host/trust/memory-trust-store.js';
import { fuzzProperty, type FuzzProperty } from './fuzz-property.js';
import { hostileJson, hostileString, mutateText } from './mutations.js';
import { aKey, aMac, anId, aPublicKey, aSignature } from './valid-messages.js';

const field = fc.oneof({ weight: 3, arbitrary: anId }, { weight: 1, arbitrary: hostileString({ maxHuge: 5_000 }) });
const context: fc.Arbitrary<AuthContext> = fc.record({
  kind: fc.constantFrom<AuthKind>('offer', 'answer', 'reject'),
  sessionId: field,
  peerId: field,
  nonce: field,
  body: fc.oneof(fc.string({ maxLength: 300 }), hostileString({ maxHuge: 5_000 })),
});

/** One field of a context changed to something else. */
const otherContext = fc.tuple(context, fc.constantFrom('kind', 'sessionId', 'peerId', 'nonce', 'body'), fc.string({ maxLength: 30 })).map(([ctx, key, value]) => {
  const changed = { ...ctx } as Record<string, string>;
  changed[key] = key === 'kind' ? (ctx.kind === 'offer' ? 'answer' : 'offer') : `${ctx[key as keyof AuthContext]}${value}x`;
  return [ctx, changed as unknown as AuthContext] as const;
});

/** A MAC or signature as an attacker might send it: random, damaged, a wrong type, or nothing. */
function forged(shape: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.oneof(shape, mutateText(shape), hostileString({ maxHuge: 2_000 }), hostileJson(), fc.constant(undefined));
}

/** One host user's trust store: a live token, an expired one, and a paired device. */
const store = new MemoryTrustStore();
const authenticator = new Authenticator(store);
const live = authenticator.mintToken('scope', 'control', null);
const expired = authenticator.mintToken('scope', 'owner', 1_000, Date.now() - 60_000);
const hostSigner = new HostSigner(store.hostKey());
const device = newKeyPair();
const devicePublic = toBase64Url(device.publicKey);
const paired = authenticator.identify({ method: 'token', role: 'control', tokenId: live.record.id, credentialId: null }, { type: 'hello', v: 2, side: 'client', deviceName: 'fuzz', deviceKind: 'terminal', publicKey: devicePublic });

/** Authentication properties: MACs, signatures and the host's verification of offers. */
export const authProperties: FuzzProperty[] = [
  fuzzProperty({
    name: 'auth/token-mac',
    arbitrary: fc.tuple(fc.oneof(aKey, hostileString({ maxHuge: 2_000 })), context, forged(aMac)),
    check: ([token, ctx, mac]) => {
      assert.ok(authInput(ctx) instanceof Uint8Array);
      assert.equal(typeof tokenId(token), 'string');
      const ok = verifyTokenMac(token, ctx, mac);
      assert.equal(typeof ok, 'boolean');
      // A guess never verifies (2^-256); if it does, it must be the real MAC.
      if (ok) assert.equal(mac, tokenMac(token, ctx));
      // The host (node:crypto) decides exactly as the devices (@noble) do, on any input.
      assert.equal(hostDigests.tokenId(token), tokenId(token));
      assert.equal(hostDigests.verifyTokenMac(token, ctx, mac), ok);
    },
    runs: { short: 300, long: 8_000 },
  }),
  fuzzProperty({
    name: 'auth/token-mac-binds-every-field',
    arbitrary: fc.tuple(aKey, otherContext),
    check: ([token, [ctx, changed]]) => {
      const mac = tokenMac(token, ctx);
      assert.equal(hostDigests.tokenMac(token, ctx), mac);
      assert.ok(verifyTokenMac(token, ctx, mac));
      assert.ok(!verifyTokenMac(token, changed, mac), 'a MAC verifies for another context');
    },
    runs: { short: 200, long: 5_000 },
  }),
  fuzzProperty({
    name: 'auth/signature',
    arbitrary: fc.tuple(fc.oneof(aPublicKey, fc.constant(devicePublic), hostileString({ maxHuge: 2_000 })), context, forged(aSignature)),
    check: ([publicKey, ctx, sig]) => {
      for (const verify of [verifyAuthSignature, verifyDeviceSignature]) {
        const ok = verify(publicKey, ctx, sig);
        assert.equal(typeof ok, 'boolean');
        assert.ok(!ok, `a guessed signature verified (${verify.name})`);
      }
    },
    runs: { short: 100, long: 3_000 },
  }),
  fuzzProperty({
    name: 'auth/signature-binds-every-field',
    arbitrary: otherContext,
    check: ([ctx, changed]) => {
      // A device's signature (noble) as the host checks it (OpenSSL), and the host's as a device checks it.
      const sig = signAuth(device.secretKey, ctx);
      for (const verify of [verifyAuthSignature, verifyDeviceSignature]) {
        assert.ok(verify(devicePublic, ctx, sig), `${verify.name} refused a device's genuine signature`);
        assert.ok(!verify(devicePublic, changed, sig), `${verify.name}: a signature verifies for another context`);
      }
      const hostSig = hostSigner.sign(ctx);
      for (const verify of [verifyAuthSignature, verifyDeviceSignature]) {
        assert.ok(verify(authenticator.hostKey, ctx, hostSig), `${verify.name} refused the host's genuine signature`);
        assert.ok(!verify(authenticator.hostKey, changed, hostSig), `${verify.name}: the host's signature verifies for another context`);
      }
    },
    runs: { short: 20, long: 300 },
  }),
  fuzzProperty({
    name: 'auth/host-verifies-offers',
    arbitrary: fc.tuple(
      context,
      fc.oneof(
        fc.record({ method: fc.constant('token' as const), tokenId: fc.oneof(anId, fc.constant(live.record.id), fc.constant(expired.record.id)), mac: aMac }),
        fc.record({ method: fc.constant('device' as const), credentialId: fc.oneof(anId, fc.constant(paired.deviceId)), sig: aSignature }),
      ),
      fc.boolean(),
    ),
    check: ([ctx, auth, genuine]) => {
      // Half the time the proof is real (for whichever token or credential the offer names).
      if (genuine && auth.method === 'token') {
        const t = store.token(auth.tokenId);
        if (t) auth = { ...auth, mac: tokenMac(t.secret, ctx) };
      } else if (genuine && auth.method === 'device' && auth.credentialId === paired.deviceId) auth = { ...auth, sig: signAuth(device.secretKey, ctx) };
      const verdict = authenticator.verifyOffer('scope', ctx, auth);
      const isLive = auth.method === 'token' ? auth.tokenId === live.record.id : auth.credentialId === paired.deviceId;
      if (verdict.ok) assert.ok(genuine && isLive, 'an offer was accepted without a genuine proof for a live token or device');
      else if (genuine && isLive) assert.fail(`a genuine offer was refused: ${verdict.error.code}`);
    },
    runs: { short: 100, long: 3_000 },
  }),
];
