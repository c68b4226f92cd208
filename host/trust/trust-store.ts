/**
 * What the host's user trusts: the host's own key pair, the pairing tokens it minted (each with a role, a
 * scope and an expiry) and the devices it paired (each a pinned public key with a name and a role).
 * Credentials belong to the user, not to a session; tokens belong to one share (its scope).
 */
import type { Role } from '../../protocol/roles.js';

/** A pairing token as the host keeps it. */
export interface TokenRecord {
  /** tokenId(secret): how devices refer to it. */
  id: string;
  /** The secret in the link's fragment (needed to check and return MACs). */
  secret: string;
  role: Role;
  /** The share it opens (a server's id or an interactive share's id). */
  scope: string;
  createdAt: number;
  /** Wall-clock expiry (ms since epoch), or null for a link minted with --link-ttl never. */
  expiresAt: number | null;
  /** Set when the token was revoked (share stopped, revoke all…); kept a while to answer plainly. */
  revokedAt: number | null;
}

/** A paired device. */
export interface CredentialRecord {
  /** Host-assigned id shown everywhere as the device id. */
  id: string;
  /** Its pinned public key (base64url uncompressed P-256). */
  publicKey: string;
  name: string;
  kind: 'browser' | 'terminal';
  role: Role;
  /** The token it paired with (revoking the device revokes that link too). */
  pairedWith: string | null;
  createdAt: number;
  lastSeen: number;
}

/** The host's own identity. */
export interface HostKeyRecord {
  secretKey: string;
  publicKey: string;
}

/** Storage of the trust records (in memory, or persisted per user). */
export interface TrustStore {
  hostKey(): HostKeyRecord;
  putToken(token: TokenRecord): void;
  token(id: string): TokenRecord | null;
  tokens(): TokenRecord[];
  putCredential(credential: CredentialRecord): void;
  credential(id: string): CredentialRecord | null;
  credentials(): CredentialRecord[];
  deleteCredential(id: string): void;
}
