/**
 * The file trust store: mode 0600 in a 0700 folder, a schema version, atomic replacement, pruning of
 * long-expired tokens, a clear error for a malformed or future file, changes made by another process seen
 * at once, and several processes pairing at the same time losing nothing.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileTrustStore, TOKEN_RETENTION_MS, TRUST_SCHEMA_VERSION } from '../../host/trust/file-trust-store.js';
import { Authenticator } from '../../host/trust/authenticator.js';
import { newKeyPair } from '../../protocol/auth-signature.js';
import { toBase64Url } from '../../protocol/encoding.js';
import { newId } from '../../protocol/ids.js';
import { TetherError } from '../../protocol/errors.js';

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tether-store-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const credential = (name: string) => {
  const now = Date.now();
  return { id: newId(), publicKey: toBase64Url(newKeyPair().publicKey), name, kind: 'browser' as const, role: 'owner' as const, pairedWith: null, createdAt: now, lastSeen: now };
};

describe('FileTrustStore', () => {
  it('creates the host key once, keeps records across instances, mode 0600 in a 0700 folder, with a schema version', () => {
    const path = join(dir(), 'state', 'trust.json');
    const a = new FileTrustStore(path);
    const key = a.hostKey();
    const c = credential('phone');
    a.putCredential(c);
    const auth = new Authenticator(a);
    const minted = auth.mintToken('scope', 'view', 60_000);
    const b = new FileTrustStore(path);
    assert.deepEqual(b.hostKey(), key);
    assert.deepEqual(b.credential(c.id), c);
    assert.equal(b.token(minted.record.id)?.role, 'view');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).schema, TRUST_SCHEMA_VERSION);
  });

  it('opening a store with nothing to change does not write it (no fsync at every start), and still makes it 0600', () => {
    const path = join(dir(), 'trust.json');
    new FileTrustStore(path).putCredential(credential('phone'));
    const before = statSync(path);
    const text = readFileSync(path, 'utf8');
    const again = new FileTrustStore(path);
    const reopened = statSync(path);
    assert.equal(reopened.ino, before.ino, 'the file was replaced');
    assert.equal(reopened.mtimeMs, before.mtimeMs);
    assert.equal(readFileSync(path, 'utf8'), text);
    // A file whose mode was widened by hand is narrowed again, written or not.
    chmodSync(path, 0o644);
    assert.equal(new FileTrustStore(path).credentials().length, 1);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    // A real change is still written.
    again.putCredential(credential('laptop'));
    assert.notEqual(statSync(path).ino, before.ino);
    assert.equal(new FileTrustStore(path).credentials().length, 2);
  });

  it('sees a change another instance (process) made, at once', () => {
    const path = join(dir(), 'trust.json');
    const a = new FileTrustStore(path);
    const b = new FileTrustStore(path);
    const c = credential('laptop');
    a.putCredential(c);
    assert.equal(b.credential(c.id)?.name, 'laptop');
    b.deleteCredential(c.id);
    assert.equal(a.credential(c.id), null);
  });

  it('prunes tokens that ended longer ago than the retention, keeps recent ones to answer LINK_EXPIRED', () => {
    const path = join(dir(), 'trust.json');
    const store = new FileTrustStore(path);
    const auth = new Authenticator(store);
    const old = auth.mintToken('s', 'owner', 1000, Date.now() - TOKEN_RETENTION_MS - 10_000);
    const recent = auth.mintToken('s', 'owner', 1000, Date.now() - 60_000);
    const forever = auth.mintToken('s', 'owner', null, Date.now() - TOKEN_RETENTION_MS * 2);
    store.putCredential(credential('any change prunes'));
    assert.equal(store.token(old.record.id), null);
    assert.ok(store.token(recent.record.id));
    assert.ok(store.token(forever.record.id));
  });

  it('refuses a malformed or newer file with BAD_CONFIG naming it, and leaves it untouched', () => {
    const path = join(dir(), 'trust.json');
    for (const text of ['{not json', JSON.stringify({ schema: 99, hostKey: {}, tokens: {}, credentials: {} })]) {
      writeFileSync(path, text);
      assert.throws(() => new FileTrustStore(path), (err: unknown) => err instanceof TetherError && err.code === 'BAD_CONFIG' && err.message.includes(path));
      assert.equal(readFileSync(path, 'utf8'), text);
    }
  });

  it('several processes pairing at once lose nothing', async () => {
    const path = join(dir(), 'trust.json');
    new FileTrustStore(path);
    const fixture = fileURLToPath(new URL('../fixtures/pair-many.ts', import.meta.url));
    const perProcess = 40;
    const processes = 3;
    const started = performance.now();
    const runs = await Promise.all(Array.from({ length: processes }, (_, i) => new Promise<{ ms: number }>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', fixture, path, String(perProcess), `p${i}`], { timeout: 60_000 }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as { ms: number })));
    })));
    const wall = performance.now() - started;
    const names = new FileTrustStore(path).credentials().map((c) => c.name);
    assert.equal(names.length, perProcess * processes, 'every pairing of every process is in the file');
    for (let i = 0; i < processes; i++) for (let j = 0; j < perProcess; j++) assert.ok(names.includes(`p${i} ${j}`), `p${i} ${j} lost`);
    const perChange = Math.max(...runs.map((r) => r.ms)) / perProcess;
    console.log(`${processes} processes × ${perProcess} pairings, none lost; ${perChange.toFixed(1)} ms per locked change while contended (wall ${wall.toFixed(0)} ms incl. startup)`);
  });
});
