/**
 * What a device keeps to be recognised by hosts it paired with: its own key pair (one per device) and, per
 * origin and host key, the credential id the host assigned and the host's public key, pinned so that later
 * visits authenticate the host too. The browser keeps them in IndexedDB, `tether attach` in the user's
 * config folder; tests and throwaway clients keep them in memory.
 */
import type { AuthContext } from '../../protocol/auth.js';
import { newKeyPair, signAuth, type RawKeyPair } from '../../protocol/auth-signature.js';
import { toBase64Url } from '../../protocol/encoding.js';

/** Signs handshake messages with this device's private key. */
export interface DeviceSigner {
  /** Uncompressed P-256 public key, base64url. */
  readonly publicKey: string;
  sign(ctx: AuthContext): Promise<string>;
}

/** A host this device paired with. */
export interface StoredCredential {
  /** keyId(hostKey): how the host's challenge names itself. */
  hostKeyId: string;
  /** The host's public key, pinned at pairing. */
  hostKey: string;
  /** The id the host gave this device. */
  credentialId: string;
  hostName: string;
  pairedAt: number;
}

/** Where a device keeps its key pair and credentials. */
export interface CredentialStore {
  /** This device's signer, made on first use; null when the device cannot keep a key (it then never pairs). */
  signer(): Promise<DeviceSigner | null>;
  /** The credentials this device holds for hosts reached through `origin`. */
  credentials(origin: string): Promise<StoredCredential[]>;
  save(origin: string, credential: StoredCredential): Promise<void>;
  forget(origin: string, hostKeyId: string): Promise<void>;
}

/** A signer over a raw key pair (@noble; Node and browsers without WebCrypto). */
export function rawKeySigner(pair: RawKeyPair): DeviceSigner {
  return { publicKey: toBase64Url(pair.publicKey), sign: (ctx) => Promise.resolve(signAuth(pair.secretKey, ctx)) };
}

/** Credentials in memory (tests, throwaway clients). */
export class MemoryCredentialStore implements CredentialStore {
  private pair: RawKeyPair | null = null;
  private readonly byOrigin = new Map<string, Map<string, StoredCredential>>();

  signer(): Promise<DeviceSigner | null> {
    this.pair ??= newKeyPair();
    return Promise.resolve(rawKeySigner(this.pair));
  }
  credentials(origin: string): Promise<StoredCredential[]> {
    return Promise.resolve([...(this.byOrigin.get(origin)?.values() ?? [])]);
  }
  save(origin: string, credential: StoredCredential): Promise<void> {
    let m = this.byOrigin.get(origin);
    if (!m) this.byOrigin.set(origin, (m = new Map()));
    m.set(credential.hostKeyId, credential);
    return Promise.resolve();
  }
  forget(origin: string, hostKeyId: string): Promise<void> {
    this.byOrigin.get(origin)?.delete(hostKeyId);
    return Promise.resolve();
  }
}
