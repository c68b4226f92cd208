/**
 * The devices' handshake digests (see auth.ts), in @noble/hashes: a browser on a plain-http LAN address
 * has no WebCrypto, and the same code serves the Node client. The host computes the same bytes in
 * node:crypto (host/trust/host-digests.ts).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { authDigests } from './auth.js';

export const { tokenId, tokenMac, verifyTokenMac, keyId } = authDigests({ sha256, hmacSha256: (key, bytes) => hmac(sha256, key, bytes) });
