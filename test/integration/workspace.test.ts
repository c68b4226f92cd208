/**
 * The workspace view's host side (issue #12), with real git repositories in a temp folder and a real
 * server and devices: branch and ahead/behind against a real upstream clone, staged/unstaged/untracked
 * files, diffs (text, binary, untracked, cut when huge), the file browser, its confinement (`..`, absolute
 * paths, symlinks leading outside), owner-only access, and a folder that is not a repository.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionClient } from '../../client/core/session-client.js';
import type { IntentBody, IntentReply } from '../../protocol/messages.js';
import { MAX_DIFF_LINES, MAX_FILE_BYTES, type WorkspaceDiff, type WorkspaceFile, type WorkspaceList, type WorkspaceResult, type WorkspaceStatus } from '../../protocol/workspace.js';
import { git, makeRepo } from '../helpers/git-repo.js';
import { joinDevice, removeStateDirs, startTrustHost, type TrustDevice, type TrustHost } from '../helpers/trust-host.js';
import { waitFor } from '../helpers/wait-for.js';

const temp: string[] = [];
const devices: TrustDevice[] = [];
const clients: SessionClient[] = [];

after(() => {
  for (const c of clients) c.close();
  for (const d of devices) d.close();
  removeStateDirs();
  for (const t of temp) rmSync(t, { recursive: true, force: true });
});

/** Sends a workspace intent and returns its reply. */
async function ask(client: SessionClient, body: IntentBody): Promise<IntentReply> {
  return client.sendIntent(body, { timeoutMs: 15_000 });
}

/** Sends a workspace intent that must succeed and returns its result. */
async function result<T extends WorkspaceResult>(client: SessionClient, body: IntentBody): Promise<T> {
  const reply = await ask(client, body);
  if (!reply.ok) throw new Error(`${body.type} refused: ${reply.error.code} ${reply.error.message}`);
  assert.ok(reply.result, `${body.type} has a result`);
  return reply.result as T;
}

/** Asserts that `body` is refused with `code`. */
async function refused(client: SessionClient, body: IntentBody, code: string): Promise<void> {
  const reply = await ask(client, body);
  assert.equal(reply.ok, false, `${JSON.stringify(body)} must be refused`);
  if (!reply.ok) assert.equal(reply.error.code, code, `${JSON.stringify(body)}: ${reply.error.message}`);
}

/** A device on `url` (a session link, or the list link minted for a role) opening `sessionId` on its connection. */
async function openSession(url: string, name: string, sessionId: string | null): Promise<SessionClient> {
  const device = await joinDevice(url, name);
  devices.push(device);
  if (sessionId === null) return device.client;
  const c = new SessionClient({ connection: device.client.connection, sessionId });
  clients.push(c);
  c.start();
  await waitFor(() => c.state === 'live', 15_000, `${name} opens the session`);
  return c;
}

describe('workspace of a git repository', () => {
  let host: TrustHost;
  let owner: SessionClient;
  let work = '';
  let outside = '';

  before(async () => {
    // An upstream with two commits the clone has not merged, and a clone with one commit not pushed.
    const origin = makeRepo('tether-ws-origin-');
    temp.push(origin);
    const parent = realpathSync(mkdtempSync(join(tmpdir(), 'tether-ws-')));
    temp.push(parent);
    work = join(parent, 'work');
    git(parent, 'clone', '-q', origin, 'work');
    writeFileSync(join(work, 'gone.txt'), 'soon deleted\n');
    writeFileSync(join(work, 'huge.txt'), Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', 'local work');
    for (const n of [1, 2]) {
      writeFileSync(join(origin, `upstream-${n}.txt`), `${n}\n`);
      git(origin, 'add', '.');
      git(origin, 'commit', '-q', '-m', `upstream ${n}`);
    }
    git(work, 'fetch', '-q');

    // The agent's changes: unstaged, staged, untracked (text, binary, large), deleted.
    writeFileSync(join(work, 'README.md'), '# test repo\nchanged by the agent\n');
    writeFileSync(join(work, 'staged.txt'), 'staged\n');
    git(work, 'add', 'staged.txt');
    mkdirSync(join(work, 'notes'));
    writeFileSync(join(work, 'notes', 'new.txt'), 'first\nsecond\n');
    writeFileSync(join(work, 'image.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2, 3]));
    writeFileSync(join(work, 'big.txt'), 'x'.repeat(MAX_FILE_BYTES + 1000));
    writeFileSync(join(work, 'huge.txt'), Array.from({ length: 5000 }, (_, i) => `changed ${i}`).join('\n') + '\n');
    unlinkSync(join(work, 'gone.txt'));
    // Ways out of the folder: a file and a folder outside, reached by symlinks inside.
    outside = realpathSync(mkdtempSync(join(tmpdir(), 'tether-ws-outside-')));
    temp.push(outside);
    writeFileSync(join(outside, 'secret.env'), 'TOKEN=outside\n');
    symlinkSync(join(outside, 'secret.env'), join(work, 'secret-link'));
    symlinkSync(outside, join(work, 'outside-dir'));
    writeFileSync(join(parent, 'sibling.txt'), 'next to the folder\n');

    host = await startTrustHost([], ['--', '/bin/sh'], undefined, work);
    const sessionId = host.server.sessions.values().next().value!.id;
    owner = await openSession(host.url, 'owner phone', null);
    assert.equal(owner.sessionId, sessionId);
  });

  after(async () => {
    await host?.close();
  });

  test('status: branch, ahead/behind its upstream, and each changed file with its letters', async () => {
    const status = await result<WorkspaceStatus>(owner, { type: 'workspace-status' });
    assert.equal(status.folder, 'work');
    assert.ok(status.git, 'a git repository');
    assert.equal(status.git.branch, 'main');
    assert.deepEqual(status.git.upstream, { name: 'origin/main', ahead: 1, behind: 2 });
    const byPath = new Map(status.git.files.map((f) => [f.path, f]));
    assert.deepEqual([byPath.get('README.md')?.staged, byPath.get('README.md')?.unstaged], [null, 'M']);
    assert.deepEqual([byPath.get('staged.txt')?.staged, byPath.get('staged.txt')?.unstaged], ['A', null]);
    assert.deepEqual([byPath.get('gone.txt')?.staged, byPath.get('gone.txt')?.unstaged], [null, 'D']);
    assert.equal(byPath.get('notes/new.txt')?.unstaged, '?', 'untracked files inside untracked folders are listed');
    assert.equal(byPath.get('image.bin')?.unstaged, '?');
    assert.equal(byPath.get('gone.txt')?.stamp, 'gone');
    assert.match(byPath.get('README.md')!.stamp, /^\d+:\d+$/);
    assert.equal(status.git.more, 0);
  });

  test('a change on disk changes the file\'s stamp (what a page watches to refresh a diff)', async () => {
    const stampOf = async (): Promise<string | undefined> => (await result<WorkspaceStatus>(owner, { type: 'workspace-status' })).git?.files.find((f) => f.path === 'README.md')?.stamp;
    const first = await stampOf();
    writeFileSync(join(work, 'README.md'), '# test repo\nchanged by the agent, twice over\n');
    await waitFor(async () => (await stampOf()) !== first, 5000, 'stamp to change');
  });

  test('diffs: modified, untracked, deleted, binary, and a huge one cut with a note', async () => {
    const readme = await result<WorkspaceDiff>(owner, { type: 'workspace-diff', path: 'README.md' });
    assert.equal(readme.binary, false);
    assert.equal(readme.isNew, false);
    assert.ok(readme.lines.some((l) => l.op === 'same' && l.text === '# test repo'));
    assert.ok(readme.lines.some((l) => l.op === 'add' && /changed by the agent/.test(l.text)));

    const untracked = await result<WorkspaceDiff>(owner, { type: 'workspace-diff', path: 'notes/new.txt' });
    assert.equal(untracked.isNew, true);
    assert.deepEqual(untracked.lines, [{ op: 'add', text: 'first' }, { op: 'add', text: 'second' }]);

    const staged = await result<WorkspaceDiff>(owner, { type: 'workspace-diff', path: 'staged.txt' });
    assert.equal(staged.isNew, true);
    assert.deepEqual(staged.lines, [{ op: 'add', text: 'staged' }]);

    const gone = await result<WorkspaceDiff>(owner, { type: 'workspace-diff', path: 'gone.txt' });
    assert.deepEqual(gone.lines, [{ op: 'del', text: 'soon deleted' }]);

    const binary = await result<WorkspaceDiff>(owner, { type: 'workspace-diff', path: 'image.bin' });
    assert.equal(binary.binary, true);
    assert.deepEqual(binary.lines, []);

    const huge = await result<WorkspaceDiff>(owner, { type: 'workspace-diff', path: 'huge.txt' });
    assert.equal(huge.truncated, true);
    assert.equal(huge.lines.length, MAX_DIFF_LINES);
  });

  test('the file browser lists folders and opens files, bounded; binary files are not sent', async () => {
    const root = await result<WorkspaceList>(owner, { type: 'workspace-list', path: '' });
    const names = root.entries.map((e) => `${e.type}:${e.name}`);
    assert.ok(names.includes('dir:notes'), names.join(' '));
    assert.ok(names.includes('file:README.md'));
    assert.ok(names.includes('link:secret-link'));
    assert.ok(names.indexOf('dir:notes') < names.indexOf('file:README.md'), 'folders first');
    const notes = await result<WorkspaceList>(owner, { type: 'workspace-list', path: 'notes' });
    assert.deepEqual(notes.entries, [{ name: 'new.txt', type: 'file', size: 13 }]);

    const readme = await result<WorkspaceFile>(owner, { type: 'workspace-read', path: 'README.md' });
    assert.match(readme.text, /twice over/);
    assert.equal(readme.binary, false);
    const big = await result<WorkspaceFile>(owner, { type: 'workspace-read', path: 'big.txt' });
    assert.equal(big.truncated, true);
    assert.equal(big.size, MAX_FILE_BYTES + 1000);
    assert.equal(big.text.length, MAX_FILE_BYTES);
    const image = await result<WorkspaceFile>(owner, { type: 'workspace-read', path: 'image.bin' });
    assert.equal(image.binary, true);
    assert.equal(image.text, '');
    await refused(owner, { type: 'workspace-read', path: 'notes' }, 'FILE_UNREADABLE');
    await refused(owner, { type: 'workspace-read', path: 'no-such-file' }, 'FILE_UNREADABLE');
  });

  test('confinement: .., absolute paths and symlinks leading outside are refused (PATH_OUTSIDE_SESSION)', async () => {
    for (const path of ['../sibling.txt', 'notes/../../sibling.txt', '..', join(outside, 'secret.env'), '/etc/passwd', 'secret-link', 'outside-dir/secret.env']) {
      await refused(owner, { type: 'workspace-read', path }, 'PATH_OUTSIDE_SESSION');
    }
    for (const path of ['..', '../', 'outside-dir', '/etc']) await refused(owner, { type: 'workspace-list', path }, 'PATH_OUTSIDE_SESSION');
    for (const path of ['../sibling.txt', '/etc/passwd']) await refused(owner, { type: 'workspace-diff', path }, 'PATH_OUTSIDE_SESSION');
  });

  test('bad intents are refused with INTENT_INVALID', async () => {
    await refused(owner, { type: 'workspace-read', path: 'x'.repeat(5000) }, 'INTENT_INVALID');
    await refused(owner, { type: 'workspace-read', path: '' }, 'INTENT_INVALID');
    await refused(owner, { type: 'workspace-list', path: 'a\0b' }, 'INTENT_INVALID');
  });

  test('owner-only by default: control and view devices are refused (FORBIDDEN_ROLE)', async () => {
    const sessionId = owner.sessionId;
    for (const role of ['control', 'view'] as const) {
      const other = await openSession(host.server.newLink(role), `${role} phone`, sessionId);
      for (const body of [{ type: 'workspace-status' }, { type: 'workspace-read', path: 'README.md' }, { type: 'workspace-list', path: '' }, { type: 'workspace-diff', path: 'README.md' }] as IntentBody[]) {
        await refused(other, body, 'FORBIDDEN_ROLE');
      }
    }
  });

  test('the session list has no workspace (WRONG_SESSION_KIND)', async () => {
    const list = await openSession(host.serverUrl, 'list phone', null);
    await refused(list, { type: 'workspace-status' }, 'WRONG_SESSION_KIND');
  });
});

describe('workspace of a folder inside a repository', () => {
  let host: TrustHost;
  let owner: SessionClient;

  before(async () => {
    const repo = makeRepo('tether-ws-sub-');
    temp.push(repo);
    mkdirSync(join(repo, 'pkg'));
    writeFileSync(join(repo, 'pkg', 'inside.txt'), 'in the session folder\n');
    writeFileSync(join(repo, 'README.md'), 'changed outside the session folder\n');
    host = await startTrustHost([], ['--', '/bin/sh'], undefined, join(repo, 'pkg'));
    owner = await openSession(host.url, 'owner phone', null);
  });

  after(async () => {
    await host?.close();
  });

  test('lists only the changes below the folder, with paths relative to it', async () => {
    const status = await result<WorkspaceStatus>(owner, { type: 'workspace-status' });
    assert.equal(status.folder, 'pkg');
    assert.deepEqual(status.git?.files.map((f) => f.path), ['inside.txt']);
    const diff = await result<WorkspaceDiff>(owner, { type: 'workspace-diff', path: 'inside.txt' });
    assert.deepEqual(diff.lines, [{ op: 'add', text: 'in the session folder' }]);
    await refused(owner, { type: 'workspace-diff', path: '../README.md' }, 'PATH_OUTSIDE_SESSION');
  });
});

describe('workspace of a folder that is not a git repository', () => {
  let host: TrustHost;
  let owner: SessionClient;

  before(async () => {
    const plain = realpathSync(mkdtempSync(join(tmpdir(), 'tether-ws-plain-')));
    temp.push(plain);
    writeFileSync(join(plain, 'hello.txt'), 'hello\n');
    process.env.GIT_CEILING_DIRECTORIES = tmpdir();
    host = await startTrustHost([], ['--', '/bin/sh'], undefined, plain);
    owner = await openSession(host.url, 'owner phone', null);
  });

  after(async () => {
    await host?.close();
    delete process.env.GIT_CEILING_DIRECTORIES;
  });

  test('git says "not a git repository"; the file browser still works', async () => {
    const status = await result<WorkspaceStatus>(owner, { type: 'workspace-status' });
    assert.equal(status.git, null);
    assert.equal(status.reason, 'not a git repository');
    const list = await result<WorkspaceList>(owner, { type: 'workspace-list', path: '' });
    assert.deepEqual(list.entries, [{ name: 'hello.txt', type: 'file', size: 6 }]);
    assert.equal((await result<WorkspaceFile>(owner, { type: 'workspace-read', path: 'hello.txt' })).text, 'hello\n');
    await refused(owner, { type: 'workspace-diff', path: 'hello.txt' }, 'GIT_FAILED');
  });
});
