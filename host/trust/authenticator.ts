/**
 * The host's side of the handshake's trust: checks a device's offer (a pairing token's MAC, or a paired
 * device's signature), authenticates the answer and refusals, mints and revokes pairing tokens, and pairs
 * devices: a device that connected with a token and sent its public key gets a credential, pinned here.
 */
import { keyId, signAuth, tokenId, tokenMac, verifyAuthSignature, verifyTokenMac, type AuthContext } from '../../protocol/auth.js';
import { fromBase64Url } from '../../protocol/encoding.js';
import { newId, newKey } from '../../protocol/ids.js';
import { TetherError } from '../../protocol/errors.js';
import type { OfferAuth } from '../../protocol/signaling.js';
import type { ClientHello } from '../../protocol/messages.js';
import type { Role } from '../../protocol/roles.js';
import type { CredentialRecord, TokenRecord, TrustStore } from './trust-store.js';

/** What a verified offer grants. */
export interface Grant {
  method: 'token' | 'device';
  role: Role;
  tokenId: string | null;
  credentialId: string | null;
}

/** The outcome of checking an offer. `authenticated` says whether a refusal can be signed for the device. */
export type OfferVerdict = { ok: true; grant: Grant } | { ok: false; error: TetherError; authenticated: boolean };

/** Who a connected device is, as the host records it (never as the device says). */
export interface DeviceIdentity {
  /** The credential id once paired; a connection-scoped id for a device that could not pair. */
  deviceId: string;
  name: string;
  kind: 'browser' | 'terminal';
  role: Role;
  /** True when this connection created the credential. */
  paired: boolean;
  credentialId: string | null;
}

/** A freshly minted link secret. */
export interface MintedToken {
  secret: string;
  record: TokenRecord;
}

/** Checks and signs the handshake for one host user. */
export class Authenticator {
  /** The host's public key (base64url) and its short id. */
  readonly hostKey: string;
  readonly hostKeyId: string;
  private readonly secretKey: Uint8Array;

  constructor(readonly store: TrustStore) {
    const key = store.hostKey();
    this.hostKey = key.publicKey;
    this.hostKeyId = keyId(key.publicKey);
    this.secretKey = fromBase64Url(key.secretKey);
  }

  /** Mints a pairing token for `scope` with `role`, valid for `ttlMs` (null: until revoked). */
  mintToken(scope: string, role: Role, ttlMs: number | null, now = Date.now()): MintedToken {
    const secret = newKey();
    const record: TokenRecord = { id: tokenId(secret), secret, role, scope, createdAt: now, expiresAt: ttlMs === null ? null : now + ttlMs, revokedAt: null };
    this.store.putToken(record);
    return { secret, record };
  }

  /** Revokes every token of a share (its links stop working for good). */
  revokeScope(scope: string, now = Date.now()): void {
    for (const t of this.store.tokens()) if (t.scope === scope && t.revokedAt === null) this.store.putToken({ ...t, revokedAt: now });
  }

  /** Checks an offer for the share `scope`; `ctx` is the offer's authenticated context. */
  verifyOffer(scope: string, ctx: AuthContext, auth: OfferAuth, now = Date.now()): OfferVerdict {
    if (auth.method === 'token') {
      const token = this.store.token(auth.tokenId);
      if (!token || token.scope !== scope) {
        return { ok: false, authenticated: false, error: new TetherError('KEY_REJECTED') };
      }
      if (!verifyTokenMac(token.secret, ctx, auth.mac)) {
        return { ok: false, authenticated: true, error: new TetherError('KEY_REJECTED', 'the host rejected this connection: its signaling failed authentication (the signal server may be tampering with it)') };
      }
      if (token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now)) {
        return { ok: false, authenticated: true, error: new TetherError('LINK_EXPIRED') };
      }
      return { ok: true, grant: { method: 'token', role: token.role, tokenId: token.id, credentialId: null } };
    }
    const credential = this.store.credential(auth.credentialId);
    if (!credential) return { ok: false, authenticated: false, error: new TetherError('DEVICE_UNKNOWN') };
    if (!verifyAuthSignature(credential.publicKey, ctx, auth.sig)) {
      return { ok: false, authenticated: true, error: new TetherError('KEY_REJECTED', 'the host rejected this device\'s signature (the signal server may be tampering with the connection)') };
    }
    return { ok: true, grant: { method: 'device', role: credential.role, tokenId: null, credentialId: credential.id } };
  }

  /** Authenticates a message to the device: a MAC with its token, or the host key's signature. */
  sign(auth: OfferAuth | Grant, ctx: AuthContext): { mac?: string; sig?: string } {
    if (auth.method === 'token' && auth.tokenId) {
      const token = this.store.token(auth.tokenId);
      return token ? { mac: tokenMac(token.secret, ctx) } : {};
    }
    return { sig: signAuth(this.secretKey, ctx) };
  }

  /**
   * Who the device is. A device that connected with a token and sent a public key is paired (or, if that
   * key is already paired, recognised); a device that connected with its credential is what the record says.
   */
  identify(grant: Grant, hello: ClientHello, now = Date.now()): DeviceIdentity {
    if (grant.credentialId) {
      const c = this.store.credential(grant.credentialId);
      if (!c) throw new TetherError('DEVICE_UNKNOWN');
      this.store.putCredential({ ...c, lastSeen: now });
      return { deviceId: c.id, name: c.name, kind: c.kind, role: c.role, paired: false, credentialId: c.id };
    }
    if (!hello.publicKey) {
      return { deviceId: newId(), name: hello.deviceName, kind: hello.deviceKind, role: grant.role, paired: false, credentialId: null };
    }
    const known = this.store.credentials().find((c) => c.publicKey === hello.publicKey);
    if (known) {
      this.store.putCredential({ ...known, lastSeen: now });
      return { deviceId: known.id, name: known.name, kind: known.kind, role: known.role, paired: false, credentialId: known.id };
    }
    const record: CredentialRecord = {
      id: newId(),
      publicKey: hello.publicKey,
      name: hello.deviceName,
      kind: hello.deviceKind,
      role: grant.role,
      pairedWith: grant.tokenId,
      createdAt: now,
      lastSeen: now,
    };
    this.store.putCredential(record);
    return { deviceId: record.id, name: record.name, kind: record.kind, role: record.role, paired: true, credentialId: record.id };
  }
}
