/**
 * `tether attach`'s device key and credentials, kept in the user's config folder
 * (`~/.config/tether/attach-credentials.json`, mode 0600, schema version 1) so a terminal that paired once
 * keeps working after the link expired. Writes re-read the file and replace it atomically.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from '../../protocol/zod.js';
import writeFileAtomic from 'write-file-atomic';
import { PUBLIC_KEY_PATTERN } from '../../protocol/auth.js';
import { newKeyPair } from '../../protocol/auth-signature.js';
import { fromBase64Url, toBase64Url } from '../../protocol/encoding.js';
import { rawKeySigner, type CredentialStore, type DeviceSigner, type StoredCredential } from '../core/credential-store.js';

const CredentialSchema = z.strictObject({
  hostKeyId: z.string().check(z.maxLength(64)),
  hostKey: z.string().check(z.regex(PUBLIC_KEY_PATTERN)),
  credentialId: z.string().check(z.maxLength(64)),
  hostName: z.string().check(z.maxLength(128)),
  pairedAt: z.number(),
}) satisfies z.ZodMiniType<StoredCredential>;

const FileSchema = z.strictObject({
  schema: z.literal(1),
  key: z.nullable(z.strictObject({ secretKey: z.string().check(z.minLength(1)), publicKey: z.string().check(z.regex(PUBLIC_KEY_PATTERN)) })),
  /** origin → hostKeyId → credential */
  credentials: z.record(z.string(), z.record(z.string(), CredentialSchema)),
});
type CredentialFile = z.infer<typeof FileSchema>;

/** Credentials in a file of the user's. */
export class FileCredentialStore implements CredentialStore {
  constructor(readonly path: string) {}

  signer(): Promise<DeviceSigner | null> {
    let file = this.read();
    if (!file.key) {
      file = this.change((f) => {
        if (f.key) return;
        const pair = newKeyPair();
        f.key = { secretKey: toBase64Url(pair.secretKey), publicKey: toBase64Url(pair.publicKey) };
      });
    }
    const key = file.key!;
    return Promise.resolve(rawKeySigner({ secretKey: fromBase64Url(key.secretKey), publicKey: fromBase64Url(key.publicKey) }));
  }

  credentials(origin: string): Promise<StoredCredential[]> {
    return Promise.resolve(Object.values(this.read().credentials[origin] ?? {}));
  }

  save(origin: string, credential: StoredCredential): Promise<void> {
    this.change((f) => {
      f.credentials[origin] = { ...(f.credentials[origin] ?? {}), [credential.hostKeyId]: credential };
    });
    return Promise.resolve();
  }

  forget(origin: string, hostKeyId: string): Promise<void> {
    this.change((f) => {
      if (f.credentials[origin]) delete f.credentials[origin][hostKeyId];
    });
    return Promise.resolve();
  }

  /** The file now; a missing or unreadable one counts as empty (the device then pairs again). */
  private read(): CredentialFile {
    try {
      const parsed = FileSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch (err) {
      // Missing or not JSON: start afresh (a corrupt file is replaced by the next write).
      void err;
    }
    return { schema: 1, key: null, credentials: {} };
  }

  private change(mutate: (file: CredentialFile) => void): CredentialFile {
    const file = this.read();
    mutate(file);
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    writeFileAtomic.sync(this.path, JSON.stringify(file, null, 1) + '\n', { mode: 0o600 });
    return file;
  }
}
