/**
 * This browser's device key and credentials, in IndexedDB (through idb-keyval): on secure origins
 * (https, localhost) a non-extractable WebCrypto ECDSA P-256 key — the page can sign with it but nobody
 * can read it out; on plain-http LAN origins, where browsers give no crypto.subtle, a @noble/curves key
 * kept as raw bytes. Both sign what the host checks (host/trust/host-signature.ts verifyDeviceSignature): compact r‖s over
 * authInput(ctx) with SHA-256. A bookmarked page without a token then keeps working after its link expired.
 */
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import { authInput, PUBLIC_KEY_PATTERN, type AuthContext } from '../../protocol/auth.js';
import { newKeyPair } from '../../protocol/auth-signature.js';
import { toBase64Url } from '../../protocol/encoding.js';
import { rawKeySigner, type CredentialStore, type DeviceSigner, type StoredCredential } from '../core/credential-store.js';

/** The key as stored: a WebCrypto key handle (not extractable), or raw bytes where WebCrypto is missing. */
type StoredKey = { type: 'webcrypto'; privateKey: CryptoKey; publicKey: string } | { type: 'raw'; secretKey: Uint8Array; publicKey: string };

const KEY = 'device-key';
const credentialsKey = (origin: string): string => `credentials:${origin}`;

/** True when this page can keep a WebCrypto key (a secure origin with crypto.subtle). */
export function canUseWebCrypto(): boolean {
  return globalThis.isSecureContext === true && typeof globalThis.crypto?.subtle?.generateKey === 'function';
}

function isStoredKey(v: unknown): v is StoredKey {
  const k = v as StoredKey | undefined;
  if (!k || typeof k.publicKey !== 'string' || !PUBLIC_KEY_PATTERN.test(k.publicKey)) return false;
  return (k.type === 'webcrypto' && k.privateKey instanceof CryptoKey) || (k.type === 'raw' && k.secretKey instanceof Uint8Array && k.secretKey.length === 32);
}

async function newStoredKey(): Promise<StoredKey> {
  if (canUseWebCrypto()) {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const publicKey = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
    return { type: 'webcrypto', privateKey: pair.privateKey, publicKey };
  }
  const pair = newKeyPair();
  return { type: 'raw', secretKey: pair.secretKey, publicKey: toBase64Url(pair.publicKey) };
}

function signerOf(key: StoredKey): DeviceSigner {
  if (key.type === 'raw') return { ...rawKeySigner({ secretKey: key.secretKey, publicKey: new Uint8Array(0) }), publicKey: key.publicKey };
  return {
    publicKey: key.publicKey,
    // WebCrypto's ECDSA signature is already the compact r‖s form the host verifies.
    sign: async (ctx: AuthContext) => toBase64Url(new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, authInput(ctx) as Uint8Array<ArrayBuffer>))),
  };
}

/** Credentials in this browser's IndexedDB. */
export class BrowserCredentialStore implements CredentialStore {
  private readonly db: UseStore;
  private key: Promise<StoredKey | null> | null = null;

  constructor(dbName = 'tether') {
    this.db = createStore(dbName, 'device');
  }

  signer(): Promise<DeviceSigner | null> {
    this.key ??= (async () => {
      const stored: unknown = await get(KEY, this.db);
      if (isStoredKey(stored)) return stored;
      const fresh = await newStoredKey();
      await set(KEY, fresh, this.db);
      return fresh;
    })().catch((err: unknown) => {
      // No IndexedDB (private mode in some browsers): this page cannot pair and uses the link each time.
      console.warn('tether: cannot keep a device key here', err);
      this.key = null;
      return null;
    });
    return this.key.then((k) => (k ? signerOf(k) : null));
  }

  async credentials(origin: string): Promise<StoredCredential[]> {
    const all = (await get<Record<string, StoredCredential>>(credentialsKey(origin), this.db).catch(() => undefined)) ?? {};
    return Object.values(all);
  }

  async save(origin: string, credential: StoredCredential): Promise<void> {
    const all = (await get<Record<string, StoredCredential>>(credentialsKey(origin), this.db)) ?? {};
    await set(credentialsKey(origin), { ...all, [credential.hostKeyId]: credential }, this.db);
  }

  async forget(origin: string, hostKeyId: string): Promise<void> {
    const all = (await get<Record<string, StoredCredential>>(credentialsKey(origin), this.db)) ?? {};
    delete all[hostKeyId];
    if (Object.keys(all).length === 0) await del(credentialsKey(origin), this.db);
    else await set(credentialsKey(origin), all, this.db);
  }

  /** Which kind of key this browser keeps ('webcrypto' or 'raw'), for the page and tests. */
  async keyType(): Promise<StoredKey['type'] | null> {
    const stored: unknown = await get(KEY, this.db);
    return isStoredKey(stored) ? stored.type : null;
  }
}
