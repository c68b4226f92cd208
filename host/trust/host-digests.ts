/**
 * The host's handshake digests (see protocol/auth.ts) in node:crypto: the same bytes devices compute with
 * @noble/hashes (protocol/auth-digests.ts), without running a JavaScript SHA-256 in every host (issue #14:
 * its hot loop was one of the few functions V8 optimized in a host at rest).
 */
import { createHash, createHmac } from 'node:crypto';
import { authDigests } from '../../protocol/auth.js';

export const { tokenId, tokenMac, verifyTokenMac, keyId } = authDigests({
  sha256: (bytes) => createHash('sha256').update(bytes).digest(),
  hmacSha256: (key, bytes) => createHmac('sha256', key).update(bytes).digest(),
});
