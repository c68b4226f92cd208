/**
 * A trust store kept in the host's store, so a restarted host keeps its key, its links' tokens and its
 * paired devices: the same link and the same paired devices work after a restart. A stand-in until the
 * user-wide trust store of issue #9 lands; it implements the same TrustStore interface.
 */
import { toBase64Url } from '../../protocol/encoding.js';
import { newKeyPair } from '../../protocol/auth.js';
import type { CredentialRecord, HostKeyRecord, TokenRecord, TrustStore } from '../trust/trust-store.js';
import type { Database } from 'lmdb';
import type { SessionStore } from './session-store.js';

/** Tokens that expired or were revoked this long ago are forgotten. */
const FORGET_TOKENS_AFTER_MS = 7 * 86_400_000;

/** Trust records in the store (writes are rare and synchronous: the interface is). */
export class StoredTrustStore implements TrustStore {
  private readonly key: HostKeyRecord;
  private readonly tokenDb: Database<TokenRecord, [string]>;
  private readonly credentialDb: Database<CredentialRecord, [string]>;

  constructor(store: SessionStore) {
    const keys = store.table<HostKeyRecord>('trust-host-key');
    this.tokenDb = store.table<TokenRecord>('trust-tokens') as Database<TokenRecord, [string]>;
    this.credentialDb = store.table<CredentialRecord>('trust-credentials') as Database<CredentialRecord, [string]>;
    const existing = keys.get(['host']);
    if (existing) this.key = existing;
    else {
      const pair = newKeyPair();
      this.key = { secretKey: toBase64Url(pair.secretKey), publicKey: toBase64Url(pair.publicKey) };
      keys.putSync(['host'], this.key);
    }
    const now = Date.now();
    for (const t of this.tokens()) {
      const over = t.revokedAt ?? t.expiresAt;
      if (over !== null && now - over > FORGET_TOKENS_AFTER_MS) this.tokenDb.removeSync([t.id]);
    }
  }

  hostKey(): HostKeyRecord {
    return this.key;
  }
  putToken(token: TokenRecord): void {
    this.tokenDb.putSync([token.id], token);
  }
  token(id: string): TokenRecord | null {
    return this.tokenDb.get([id]) ?? null;
  }
  tokens(): TokenRecord[] {
    return [...this.tokenDb.getRange({})].map((e) => e.value);
  }
  putCredential(credential: CredentialRecord): void {
    this.credentialDb.putSync([credential.id], credential);
  }
  credential(id: string): CredentialRecord | null {
    return this.credentialDb.get([id]) ?? null;
  }
  credentials(): CredentialRecord[] {
    return [...this.credentialDb.getRange({})].map((e) => e.value);
  }
  deleteCredential(id: string): void {
    this.credentialDb.removeSync([id]);
  }
}
