/**
 * End-to-end authentication of offers and answers through an untrusted signal server.
 * The MAC is HMAC-SHA256, keyed by the URL's key, over the kind, session id, peer id and SDP
 * (the SDP holds the DTLS fingerprint, so a swapped SDP cannot pass). @noble/hashes because
 * browsers on plain-http LAN addresses have no WebCrypto.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toBase64Url, utf8 } from './encoding.js';

/** Which signed message: the joining device's offer or the host's answer. */
export type SignedKind = 'offer' | 'answer';

function macInput(kind: SignedKind, sessionId: string, peerId: string, sdp: string): Uint8Array {
  // Length-prefixed fields: no separator inside one field can shift bytes into another.
  const parts = ['tether-mac-v1', kind, sessionId, peerId, sdp].map((p) => utf8(p));
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

/** Computes the base64url MAC of a signed offer or answer. */
export function signSdp(key: string, kind: SignedKind, sessionId: string, peerId: string, sdp: string): string {
  return toBase64Url(hmac(sha256, fromBase64Url(key), macInput(kind, sessionId, peerId, sdp)));
}

/** Verifies a MAC in constant time; false for any malformed input. */
export function verifySdp(
  key: string,
  kind: SignedKind,
  sessionId: string,
  peerId: string,
  sdp: string,
  mac: string,
): boolean {
  let expected: string;
  try {
    expected = signSdp(key, kind, sessionId, peerId, sdp);
  } catch {
    // An undecodable key verifies nothing.
    return false;
  }
  // Compare the canonical encodings, so only one spelling of a MAC verifies.
  if (typeof mac !== 'string' || mac.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ mac.charCodeAt(i);
  return diff === 0;
}
