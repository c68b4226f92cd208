/**
 * Agent file access confined to the session folder, with real files: symlinks (dangling, to outside,
 * as a parent folder), `..` paths, FIFOs; and ordinary reads (with line/limit) and writes inside.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TetherError } from '../../protocol/errors.js';
import { SessionFiles } from '../../host/session-files.js';

/** A session folder and a folder beside it that the session must not reach. */
async function setup(): Promise<{ folder: string; outside: string; files: SessionFiles }> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'tether-files-')));
  const folder = join(root, 'session');
  const outside = join(root, 'outside');
  mkdirSync(folder);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'secret\n');
  writeFileSync(join(folder, 'notes.md'), 'one\ntwo\nthree\nfour\n');
  return { folder, outside, files: await SessionFiles.open(folder) };
}

async function refused(promise: Promise<unknown>, what: string): Promise<TetherError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof TetherError, `${what}: expected a refusal, got ${err === null ? 'success' : String(err)}`);
  assert.equal(err.code, 'PATH_OUTSIDE_SESSION', `${what}: ${err.message}`);
  return err;
}

test('reads and writes inside the folder, with line and limit', async () => {
  const { folder, files } = await setup();
  assert.equal(await files.read(join(folder, 'notes.md')), 'one\ntwo\nthree\nfour\n');
  assert.equal(await files.read(join(folder, 'notes.md'), { line: 2, limit: 2 }), 'two\nthree');
  assert.equal(await files.read(join(folder, 'notes.md'), { line: 3 }), 'three\nfour\n');
  assert.equal(await files.read(join(folder, 'notes.md'), { limit: 1 }), 'one');
  await files.write(join(folder, 'new.txt'), 'hello é\n');
  assert.equal(readFileSync(join(folder, 'new.txt'), 'utf8'), 'hello é\n');
  await files.write(join(folder, 'new.txt'), 'hi');
  assert.equal(readFileSync(join(folder, 'new.txt'), 'utf8'), 'hi', 'an existing file is replaced, not appended to or left longer');
  mkdirSync(join(folder, 'sub'));
  await files.write(join(folder, 'sub', '..', 'sub', 'deep.txt'), 'deep');
  assert.equal(await files.read(join(folder, 'sub', 'deep.txt')), 'deep');
});

test('a dangling symlink inside the folder cannot create a file outside it', async () => {
  const { folder, outside, files } = await setup();
  symlinkSync(join(outside, 'created.txt'), join(folder, 'link.txt'));
  await refused(files.write(join(folder, 'link.txt'), 'pwned'), 'write through a dangling symlink');
  assert.equal(existsSync(join(outside, 'created.txt')), false, 'nothing was created outside');
});

test('a symlink to a file outside is refused for reading and writing', async () => {
  const { folder, outside, files } = await setup();
  symlinkSync(join(outside, 'secret.txt'), join(folder, 'secret-link'));
  await refused(files.read(join(folder, 'secret-link')), 'read through a symlink');
  await refused(files.write(join(folder, 'secret-link'), 'overwritten'), 'write through a symlink');
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret\n', 'the outside file is untouched');
});

test('a symlink to a file inside may be read, but not written through', async () => {
  const { folder, files } = await setup();
  symlinkSync(join(folder, 'notes.md'), join(folder, 'alias.md'));
  assert.equal(await files.read(join(folder, 'alias.md'), { limit: 1 }), 'one');
  await refused(files.write(join(folder, 'alias.md'), 'x'), 'write through an inside symlink');
  assert.equal(readFileSync(join(folder, 'notes.md'), 'utf8'), 'one\ntwo\nthree\nfour\n');
});

test('a symlinked parent folder that leads outside is refused', async () => {
  const { folder, outside, files } = await setup();
  symlinkSync(outside, join(folder, 'door'));
  await refused(files.read(join(folder, 'door', 'secret.txt')), 'read below a symlinked folder');
  await refused(files.write(join(folder, 'door', 'planted.txt'), 'x'), 'write below a symlinked folder');
  await refused(files.write(join(folder, 'door', 'secret.txt'), 'x'), 'overwrite below a symlinked folder');
  assert.equal(existsSync(join(outside, 'planted.txt')), false);
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret\n');
});

test('a hard link to a file outside is not written through', async () => {
  const { folder, outside, files } = await setup();
  linkSync(join(outside, 'secret.txt'), join(folder, 'hard.txt'));
  await refused(files.write(join(folder, 'hard.txt'), 'overwritten'), 'write through a hard link');
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret\n');
});

test('.. paths, the folder itself and relative paths are refused', async () => {
  const { folder, outside, files } = await setup();
  await refused(files.read(`${folder}/../outside/secret.txt`), 'read with ..');
  await refused(files.write(`${folder}/../outside/new.txt`, 'x'), 'write with ..');
  await refused(files.write(`${folder}/sub/../../outside/new.txt`, 'x'), 'write with a deeper ..');
  assert.equal(existsSync(join(outside, 'new.txt')), false);
  await refused(files.read(folder), 'the folder itself');
  await refused(files.read('notes.md'), 'a relative path');
  await refused(files.read('/etc/hostname'), 'an absolute path elsewhere');
});

test('a FIFO inside the folder is refused at once instead of blocking', async () => {
  const { folder, files } = await setup();
  execFileSync('mkfifo', [join(folder, 'pipe')]);
  await assert.rejects(files.read(join(folder, 'pipe')), /not a regular file/);
  await assert.rejects(files.write(join(folder, 'pipe'), 'x'), /not a regular file|ENXIO/);
});

test('a session folder reached through a symlink still works', async () => {
  const { folder } = await setup();
  const alias = join(realpathSync(mkdtempSync(join(tmpdir(), 'tether-files-alias-'))), 'alias');
  symlinkSync(folder, alias);
  const files = await SessionFiles.open(alias);
  assert.equal(files.folder, folder);
  assert.equal(await files.read(join(folder, 'notes.md'), { limit: 1 }), 'one');
  await files.write(join(alias, 'via-alias.txt'), 'ok');
  assert.equal(readFileSync(join(folder, 'via-alias.txt'), 'utf8'), 'ok');
});

test('a large folder lists its first entries in order (folders first, then by name) and counts them all', async () => {
  const { folder, files } = await setup();
  const big = join(folder, 'big');
  mkdirSync(big);
  // More than twice the limit, so the listing prunes while it reads; names in no order on disk.
  const names = Array.from({ length: 700 }, (_, i) => `f${String((i * 7919) % 700).padStart(4, '0')}`);
  for (const name of names) writeFileSync(join(big, name), '');
  for (const i of [3, 650, 41]) mkdirSync(join(big, `z-dir-${i}`));
  const { entries, total } = await files.list(join(folder, 'big'), 100);
  assert.equal(total, 703);
  assert.deepEqual(entries.slice(0, 3).map((e) => [e.name, e.type]), [['z-dir-3', 'dir'], ['z-dir-41', 'dir'], ['z-dir-650', 'dir']]);
  const expected = [...names].sort().slice(0, 97);
  assert.deepEqual(entries.slice(3).map((e) => e.name), expected);
  assert.equal(entries[3]!.size, 0);
});
