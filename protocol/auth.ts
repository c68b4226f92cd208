/**
 * End-to-end authentication of the signaling handshake through an untrusted signal server.
 * Every offer is bound to a nonce the host issued fresh for that attempt (so an old signed offer cannot be
 * replayed), and carries either a MAC keyed by a pairing token from the link or a signature by the device's
 * own key; the host answers with a MAC (token) or a signature by its own key, which a paired device pins.
 * The SDPs inside hold the DTLS fingerprints, so a swapped SDP cannot pass. Devices hash and sign with
 * @noble because browsers on plain-http LAN addresses have no WebCrypto (auth-digests.ts,
 * auth-signature.ts); the host does the same in node:crypto (host/trust/host-digests.ts, host-signature.ts).
 */
import { fromBase64Url, toBase64Url, utf8 } from './encoding.js';

/** What a MAC or signature covers: the device's offer, the host's answer, or the host's refusal. */
export type AuthKind = 'offer' | 'answer' | 'reject';

/** Pattern of a base64url HMAC-SHA256 (32 bytes). */
export const MAC_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Pattern of a base64url P-256 ECDSA signature in its compact r‖s form (64 bytes). */
export const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{86}$/;
/** Pattern of a base64url uncompressed P-256 public key (65 bytes). */
export const PUBLIC_KEY_PATTERN = /^[A-Za-z0-9_-]{87}$/;
/** Pattern of a base64url P-256 secret scalar (32 bytes). */
export const SECRET_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The fields every authenticated signaling message is bound to. */
export interface AuthContext {
  kind: AuthKind;
  sessionId: string;
  peerId: string;
  /** The host's fresh nonce for this attempt. */
  nonce: string;
  /** The SDP (offer, answer) or the error code (reject). */
  body: string;
}

/** The bytes a MAC or signature covers: length-prefixed, so no field can shift bytes into another. */
export function authInput(ctx: AuthContext): Uint8Array {
  const parts = ['tether-auth-v2', ctx.kind, ctx.sessionId, ctx.peerId, ctx.nonce, ctx.body].map((p) => utf8(p));
  const total = parts.reduce((n, p) => n + 4 + p.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint32(at, p.length);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/** Constant-time comparison of two strings of equal length. */
function sameString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** SHA-256 and HMAC-SHA256, from whichever implementation the side has. */
export interface Sha256Primitives {
  sha256(bytes: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, bytes: Uint8Array): Uint8Array;
}

/** The handshake's hashes and MACs; both sides compute the same bytes, each with its own primitives. */
export interface AuthDigests {
  /**
   * The public handle of a pairing token: what a device sends so the host can find the token without the
   * secret itself ever crossing the signal server.
   */
  tokenId(token: string): string;
  /** The base64url HMAC-SHA256 of `ctx`, keyed by a pairing token. */
  tokenMac(token: string, ctx: AuthContext): string;
  /** Verifies a token MAC in constant time; false for any malformed input. */
  verifyTokenMac(token: string, ctx: AuthContext, mac: unknown): boolean;
  /** A short, stable id of a public key (what a device looks its credential up by). */
  keyId(publicKey: string): string;
}

export function authDigests(p: Sha256Primitives): AuthDigests {
  const tokenMac = (token: string, ctx: AuthContext): string => toBase64Url(p.hmacSha256(fromBase64Url(token), authInput(ctx)));
  return {
    tokenId: (token) => toBase64Url(p.sha256(utf8(`tether-token-id-v1:${token}`)).subarray(0, 16)),
    tokenMac,
    verifyTokenMac(token, ctx, mac) {
      if (typeof mac !== 'string' || !MAC_PATTERN.test(mac)) return false;
      let expected: string;
      try {
        expected = tokenMac(token, ctx);
      } catch {
        // A token that does not decode authenticates nothing.
        return false;
      }
      return sameString(expected, mac);
    },
    keyId: (publicKey) => toBase64Url(p.sha256(fromBase64Url(publicKey)).subarray(0, 16)),
  };
}
