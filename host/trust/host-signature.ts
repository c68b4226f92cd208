/**
 * The host's P-256 signatures in node:crypto (OpenSSL): the same keys and signatures devices make and
 * check with @noble (protocol/auth-signature.ts) — a raw 32-byte secret and a 65-byte uncompressed
 * public key, ECDSA over SHA-256 of authInput in compact r‖s form — without loading @noble's curve code
 * and its precomputed tables into every host (issue #14; measured in a bare process: +12 MB RSS and
 * ~70–100 ms for @noble's import and first key, against +3.5 MB and ~3 ms).
 */
import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { authInput, PUBLIC_KEY_PATTERN, SIGNATURE_PATTERN, type AuthContext } from '../../protocol/auth.js';
import { fromBase64Url, toBase64Url } from '../../protocol/encoding.js';
import type { HostKeyRecord } from './trust-store.js';

/** Bytes of a P-256 coordinate and of its secret scalar. */
const FIELD_BYTES = 32;

/** `bytes` left-padded with zeros to `length` (JWK drops no zeros, but a raw key must never be short). */
function padded(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length >= length) return bytes;
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}

/** The JWK coordinates of a 65-byte uncompressed public key; throws if it is not one. */
function coordinates(publicKey: Uint8Array): { x: string; y: string } {
  if (publicKey.length !== 1 + 2 * FIELD_BYTES || publicKey[0] !== 0x04) throw new Error('not an uncompressed P-256 public key');
  return { x: toBase64Url(publicKey.subarray(1, 1 + FIELD_BYTES)), y: toBase64Url(publicKey.subarray(1 + FIELD_BYTES)) };
}

/** A new host key, base64url-encoded as the trust store keeps it. */
export function newHostKey(): HostKeyRecord {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'jwk' });
  const x = padded(fromBase64Url(jwk.x!), FIELD_BYTES);
  const y = padded(fromBase64Url(jwk.y!), FIELD_BYTES);
  const publicKey = new Uint8Array(1 + 2 * FIELD_BYTES);
  publicKey[0] = 0x04;
  publicKey.set(x, 1);
  publicKey.set(y, 1 + FIELD_BYTES);
  return { secretKey: toBase64Url(padded(fromBase64Url(jwk.d!), FIELD_BYTES)), publicKey: toBase64Url(publicKey) };
}

/** Signs handshake contexts with the host key (the key object is made once: OpenSSL checks the point then). */
export class HostSigner {
  private readonly key: KeyObject;

  /** Throws when the record is not a P-256 key pair (a damaged or hand-mixed trust file). */
  constructor(record: HostKeyRecord) {
    const publicKey = fromBase64Url(record.publicKey);
    const { x, y } = coordinates(publicKey);
    this.key = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', d: record.secretKey, x, y }, format: 'jwk' });
    // OpenSSL takes the secret and the public point of two different keys as long as each is valid; the host
    // would then sign challenges that no paired device accepts. The secret's own point must be the record's.
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(padded(fromBase64Url(record.secretKey), FIELD_BYTES));
    if (!timingSafeEqual(ecdh.getPublicKey(), publicKey)) throw new Error('the host key\'s secret and public halves do not match');
  }

  /** ECDSA P-256 over SHA-256 of `ctx`'s auth input, compact r‖s, base64url. */
  sign(ctx: AuthContext): string {
    return toBase64Url(sign('sha256', authInput(ctx), { key: this.key, dsaEncoding: 'ieee-p1363' }));
  }
}

/**
 * Verifies a device's signature over `ctx` by `publicKey` (base64url); false for anything malformed.
 * High-S signatures are accepted, as on the devices' side: WebCrypto makes them.
 */
export function verifyDeviceSignature(publicKey: string, ctx: AuthContext, signature: unknown): boolean {
  if (typeof signature !== 'string' || !SIGNATURE_PATTERN.test(signature) || !PUBLIC_KEY_PATTERN.test(publicKey)) return false;
  try {
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', ...coordinates(fromBase64Url(publicKey)) }, format: 'jwk' });
    return verify('sha256', authInput(ctx), { key, dsaEncoding: 'ieee-p1363' }, fromBase64Url(signature));
  } catch {
    // A key that is not a point on the curve, or a signature OpenSSL cannot read, verifies nothing.
    return false;
  }
}
