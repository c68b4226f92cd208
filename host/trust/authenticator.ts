/**
 * The host's side of the handshake's trust: checks a device's offer (a pairing token's MAC, or a paired
 * device's signature), authenticates the answer and refusals, mints and revokes pairing tokens, and pairs
 * devices: a device that connected with a token and sent its public key gets a credential, pinned here —
 * or, when new devices need confirmation, a pending credential that exists only in memory until a person
 * allows it. Revoking a device forgets its credential and revokes the token it paired with.
 */
import type { AuthContext } from '../../protocol/auth.js';
import { keyId, tokenId, tokenMac, verifyTokenMac } from './host-digests.js';
import { newId, newKey } from '../../protocol/ids.js';
import { TetherError } from '../../protocol/errors.js';
import type { OfferAuth } from '../../protocol/signaling.js';
import type { ClientHello } from '../../protocol/messages.js';
import type { Role } from '../../protocol/roles.js';
import { HostSigner, verifyDeviceSignature } from './host-signature.js';
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
  /** True while the device waits for a person to allow it (nothing is served until then). */
  pending: boolean;
}

/** A device that paired with a token and waits for a person to allow it. */
export interface PendingDevice {
  /** The credential id it will have once allowed (it already signs with it while it waits). */
  id: string;
  publicKey: string;
  name: string;
  kind: 'browser' | 'terminal';
  /** The role of the token it paired with (what "allow" grants; "allow view-only" grants view). */
  role: Role;
  pairedWith: string | null;
  since: number;
}

/** Most devices waiting at once; the oldest request is dropped beyond it. */
const MAX_PENDING = 64;
/**
 * Paired devices kept at most. Anyone holding a valid link can pair, so without a cap a leaked link
 * could grow the trust store (read on every join) without end; past it, pairing is refused, never
 * evicting a device the user paired.
 */
export const MAX_PAIRED_DEVICES = 256;

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
  private readonly signer: HostSigner;
  private readonly pendingDevices = new Map<string, PendingDevice>();
  /** New devices wait for a person to allow them (--confirm-devices, or the policy). */
  confirmNewDevices = false;
  /** Runs before a new credential is pinned (the audit log); throwing refuses the pairing. */
  beforePair: ((record: CredentialRecord) => void) | null = null;

  constructor(readonly store: TrustStore) {
    const key = store.hostKey();
    this.hostKey = key.publicKey;
    this.hostKeyId = keyId(key.publicKey);
    try {
      this.signer = new HostSigner(key);
    } catch (err) {
      throw new TetherError('BAD_CONFIG', `the host key in the trust store is not a P-256 key pair (${(err as Error).message}); move trust.json out of the state folder to start afresh`, { cause: err });
    }
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
        // Unknown here: never issued, issued for another share, or expired long ago and pruned — the
        // same answer for all (a link that does not work any more), and nothing else changes.
        return { ok: false, authenticated: false, error: new TetherError('LINK_EXPIRED') };
      }
      if (!verifyTokenMac(token.secret, ctx, auth.mac)) {
        return { ok: false, authenticated: true, error: new TetherError('KEY_REJECTED', 'the host rejected this connection: its signaling failed authentication (the signal server may be tampering with it)') };
      }
      if (token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now)) {
        return { ok: false, authenticated: true, error: new TetherError('LINK_EXPIRED') };
      }
      return { ok: true, grant: { method: 'token', role: token.role, tokenId: token.id, credentialId: null } };
    }
    const credential = this.store.credential(auth.credentialId) ?? this.pendingDevices.get(auth.credentialId);
    // Signed with the host key the device pinned, so a revoked device believes it and forgets its credential.
    if (!credential) return { ok: false, authenticated: true, error: new TetherError('DEVICE_UNKNOWN') };
    if (!verifyDeviceSignature(credential.publicKey, ctx, auth.sig)) {
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
    return { sig: this.signer.sign(ctx) };
  }

  /**
   * Who the device is. A device that connected with a token and sent a public key is paired (or, if that
   * key is already paired, recognised); a device that connected with its credential is what the record says.
   */
  identify(grant: Grant, hello: ClientHello, now = Date.now()): DeviceIdentity {
    const waiting = (p: PendingDevice): DeviceIdentity => ({ deviceId: p.id, name: p.name, kind: p.kind, role: p.role, paired: true, credentialId: p.id, pending: true });
    if (grant.credentialId) {
      const p = this.pendingDevices.get(grant.credentialId);
      if (p) return waiting(p);
      const c = this.store.credential(grant.credentialId);
      if (!c) throw new TetherError('DEVICE_UNKNOWN');
      this.store.putCredential({ ...c, lastSeen: now });
      return { deviceId: c.id, name: c.name, kind: c.kind, role: c.role, paired: false, credentialId: c.id, pending: false };
    }
    if (!hello.publicKey) {
      return { deviceId: newId(), name: hello.deviceName, kind: hello.deviceKind, role: grant.role, paired: false, credentialId: null, pending: this.confirmNewDevices };
    }
    const paired = this.store.credentials();
    const known = paired.find((c) => c.publicKey === hello.publicKey);
    if (known) {
      this.store.putCredential({ ...known, lastSeen: now });
      return { deviceId: known.id, name: known.name, kind: known.kind, role: known.role, paired: false, credentialId: known.id, pending: false };
    }
    const already = [...this.pendingDevices.values()].find((p) => p.publicKey === hello.publicKey);
    if (already) return waiting(already);
    if (paired.length >= MAX_PAIRED_DEVICES) {
      throw new TetherError('DEVICES_FULL', `the host keeps at most ${MAX_PAIRED_DEVICES} paired devices; remove some (tether devices revoke ID) before another can pair`);
    }
    if (this.confirmNewDevices) {
      const p: PendingDevice = { id: newId(), publicKey: hello.publicKey, name: hello.deviceName, kind: hello.deviceKind, role: grant.role, pairedWith: grant.tokenId, since: now };
      this.pendingDevices.set(p.id, p);
      if (this.pendingDevices.size > MAX_PENDING) this.pendingDevices.delete(this.pendingDevices.keys().next().value as string);
      return waiting(p);
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
    this.beforePair?.(record);
    this.store.putCredential(record);
    return { deviceId: record.id, name: record.name, kind: record.kind, role: record.role, paired: true, credentialId: record.id, pending: false };
  }

  /** Devices waiting for a person to allow them, oldest first. */
  pending(): PendingDevice[] {
    return [...this.pendingDevices.values()].map((p) => ({ ...p }));
  }

  /** Allows a waiting device with `role`: its credential is pinned now. Null when nothing waits under `id`. */
  admit(id: string, role: Role, now = Date.now()): CredentialRecord | null {
    const p = this.pendingDevices.get(id);
    if (!p) return null;
    this.pendingDevices.delete(id);
    const record: CredentialRecord = { id: p.id, publicKey: p.publicKey, name: p.name, kind: p.kind, role, pairedWith: p.pairedWith, createdAt: now, lastSeen: now };
    this.store.putCredential(record);
    return record;
  }

  /** Refuses a waiting device; true when one waited under `id`. */
  deny(id: string): boolean {
    return this.pendingDevices.delete(id);
  }

  /**
   * Forgets a paired (or waiting) device and revokes the token it paired with, so neither its credential
   * nor that link works again. Returns what was forgotten, or null when `id` is unknown.
   */
  revokeDevice(id: string, now = Date.now()): CredentialRecord | PendingDevice | null {
    const record = this.store.credential(id) ?? this.pendingDevices.get(id) ?? null;
    if (!record) return null;
    this.pendingDevices.delete(id);
    this.store.deleteCredential(id);
    const token = record.pairedWith ? this.store.token(record.pairedWith) : null;
    if (token && token.revokedAt === null) this.store.putToken({ ...token, revokedAt: now });
    return record;
  }

  /** Forgets every credential and waiting device and revokes every token (new links must be minted). */
  revokeAll(now = Date.now()): CredentialRecord[] {
    const all = this.store.credentials();
    for (const c of all) this.store.deleteCredential(c.id);
    this.pendingDevices.clear();
    for (const t of this.store.tokens()) if (t.revokedAt === null) this.store.putToken({ ...t, revokedAt: now });
    return all;
  }

  /** Changes a paired device's role; the updated record, or null when `id` is unknown. */
  setRole(id: string, role: Role): CredentialRecord | null {
    const c = this.store.credential(id);
    if (!c) return null;
    const next = { ...c, role };
    this.store.putCredential(next);
    return next;
  }

  /** Renames a paired device (what others see); the updated record, or null when `id` is unknown. */
  rename(id: string, name: string): CredentialRecord | null {
    const c = this.store.credential(id);
    if (!c) return null;
    const next = { ...c, name };
    this.store.putCredential(next);
    return next;
  }
}
