/** A trust store that lives only as long as the process (tests, and hosts without a state folder). */
import { newHostKey } from './host-signature.js';
import type { CredentialRecord, HostKeyRecord, TokenRecord, TrustStore } from './trust-store.js';

/** Trust records in memory. */
export class MemoryTrustStore implements TrustStore {
  private readonly key: HostKeyRecord;
  private readonly tokenMap = new Map<string, TokenRecord>();
  private readonly credentialMap = new Map<string, CredentialRecord>();

  constructor() {
    this.key = newHostKey();
  }

  hostKey(): HostKeyRecord {
    return this.key;
  }
  putToken(token: TokenRecord): void {
    this.tokenMap.set(token.id, { ...token });
  }
  token(id: string): TokenRecord | null {
    const t = this.tokenMap.get(id);
    return t ? { ...t } : null;
  }
  tokens(): TokenRecord[] {
    return [...this.tokenMap.values()].map((t) => ({ ...t }));
  }
  putCredential(credential: CredentialRecord): void {
    this.credentialMap.set(credential.id, { ...credential });
  }
  credential(id: string): CredentialRecord | null {
    const c = this.credentialMap.get(id);
    return c ? { ...c } : null;
  }
  credentials(): CredentialRecord[] {
    return [...this.credentialMap.values()].map((c) => ({ ...c }));
  }
  deleteCredential(id: string): void {
    this.credentialMap.delete(id);
  }
}
