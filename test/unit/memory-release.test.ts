/**
 * Memory handed back after a burst: the watcher releases once work stops (collecting garbage the first
 * time, only trimming after), not before the burst is big enough nor while work still comes; its
 * collection compacts V8's heap and glibc's trim really lowers the RSS of a process whose heap holds
 * freed buffers (child processes, so the test runner's own heap is not measured); and the store's mapped
 * pages are dropped while its data stays.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryRelease } from '../../host/memory-release.js';
import { dropFileMapping } from '../../host/native-memory.js';
import { SessionStore } from '../../host/persist/session-store.js';
import { packageRoot } from '../../host/package-paths.js';
import { freshStateDir } from '../helpers/state-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { runMeasuringScript } from '../helpers/child-script.js';

const QUIET_MS = 30;

function recording(): { calls: boolean[]; release: (collect: boolean) => Promise<boolean> } {
  const calls: boolean[] = [];
  return { calls, release: async (collect) => (calls.push(collect), true) };
}

describe('MemoryRelease', () => {
  it('releases after a burst once work stops: garbage collected first, then trims while quiet', async () => {
    const { calls, release } = recording();
    const watcher = new MemoryRelease(release, { afterBytes: 1000, quietMs: QUIET_MS, quietReleases: 3 });
    watcher.note(600);
    watcher.note(600);
    await waitFor(() => calls.length === 3, 5000, 'three releases');
    assert.deepEqual(calls, [true, false, false]);
    await new Promise((r) => setTimeout(r, QUIET_MS * 4));
    assert.equal(calls.length, 3, 'the watcher stops after its quiet releases');
    watcher.close();
  });

  it('does nothing below the burst size', async () => {
    const { calls, release } = recording();
    const watcher = new MemoryRelease(release, { afterBytes: 1000, quietMs: QUIET_MS });
    watcher.note(999);
    await new Promise((r) => setTimeout(r, QUIET_MS * 5));
    assert.deepEqual(calls, []);
    watcher.close();
  });

  it('waits while work still comes', async () => {
    const { calls, release } = recording();
    const watcher = new MemoryRelease(release, { afterBytes: 1000, quietMs: QUIET_MS, quietReleases: 1 });
    watcher.note(1000);
    // Work more often than the watcher looks: it never sees a quiet interval.
    const busy = setInterval(() => watcher.note(10), QUIET_MS / 3);
    await new Promise((r) => setTimeout(r, QUIET_MS * 6));
    clearInterval(busy);
    assert.deepEqual(calls, [], 'no release while work came');
    await waitFor(() => calls.length === 1, 5000, 'a release once quiet');
    watcher.close();
  });

  it('a failed release is logged and the next burst is watched again', async () => {
    let fail = true;
    const calls: boolean[] = [];
    const warnings: string[] = [];
    const watcher = new MemoryRelease(
      async (collect) => {
        calls.push(collect);
        if (fail) throw new Error('no libc');
        return true;
      },
      { afterBytes: 10, quietMs: QUIET_MS, quietReleases: 1 },
    );
    watcher.log = { debug() {}, warn: (_: unknown, msg: string) => void warnings.push(msg) } as never;
    watcher.note(10);
    await waitFor(() => warnings.length === 1, 5000, 'a warning');
    fail = false;
    watcher.note(10);
    await waitFor(() => watcher.releases === 1, 5000, 'a release of the next burst');
    assert.deepEqual(calls, [true, true]);
    watcher.close();
  });
});

describe('native memory (glibc, through koffi)', () => {
  it('malloc_trim returns the free pages of a heap that freed its buffers', () => {
    // 3,000 buffers of 64 KiB (malloc'd inside glibc's heap, like a burst's), each followed by a small
    // one that is kept, so the freed space is in the middle of the heap where only a trim returns it.
    const script = `
      import { trimMallocHeap } from ${JSON.stringify(join(packageRoot(), 'host', 'native-memory.ts'))};
      const rss = () => process.memoryUsage.rss();
      let big = [], kept = [];
      for (let i = 0; i < 3000; i++) { big.push(Buffer.allocUnsafeSlow(64 * 1024).fill(1)); kept.push(Buffer.allocUnsafeSlow(100).fill(1)); }
      big = null; globalThis.gc(); globalThis.gc();
      const before = rss();
      const done = await trimMallocHeap();
      console.log(JSON.stringify({ done, before, after: rss(), kept: kept.length }));`;
    const { done, before, after } = runMeasuringScript<{ done: boolean; before: number; after: number }>(script);
    assert.equal(done, true, 'glibc and koffi are there on Linux');
    assert.ok(before - after > 100 * 1024 * 1024, `the trim returned ${((before - after) / 1048576).toFixed(1)} MiB of ~190 MiB freed`);
  });

  it("the release's collection compacts: a heap the burst left in fragments is handed back at once", () => {
    // 600,000 objects with every 20th kept: a plain full collection frees them but keeps nearly every
    // page committed (a few survivors on each) until V8's memory reducer runs, seconds later.
    const script = `
      import { collectAndCompact } from ${JSON.stringify(join(packageRoot(), 'host', 'memory-release.ts'))};
      const kept = [];
      for (let r = 0; r < 3; r++) { let junk = []; for (let i = 0; i < 200000; i++) { const o = { a: i, b: 'x' + i }; junk.push(o); if (i % 20 === 0) kept.push(o); } }
      const committed = () => process.memoryUsage().heapTotal;
      const before = committed();
      if (process.argv.includes('plain')) globalThis.gc(); else collectAndCompact();
      console.log(JSON.stringify({ before, after: committed(), kept: kept.length }));`;
    const run = (mode: string): { before: number; after: number } => runMeasuringScript(script, [mode], ['--max-semi-space-size=1']);
    const mib = (n: number): string => (n / 1048576).toFixed(1);
    const plain = run('plain');
    const compacted = run('compact');
    assert.ok(compacted.after < plain.after / 2, `the release's collection hands back what a plain one keeps committed (${mib(compacted.before)} -> ${mib(compacted.after)} MiB; plain ${mib(plain.before)} -> ${mib(plain.after)} MiB)`);
  });

  const stores: SessionStore[] = [];
  after(async () => {
    for (const s of stores) await s.close();
  });

  function mappedKiB(file: string): number {
    let inFile = false;
    let kib = 0;
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inFile = line.endsWith(` ${file}`);
      else if (inFile && line.startsWith('Rss:')) kib += Number(/(\d+)/.exec(line)![1]);
    }
    return kib;
  }

  it("drops the store's mapped pages, and the store reads the same data after", async () => {
    const store = SessionStore.open(freshStateDir());
    stores.push(store);
    // Snapshots replacing each other make LMDB reuse freed pages, which it reads through its map.
    let seq = 0;
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 4; i++) await store.appendLog('doc', ++seq, new Uint8Array(1024 * 1024).fill(i + 1));
      await store.compact('doc', { seq, update: new Uint8Array(3 * 1024 * 1024).fill(round + 1) });
    }
    const before = mappedKiB(store.file);
    assert.ok(before > 1024, `the map holds ${before} KiB resident`);
    const advised = await dropFileMapping(store.file);
    assert.ok(advised !== null && advised >= statSync(store.file).size, `advised ${String(advised)} bytes`);
    const afterDrop = mappedKiB(store.file);
    assert.ok(afterDrop < before / 4, `${before} KiB → ${afterDrop} KiB resident`);
    const snap = store.snapshot('doc')!;
    assert.equal(snap.seq, seq);
    assert.equal(snap.update.length, 3 * 1024 * 1024);
    assert.ok(snap.update.every((b) => b === 8));
  });

  it('a file that is not mapped is left alone', async () => {
    assert.equal(await dropFileMapping('/nonexistent/file.mdb'), 0);
  });
});
