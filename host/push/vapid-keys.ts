/**
 * The host's VAPID key pair (RFC 8292): push services accept a push only when it is signed with the
 * private key whose public half the device subscribed with. One pair per state folder, shared by every
 * host of the user (created once, exclusively, so two hosts starting together agree), file mode 0600.
 */
import { createECDH } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from '../../protocol/zod.js';
import { TetherError } from '../../protocol/errors.js';
import { PUSH_KEY_PATTERN } from '../../protocol/push.js';

export interface VapidKeys {
  /** Uncompressed P-256 public key, base64url (what a device subscribes with). */
  publicKey: string;
  /** The 32-byte private scalar, base64url. */
  privateKey: string;
}

const VapidFileSchema = z.strictObject({
  v: z.literal(1),
  publicKey: z.string().check(z.regex(PUSH_KEY_PATTERN)),
  privateKey: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
});

/** Where the key pair is kept. */
export function vapidKeysPath(stateDir: string): string {
  return join(stateDir, 'push-vapid.json');
}

/** Reads the state folder's key pair, creating it the first time; throws BAD_CONFIG for a damaged file. */
export function loadOrCreateVapidKeys(stateDir: string): VapidKeys {
  const path = vapidKeysPath(stateDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const scalar = ecdh.getPrivateKey();
  // A scalar with leading zero bytes comes back shorter: keep it 32 bytes, as VAPID expects.
  const privateKey = Buffer.concat([Buffer.alloc(32 - scalar.length), scalar]).toString('base64url');
  const fresh = { v: 1 as const, publicKey: ecdh.getPublicKey('base64url'), privateKey };
  try {
    writeFileSync(path, `${JSON.stringify(fresh)}\n`, { flag: 'wx', mode: 0o600 });
    return { publicKey: fresh.publicKey, privateKey: fresh.privateKey };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new TetherError('BAD_CONFIG', `cannot create ${path}: ${(err as Error).message}`, { cause: err });
  }
  const damaged = (why: string, cause?: unknown): TetherError =>
    new TetherError('BAD_CONFIG', `${path} is damaged (${why}); remove it to make a new one (devices then turn notifications on again)`, { cause });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw damaged((err as Error).message, err);
  }
  const parsed = VapidFileSchema.safeParse(json);
  if (!parsed.success) throw damaged('not a key pair', parsed.error);
  return { publicKey: parsed.data.publicKey, privateKey: parsed.data.privateKey };
}
