/**
 * P-256 signatures of the handshake as devices make and check them (browsers without WebCrypto, and
 * `tether attach`): ECDSA over SHA-256 of authInput, compact r‖s, base64url. The host makes and checks the
 * same signatures with node:crypto (host/trust/host-signature.ts), which spares every host @noble's
 * precomputed tables and BigInt code.
 */
import { p256 } from '@noble/curves/nist.js';
import { authInput, PUBLIC_KEY_PATTERN, SIGNATURE_PATTERN, type AuthContext } from './auth.js';
import { fromBase64Url, toBase64Url } from './encoding.js';

/** A P-256 key pair held as raw bytes (Node, and browsers without WebCrypto). */
export interface RawKeyPair {
  /** 32-byte secret scalar. */
  secretKey: Uint8Array;
  /** 65-byte uncompressed public key. */
  publicKey: Uint8Array;
}

/** A new P-256 key pair. */
export function newKeyPair(): RawKeyPair {
  const { secretKey, publicKey } = p256.keygen();
  return { secretKey, publicKey: p256.getPublicKey(secretKey, false) };
}

/** Signs `ctx` with a raw secret key: ECDSA P-256 over SHA-256, compact r‖s, base64url. */
export function signAuth(secretKey: Uint8Array, ctx: AuthContext): string {
  return toBase64Url(p256.sign(authInput(ctx), secretKey, { prehash: true, lowS: true }));
}

/**
 * Verifies a signature over `ctx` by `publicKey` (base64url). High-S signatures are accepted because
 * WebCrypto produces them; the nonce and the pinned key, not signature uniqueness, stop replays.
 */
export function verifyAuthSignature(publicKey: string, ctx: AuthContext, signature: unknown): boolean {
  if (typeof signature !== 'string' || !SIGNATURE_PATTERN.test(signature) || !PUBLIC_KEY_PATTERN.test(publicKey)) return false;
  try {
    return p256.verify(fromBase64Url(signature), authInput(ctx), fromBase64Url(publicKey), { prehash: true, lowS: false });
  } catch {
    // A key or signature that does not decode verifies nothing.
    return false;
  }
}
