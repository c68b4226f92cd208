/**
 * The user's trust store on disk (`<state dir>/trust.json`, mode 0600, in a 0700 folder): the host key,
 * pairing tokens and paired devices, shared by every tether process of the user. Each change takes a lock
 * file, re-reads the file, applies itself to what it read and replaces the file atomically (temp + rename),
 * so two hosts pairing at once lose nothing; reads follow changes made by other processes.
 */
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from '../../protocol/zod.js';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { PUBLIC_KEY_PATTERN, SECRET_KEY_PATTERN } from '../../protocol/auth.js';
import { TetherError } from '../../protocol/errors.js';
import { RoleSchema } from '../../protocol/roles.js';
import { newHostKey } from './host-signature.js';
import type { CredentialRecord, HostKeyRecord, TokenRecord, TrustStore } from './trust-store.js';

/** The file's schema version; a file with another version is refused rather than misread. */
export const TRUST_SCHEMA_VERSION = 1;
/** Expired or revoked tokens are kept this long (to answer LINK_EXPIRED plainly), then pruned. */
export const TOKEN_RETENTION_MS = 7 * 24 * 3_600_000;
/** How long a change waits for another process's lock before giving up. */
const LOCK_WAIT_MS = 5_000;
/** A lock older than this belongs to a process that died mid-change. */
const LOCK_STALE_MS = 10_000;

const TokenSchema = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  secret: z.string().check(z.minLength(1), z.maxLength(128)),
  role: RoleSchema,
  scope: z.string().check(z.minLength(1), z.maxLength(64)),
  createdAt: z.number(),
  expiresAt: z.nullable(z.number()),
  revokedAt: z.nullable(z.number()),
}) satisfies z.ZodMiniType<TokenRecord>;

const CredentialSchema = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  publicKey: z.string().check(z.regex(PUBLIC_KEY_PATTERN)),
  name: z.string().check(z.maxLength(64)),
  kind: z.enum(['browser', 'terminal']),
  role: RoleSchema,
  pairedWith: z.nullable(z.string().check(z.maxLength(64))),
  createdAt: z.number(),
  lastSeen: z.number(),
}) satisfies z.ZodMiniType<CredentialRecord>;

const TrustFileSchema = z.strictObject({
  schema: z.literal(TRUST_SCHEMA_VERSION),
  hostKey: z.strictObject({ secretKey: z.string().check(z.regex(SECRET_KEY_PATTERN)), publicKey: z.string().check(z.regex(PUBLIC_KEY_PATTERN)) }),
  tokens: z.record(z.string(), TokenSchema),
  credentials: z.record(z.string(), CredentialSchema),
});
type TrustFile = z.infer<typeof TrustFileSchema>;

/** Sleeps the thread (a change holds the lock for a millisecond or two; the store's API is synchronous). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Trust records in a file shared by the user's tether processes. */
export class FileTrustStore implements TrustStore {
  private state: TrustFile;
  /** Identity of the file version `state` was read from (a rename makes a new inode). */
  private seen = '';

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      chmodSync(dirname(path), 0o700);
    } catch (err) {
      // A folder we do not own (e.g. a shared temp folder) keeps its mode; the file itself is still 0600.
      void err;
    }
    this.state = this.change(() => {});
  }

  hostKey(): HostKeyRecord {
    return { ...this.current().hostKey };
  }
  putToken(token: TokenRecord): void {
    this.change((s) => {
      s.tokens[token.id] = { ...token };
    });
  }
  token(id: string): TokenRecord | null {
    const t = this.current().tokens[id];
    return t ? { ...t } : null;
  }
  tokens(): TokenRecord[] {
    return Object.values(this.current().tokens).map((t) => ({ ...t }));
  }
  putCredential(credential: CredentialRecord): void {
    this.change((s) => {
      s.credentials[credential.id] = { ...credential };
    });
  }
  credential(id: string): CredentialRecord | null {
    const c = this.current().credentials[id];
    return c ? { ...c } : null;
  }
  credentials(): CredentialRecord[] {
    return Object.values(this.current().credentials).map((c) => ({ ...c }));
  }
  deleteCredential(id: string): void {
    this.change((s) => {
      delete s.credentials[id];
    });
  }

  /** The records as they are on disk now (re-read when another process replaced the file). */
  private current(): TrustFile {
    const id = this.fileId();
    if (id !== this.seen) {
      const read = this.read();
      if (read) {
        this.state = read.file;
        this.seen = read.id;
      }
    }
    return this.state;
  }

  private fileId(): string {
    try {
      const s = statSync(this.path);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }

  /** The file as it is now, or null when it does not exist; a malformed file is BAD_CONFIG (never overwritten). */
  private read(): { file: TrustFile; id: string; text: string } | null {
    let text: string;
    const id = this.fileId();
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new TetherError('BAD_CONFIG', `cannot read the trust store ${this.path}: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new TetherError('BAD_CONFIG', `the trust store ${this.path} is not JSON; move it away to start afresh`, { cause: err });
    }
    const parsed = TrustFileSchema.safeParse(json);
    if (!parsed.success) {
      const version = (json as { schema?: unknown } | null)?.schema;
      const why = version !== TRUST_SCHEMA_VERSION ? `schema version ${String(version)} (this tether reads ${TRUST_SCHEMA_VERSION})` : parsed.error.issues[0]?.message;
      throw new TetherError('BAD_CONFIG', `the trust store ${this.path} is not valid: ${why}; move it away to start afresh`);
    }
    return { file: parsed.data, id, text };
  }

  /** Under the lock: read the newest file, apply `mutate`, prune, write it back atomically. */
  private change(mutate: (state: TrustFile) => void): TrustFile {
    const release = this.lock();
    try {
      const stored = this.read();
      const file: TrustFile = stored?.file ?? {
        schema: TRUST_SCHEMA_VERSION,
        hostKey: newHostKey(),
        tokens: {},
        credentials: {},
      };
      mutate(file);
      const cutoff = Date.now() - TOKEN_RETENTION_MS;
      for (const [id, t] of Object.entries(file.tokens)) {
        const ended = t.revokedAt ?? t.expiresAt;
        if (ended !== null && ended < cutoff) delete file.tokens[id];
      }
      const text = JSON.stringify(file, null, 1) + '\n';
      if (stored && stored.text === text) {
        // Nothing changed (every start opens the store): no write and no fsync (33 ms on a slow disk),
        // but the file stays private even if its mode was widened by hand.
        if ((statSync(this.path).mode & 0o077) !== 0) chmodSync(this.path, 0o600);
        this.state = file;
        this.seen = stored.id;
        return file;
      }
      writeFileAtomic.sync(this.path, text, { mode: 0o600, fsync: true });
      this.state = file;
      this.seen = this.fileId();
      return file;
    } finally {
      release();
    }
  }

  private lock(): () => void {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        return lockfile.lockSync(this.path, {
          realpath: false,
          stale: LOCK_STALE_MS,
          // A change holds the lock for milliseconds; if it ever is compromised the atomic rename still
          // leaves a whole file, so there is nothing to abort.
          onCompromised: () => {},
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw new TetherError('BAD_CONFIG', `cannot lock the trust store ${this.path}: ${(err as Error).message}`);
        if (Date.now() > deadline) throw new TetherError('BAD_CONFIG', `the trust store ${this.path} stayed locked by another tether process for ${LOCK_WAIT_MS / 1000} s`);
        pause(5 + Math.random() * 10);
      }
    }
  }
}
