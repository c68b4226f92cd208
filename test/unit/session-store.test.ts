/**
 * The host's store (a real LMDB file in a temporary folder): documents persisted as batched logs load
 * back equal, compaction keeps them equal (its snapshot written in the record format lmdb's encoder writes,
 * without leaving that encoder a buffer of its size), intents are recalled across a restart and never applied
 * twice, unfinished intents are replayed or refused, retention prunes what is old or too big, and a
 * device tells when its replica is ahead of the host's document.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import pino from 'pino';
import { SessionStore, type SessionRecord } from '../../host/persist/session-store.js';
import { DocLog, FLUSH_MS } from '../../host/persist/doc-log.js';
import { StoredIntentJournal } from '../../host/persist/stored-intent-journal.js';
import { pruneHistory, historyReport } from '../../host/persist/retention.js';
import { SessionCore, type Actor, type SessionBehaviour } from '../../host/core/session-core.js';
import { TetherError } from '../../protocol/errors.js';
import { newId } from '../../protocol/ids.js';
import { replicaAhead } from '../../client/core/session-client.js';
import { freshStateDir } from '../helpers/state-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { runMeasuringScript } from '../helpers/child-script.js';
import { join } from 'node:path';
import { packageRoot } from '../../host/package-paths.js';

const log = pino({ level: 'silent' });
const stores: SessionStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

function openStore(dir = freshStateDir()): SessionStore {
  const store = SessionStore.open(dir);
  stores.push(store);
  return store;
}

const ACTOR: Actor = { peerId: 'p', deviceId: 'd', name: 'phone', kind: 'browser', role: 'owner' };

/** A session whose intents append their text to a list (a prompt) or are refused after a restart. */
class ListBehaviour implements SessionBehaviour<{ type: string; text: string }> {
  constructor(readonly doc: Y.Doc) {}
  parseIntent(raw: Record<string, unknown>): { type: string; text: string } | TetherError {
    return typeof raw.text === 'string' ? { type: String(raw.type), text: raw.text } : new TetherError('INTENT_INVALID');
  }
  roleFor(): 'control' {
    return 'control';
  }
  apply(intent: { type: string; text: string }): null {
    this.doc.getArray<string>('items').push([intent.text]);
    return null;
  }
  replayAfterRestart(intent: { type: string }): boolean {
    return intent.type === 'prompt';
  }
}


describe('DocLog', () => {
  it('stores a document as it changes, in batches, and loads it back equal', async () => {
    const store = openStore();
    const doc = new Y.Doc();
    const docLog = new DocLog(store, 'doc', doc, false);
    const out = doc.getArray<string>('output');
    for (let i = 0; i < 100; i++) out.push([`line ${i}\n`]);
    assert.equal(store.logEntries('doc', 0).length, 0, 'nothing written before the batch is due');
    await waitFor(() => store.logEntries('doc', 0).length === 1, FLUSH_MS * 20, 'one batch written');
    await store.committed();
    const loaded = DocLog.load(store, 'doc')!.doc;
    assert.deepEqual(loaded.getArray('output').toJSON(), out.toJSON());
    docLog.close();
  });

  it('compacts the log into a snapshot and still loads the same document', async () => {
    const store = openStore();
    const doc = new Y.Doc();
    const docLog = new DocLog(store, 'big', doc, false);
    const out = doc.getArray<string>('output');
    for (let i = 0; i < 300; i++) {
      out.push(['x'.repeat(16_000) + i]);
      if (i % 50 === 0) out.delete(0, Math.min(out.length, 40));
    }
    docLog.compact();
    await store.committed();
    assert.ok(store.snapshot('big'), 'a snapshot exists');
    assert.equal(store.logEntries('big', store.snapshot('big')!.seq).length, 0, 'the log before it is gone');
    out.push(['after']);
    docLog.flush();
    await store.committed();
    assert.deepEqual(DocLog.load(store, 'big')!.doc.getArray('output').toJSON(), out.toJSON());
    docLog.close();
  });

  it('snapshot records read back exactly, and one written by an earlier tether (through lmdb) still reads', async () => {
    const store = openStore();
    const update = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256);
    await store.compact('now', { seq: 2 ** 40 + 3, update });
    const read = store.snapshot('now')!;
    assert.equal(read.seq, 2 ** 40 + 3);
    assert.deepEqual(new Uint8Array(read.update), update);
    await store.table<{ seq: number; update: Uint8Array }>('snapshots').put(['before'], { seq: 9, update: update.subarray(0, 10) });
    const old = store.snapshot('before')!;
    assert.equal(old.seq, 9);
    assert.deepEqual(new Uint8Array(old.update), update.subarray(0, 10));
  });

  it("a big snapshot leaves no buffer of its size behind (lmdb's encoder kept one for good)", () => {
    // In a child process, so the test runner's buffers are not counted: an 8 MiB snapshot is written,
    // then the process's ArrayBuffer memory is read after a full collection.
    const script = `
      import { SessionStore } from ${JSON.stringify(join(packageRoot(), 'host', 'persist', 'session-store.ts'))};
      const store = SessionStore.open(process.argv.at(-2));
      const legacy = process.argv.at(-1) === 'legacy';
      globalThis.gc();
      const before = process.memoryUsage().arrayBuffers;
      let update = new Uint8Array(8 * 1024 * 1024).fill(7);
      if (legacy) await store.table('snapshots').put(['big'], { seq: 1, update });
      else await store.compact('big', { seq: 1, update });
      update = null;
      // lmdb lets go of what it wrote a moment after the commit.
      await new Promise((r) => setTimeout(r, 200));
      globalThis.gc();
      globalThis.gc();
      console.log(JSON.stringify({ held: process.memoryUsage().arrayBuffers - before }));
      await store.close();`;
    const held = (mode: string): number => runMeasuringScript<{ held: number }>(script, [freshStateDir(), mode]).held;
    const mib = (n: number): string => (n / 1048576).toFixed(1);
    const legacy = held('legacy');
    const now = held('now');
    assert.ok(legacy > 7 * 1048576, `through lmdb's encoder the snapshot's size stays held (${mib(legacy)} MiB): the case this guards`);
    assert.ok(now < 1048576, `written apart, nothing of its size is held (${mib(now)} MiB)`);
  });

  it('says when the stored log has a gap (changes that build on one it never got)', async () => {
    const store = openStore();
    const doc = new Y.Doc();
    const first = new DocLog(store, 'gap', doc, false);
    doc.getArray<string>('output').push(['stored']);
    first.close();
    await store.committed();
    assert.equal(DocLog.load(store, 'gap')!.gap, false);
    // Loaded again and changed before anything follows it, then followed: the later change builds on
    // the unstored one.
    const again = DocLog.load(store, 'gap')!.doc;
    again.getArray<string>('output').push(['never stored']);
    const second = new DocLog(store, 'gap', again, true);
    again.getArray<string>('output').push(['stored later']);
    second.close();
    await store.committed();
    const loaded = DocLog.load(store, 'gap')!;
    assert.equal(loaded.gap, true);
    assert.deepEqual(loaded.doc.getArray('output').toJSON(), ['stored'], 'the change after the gap is not applied');
  });
});

describe('intents across a restart', () => {
  it('an intent applied before a restart is recalled, never applied again', async () => {
    const dir = freshStateDir();
    const store = openStore(dir);
    const doc = new Y.Doc();
    const docLog = new DocLog(store, 's', doc, false);
    const core = new SessionCore(doc, new ListBehaviour(doc), log);
    await core.useJournal(new StoredIntentJournal(store, 's', docLog));
    const id = newId();
    assert.deepEqual(await core.handleIntent(ACTOR, id, { id, type: 'prompt', text: 'hello' }), { id, ok: true });
    await store.committed();
    // A new run: the document and the journal from the store.
    const doc2 = DocLog.load(store, 's')!.doc;
    const core2 = new SessionCore(doc2, new ListBehaviour(doc2), log);
    await core2.useJournal(new StoredIntentJournal(store, 's', new DocLog(store, 's', doc2, true)));
    assert.deepEqual(await core2.handleIntent(ACTOR, id, { id, type: 'prompt', text: 'hello' }), { id, ok: true, duplicate: true });
    assert.deepEqual(doc2.getArray('items').toJSON(), ['hello'], 'applied once');
  });

  it('an ok reply is sent only once the intent and its changes are committed (a crash after it loses nothing)', async () => {
    const store = openStore();
    const doc = new Y.Doc();
    const core = new SessionCore(doc, new ListBehaviour(doc), log);
    await core.useJournal(new StoredIntentJournal(store, 'c', new DocLog(store, 'c', doc, false)));
    const id = newId();
    assert.deepEqual(await core.handleIntent(ACTOR, id, { id, type: 'prompt', text: 'acknowledged' }), { id, ok: true });
    // Read at once, as the next run would after a crash right now: no store.committed() in between.
    assert.deepEqual(store.intent('c', id)?.reply, { ok: true }, 'the reply is stored');
    assert.deepEqual(DocLog.load(store, 'c')!.doc.getArray('items').toJSON(), ['acknowledged'], 'and so is its change');
  });

  it('an intent begun but never finished (a crash) is replayed when the session says so, else refused', async () => {
    const store = openStore();
    const prompt = newId();
    const answer = newId();
    await store.putIntent('t', prompt, { at: 1, raw: { id: prompt, type: 'prompt', text: 'lost in the crash' }, actor: ACTOR, reply: null });
    await store.putIntent('t', answer, { at: 2, raw: { id: answer, type: 'permission', text: 'yes' }, actor: ACTOR, reply: null });
    const doc = new Y.Doc();
    const core = new SessionCore(doc, new ListBehaviour(doc), log);
    await core.useJournal(new StoredIntentJournal(store, 't', new DocLog(store, 't', doc, false)));
    assert.deepEqual(doc.getArray('items').toJSON(), ['lost in the crash'], 'the prompt is applied (once)');
    assert.deepEqual(await core.handleIntent(ACTOR, prompt, { id: prompt, type: 'prompt', text: 'lost in the crash' }), { id: prompt, ok: true, duplicate: true });
    const refused = await core.handleIntent(ACTOR, answer, { id: answer, type: 'permission', text: 'yes' });
    assert.equal(refused.ok ? null : refused.error.code, 'HOST_RESTARTED');
    assert.deepEqual(doc.getArray('items').toJSON(), ['lost in the crash'], 'the stale answer was not applied');
  });

  it("an intent's reply is durable together with its changes (one transaction)", async () => {
    const store = openStore();
    const doc = new Y.Doc();
    const docLog = new DocLog(store, 'u', doc, false);
    const core = new SessionCore(doc, new ListBehaviour(doc), log);
    await core.useJournal(new StoredIntentJournal(store, 'u', docLog));
    const id = newId();
    await core.handleIntent(ACTOR, id, { id, type: 'prompt', text: 'together' });
    // No FLUSH_MS wait: the reply's write flushed the change with it.
    await store.committed();
    assert.deepEqual(DocLog.load(store, 'u')!.doc.getArray('items').toJSON(), ['together']);
    assert.deepEqual(store.intent('u', id)?.reply, { ok: true });
  });
});

describe('retention', () => {
  const record = (id: string, lastActivity: number, state: SessionRecord['state']): SessionRecord => ({
    id, origin: 'server', serverId: 'gone-server', name: id, kind: 'terminal', program: { kind: 'pty', file: '/bin/sh', args: [], display: 'sh', label: 'shell' },
    folder: '/tmp', branch: null, worktreePath: null, state, endedReason: null, owner: 'o', group: null, agentSessionId: null, startedAt: 0, lastActivity,
  });

  it('prunes sessions idle longer than the retention, then the oldest past the size limit', async () => {
    const store = openStore();
    const now = Date.now();
    for (const [id, age, state] of [['old', 9, 'ended'], ['mid', 3, 'ended'], ['new', 1, 'ended'], ['int', 2, 'interrupted']] as const) {
      await store.putSession(record(id, now - age * 86_400_000, state));
      await store.appendLog(id, 1, new Uint8Array(1000));
    }
    assert.deepEqual(await pruneHistory(store, { olderThanMs: 7 * 86_400_000, now }), ['old']);
    const removed = await pruneHistory(store, { olderThanMs: null, limitBytes: 1500, now });
    assert.deepEqual(removed.sort(), ['mid', 'new'], 'ended ones go before an interrupted one');
    assert.deepEqual(historyReport(store).sessions.map((s) => s.id), ['int']);
  });
});

describe('session records', () => {
  it('updates issued together each keep their fields (none overwrites another with what it read before)', async () => {
    const store = openStore();
    await store.putSession({
      id: 's', origin: 'server', serverId: 'x', name: 's', kind: 'conversation', program: { kind: 'acp', file: '/bin/true', args: [], display: 'true', label: 'agent' },
      folder: '/tmp', branch: null, worktreePath: null, state: 'running', endedReason: null, owner: 'o', group: null, agentSessionId: null, startedAt: 0, lastActivity: 0,
    });
    // As a server does: the agent's session id recorded, and its activity noted, in the same moment.
    await Promise.all([store.updateSession('s', { agentSessionId: 'agent-session' }), store.updateSession('s', { lastActivity: 42 })]);
    assert.deepEqual([store.session('s')?.agentSessionId, store.session('s')?.lastActivity], ['agent-session', 42]);
  });
});

describe('replicaAhead', () => {
  it('is true only when the replica holds updates the host does not have', () => {
    const host = new Y.Doc();
    host.getArray('a').push(['1']);
    const device = new Y.Doc();
    Y.applyUpdate(device, Y.encodeStateAsUpdate(host));
    assert.equal(replicaAhead(device, Y.encodeStateVector(host)), false);
    host.getArray('a').push(['2']);
    assert.equal(replicaAhead(device, Y.encodeStateVector(host)), false, 'behind is not ahead');
    Y.applyUpdate(device, Y.encodeStateAsUpdate(host));
    const restarted = new Y.Doc(); // a host that lost the last update in a crash
    Y.applyUpdate(restarted, Y.encodeStateAsUpdate(host, Y.encodeStateVector(new Y.Doc())));
    const lost = new Y.Doc();
    Y.applyUpdate(lost, Y.encodeStateAsUpdate(host));
    lost.getArray('a').push(['3']);
    Y.applyUpdate(device, Y.encodeStateAsUpdate(lost));
    assert.equal(replicaAhead(device, Y.encodeStateVector(restarted)), true);
  });
});
