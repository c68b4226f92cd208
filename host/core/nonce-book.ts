/**
 * Fresh nonces for the signaling handshake: one per connection attempt, bound into the offer's MAC or
 * signature, used at most once and only within a short lifetime, so a recorded offer cannot be replayed.
 */
import { newId } from '../../protocol/ids.js';

/** How long a device has to send its offer after the challenge. */
const NONCE_TTL_MS = 30_000;
/** Most outstanding nonces; the oldest are forgotten first (a flood cannot grow memory). */
const MAX_NONCES = 10_000;

/** Issues and consumes handshake nonces. */
export class NonceBook {
  /** `${peerId}:${nonce}` → expiry (ms since epoch), in issue order. */
  private readonly issued = new Map<string, number>();

  /** A new nonce for `peerId`'s next offer. */
  issue(peerId: string, now = Date.now()): string {
    const nonce = newId();
    this.issued.set(`${peerId}:${nonce}`, now + NONCE_TTL_MS);
    while (this.issued.size > MAX_NONCES) this.issued.delete(this.issued.keys().next().value as string);
    return nonce;
  }

  /** True (once) when `nonce` was issued to `peerId` and has not expired. */
  consume(peerId: string, nonce: string, now = Date.now()): boolean {
    const key = `${peerId}:${nonce}`;
    const expiry = this.issued.get(key);
    if (expiry === undefined) return false;
    this.issued.delete(key);
    return expiry >= now;
  }
}
