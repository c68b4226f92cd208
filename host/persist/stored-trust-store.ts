/**
 * A trust store kept in the host's store, so a restarted host keeps its key, its links' tokens and its
 * paired devices: the same link and the same paired devices work after a restart. A stand-in until the
 * user-wide trust store of issue #9 lands; it implements the same TrustStore interface.
 */
import { toBase64Url } from '../../protocol/encoding.js';
import { newKeyPair } from '../../protocol/auth.js';
import type { CredentialRecord, HostKeyRecord, TokenRecord, TrustStore } from '../trust/trust-store.js';
import type { SessionStore } from './session-store.js';

/** Tokens that expired or were revoked this long ago are forgotten. */
const FORGET_TOKENS_AFTER_MS = 7 * 86_400_000;

/** Trust records in the store (writes are rare and synchronous: the interface is). */
export class StoredTrustStore implements TrustStore {
  private readonly key: HostKeyRecord;

  constructor(private readonly store: SessionStore) {
    const db = store.trust;
    const existing = db.get(['host-key']) as HostKeyRecord | undefined;
    if (existing) this.key = existing;
    else {
      const pair = newKeyPair();
      this.key = { secretKey: toBase64Url(pair.secretKey), publicKey: toBase64Url(pair.publicKey) };
      db.putSync(['host-key'], this.key);
    }
    const now = Date.now();
    for (const t of this.tokens()) {
      const over = t.revokedAt ?? t.expiresAt;
      if (over !== null && now - over > FORGET_TOKENS_AFTER_MS) db.removeSync(['token', t.id]);
    }
  }

  hostKey(): HostKeyRecord {
    return this.key;
  }
  putToken(token: TokenRecord): void {
    this.store.trust.putSync(['token', token.id], token);
  }
  token(id: string): TokenRecord | null {
    return (this.store.trust.get(['token', id]) as TokenRecord | undefined) ?? null;
  }
  tokens(): TokenRecord[] {
    return [...this.store.trust.getRange({ start: ['token'], end: ['token', '\uffff'] })].map((e) => e.value as TokenRecord);
  }
  putCredential(credential: CredentialRecord): void {
    this.store.trust.putSync(['credential', credential.id], credential);
  }
  credential(id: string): CredentialRecord | null {
    return (this.store.trust.get(['credential', id]) as CredentialRecord | undefined) ?? null;
  }
  credentials(): CredentialRecord[] {
    return [...this.store.trust.getRange({ start: ['credential'], end: ['credential', '\uffff'] })].map((e) => e.value as CredentialRecord);
  }
  deleteCredential(id: string): void {
    this.store.trust.removeSync(['credential', id]);
  }
}
