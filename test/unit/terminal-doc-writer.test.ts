import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { TerminalDocWriter } from '../../host/terminal-doc-writer.js';
import {
  OUTPUT_FLUSH_CHARS,
  OUTPUT_FLUSH_MS,
  OutputCursor,
  readTerminal,
  terminalDocView,
  type TerminalDocView,
} from '../../protocol/terminal-doc.js';

const meta = { name: 'demo', command: '/bin/sh', cols: 80, rows: 24 };

/** Writers made by a test; closed afterwards so no flush timer outlives it. */
const writers: TerminalDocWriter[] = [];
afterEach(() => {
  for (const w of writers.splice(0)) w.close();
});

function newWriter(scrollbackChars?: number): TerminalDocWriter {
  const w = new TerminalDocWriter(new Y.Doc(), meta, scrollbackChars);
  writers.push(w);
  return w;
}

/** Counts the writer document's updates. */
function countUpdates(doc: Y.Doc): { readonly count: number; updates: Uint8Array[] } {
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  return {
    updates,
    get count() {
      return updates.length;
    },
  };
}

/** Polls `done` every 2 ms; fails after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * A device: a replica of the writer's document rendered through an OutputCursor into `screen`.
 * While connected it receives every incremental update; `resync()` catches up from its state vector.
 */
class Replica {
  readonly doc = new Y.Doc();
  readonly view: TerminalDocView = terminalDocView(this.doc);
  readonly cursor = new OutputCursor();
  screen = '';
  resets = 0;
  renders: Array<{ reset: boolean; text: string }> = [];
  private readonly forward = (u: Uint8Array): void => {
    Y.applyUpdate(this.doc, u);
    this.render();
  };

  constructor(private readonly source: Y.Doc) {}

  connect(): this {
    this.resync();
    this.source.on('update', this.forward);
    return this;
  }

  disconnect(): void {
    this.source.off('update', this.forward);
  }

  /** Step 1 / step 2: fetch exactly what this replica misses, then render. */
  resync(): void {
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(this.source, Y.encodeStateVector(this.doc)));
    this.render();
  }

  render(): void {
    const r = this.cursor.next(this.view);
    this.renders.push(r);
    if (r.reset) {
      this.resets++;
      this.screen = '';
    }
    this.screen += r.text;
  }
}

const outputText = (view: TerminalDocView): string => view.output.toArray().join('');
const outputChars = (view: TerminalDocView): number => view.output.toArray().reduce((n, c) => n + c.length, 0);

describe('TerminalDocWriter initial state', () => {
  it('writes meta and term in one update', () => {
    const doc = new Y.Doc();
    const updates = countUpdates(doc);
    const before = Date.now();
    const w = new TerminalDocWriter(doc, { name: 'build', command: 'make', cols: 100, rows: 30 });
    writers.push(w);
    assert.equal(updates.count, 1);
    assert.equal(w.view.meta.get('kind'), 'terminal');
    const started = w.view.meta.get('startedAt');
    assert.ok(typeof started === 'number' && started >= before && started <= Date.now());
    assert.deepEqual(readTerminal(w.view), {
      name: 'build',
      command: 'make',
      cols: 100,
      rows: 30,
      sizeOwner: null,
      state: 'running',
      exitCode: null,
      exitSignal: null,
      endedReason: null,
      trimmed: 0,
    });
    assert.equal(w.view.output.length, 0);
  });

  it('a replica sees the same state', () => {
    const w = newWriter();
    const r = new Replica(w.doc).connect();
    assert.deepEqual(readTerminal(r.view), readTerminal(w.view));
    assert.equal(r.view.meta.get('kind'), 'terminal');
  });
});

describe('output reaches replicas exactly once', () => {
  it('every chunk is rendered exactly once across incremental syncs', () => {
    const w = newWriter();
    const r = new Replica(w.doc).connect();
    let expected = '';
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 5; i++) {
        const line = `batch ${batch} line ${i}\r\n`;
        w.appendOutput(line);
        expected += line;
      }
      w.flush();
      assert.equal(r.screen, expected, `after batch ${batch}`);
    }
    assert.equal(r.resets, 0);
    // At least one chunk per flush and never more than one per write; how many writes went out at once
    // after a quiet spell depends on timing (16 ms), which a loaded machine stretches.
    assert.ok(w.view.output.length >= 20 && w.view.output.length <= 100, `${w.view.output.length} chunks`);
  });

  it('two replicas joining at different times both render everything once', () => {
    const w = newWriter();
    const a = new Replica(w.doc).connect();
    w.appendOutput('one ');
    w.flush();
    const b = new Replica(w.doc).connect();
    w.appendOutput('two ');
    w.flush();
    w.appendOutput('three');
    w.flush();
    assert.equal(a.screen, 'one two three');
    assert.equal(b.screen, 'one two three');
  });

  it('a replica that resyncs from its state vector gets no duplicates', () => {
    const w = newWriter();
    const r = new Replica(w.doc).connect();
    w.appendOutput('before ');
    w.flush();
    r.disconnect();
    for (let i = 0; i < 10; i++) {
      w.appendOutput(`missed${i} `);
      w.flush();
    }
    assert.equal(r.screen, 'before ');
    r.connect();
    const missed = Array.from({ length: 10 }, (_, i) => `missed${i} `).join('');
    assert.equal(r.screen, `before ${missed}`);
    assert.deepEqual(r.renders.at(-1), { reset: false, text: missed });
    // Resyncing again (a reconnect with nothing new) renders nothing.
    r.resync();
    assert.deepEqual(r.renders.at(-1), { reset: false, text: '' });
    // Applying the whole document again (a duplicate full sync) renders nothing either.
    Y.applyUpdate(r.doc, Y.encodeStateAsUpdate(w.doc));
    r.render();
    assert.deepEqual(r.renders.at(-1), { reset: false, text: '' });
    w.appendOutput('after');
    w.flush();
    assert.equal(r.screen, `before ${missed}after`);
    assert.equal(r.resets, 0);
  });

  it('a replica whose updates arrive twice or out of order still renders once (Yjs dedupes)', () => {
    const w = newWriter();
    const r = new Replica(w.doc);
    r.resync();
    const updates = countUpdates(w.doc);
    for (const t of ['a', 'b', 'c']) {
      w.appendOutput(t);
      w.flush();
    }
    const [u1, u2, u3] = updates.updates;
    for (const u of [u2!, u1!, u2!, u3!, u1!]) {
      Y.applyUpdate(r.doc, u);
      r.render();
    }
    assert.equal(r.screen, 'abc');
  });
});

describe('scrollback trimming', () => {
  it('keeps the output within scrollbackChars and always the newest chunk', () => {
    const w = newWriter(100);
    const r = new Replica(w.doc).connect();
    let all = '';
    for (let i = 0; i < 50; i++) {
      const chunk = `${String(i).padStart(2, '0')}:` + 'x'.repeat(i % 7 * 5) + '\n';
      w.appendOutput(chunk);
      w.flush();
      all += chunk;
      assert.ok(outputChars(w.view) <= 100, `kept ${outputChars(w.view)} chars after chunk ${i}`);
      assert.equal(w.view.output.get(w.view.output.length - 1), chunk, 'newest chunk kept');
      // The kept output is a suffix of everything written; the trim count matches.
      assert.ok(all.endsWith(outputText(w.view)));
      assert.equal(readTerminal(w.view).trimmed + w.view.output.length, i + 1);
    }
    assert.ok(readTerminal(w.view).trimmed > 0, 'something was trimmed');
    // The replica stayed connected: it rendered everything once, never reset.
    assert.equal(r.screen, all);
    assert.equal(r.resets, 0);
    assert.equal(outputText(r.view), outputText(w.view));
  });

  it('a session that streams for hours keeps a bounded document: trimmed output leaves few tombstones', () => {
    // Each trimmed chunk used to stay in the document for good as a deleted item (~200 bytes: a host
    // streaming steadily grew ~2 MB a minute): writing the trim count after every chunk split the
    // chunks' clocks, so Yjs could not merge them once deleted.
    const w = newWriter(100_000);
    for (let i = 0; i < 20_000; i++) {
      w.appendOutput(`${String(i).padStart(6, '0')} ${'.'.repeat(92)}\n`);
      w.flush();
    }
    let structs = 0;
    w.doc.store.clients.forEach((list) => (structs += list.length));
    // 2 MB of output through a 100 kB scrollback: trimmed in ~100 steps, a few structs each.
    assert.ok(structs < 1_000, `${structs} structs in the document after 20,000 chunks`);
    assert.ok(outputChars(w.view) <= 100_000);
    assert.equal(readTerminal(w.view).trimmed + w.view.output.length, 20_000);
  });

  it('past the budget, trims the oldest chunks in one go down to four fifths of it', () => {
    const w = newWriter(100);
    for (const c of ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(20)]) {
      w.appendOutput(c);
      w.flush();
    }
    assert.equal(outputChars(w.view), 100);
    assert.equal(readTerminal(w.view).trimmed, 0);
    w.appendOutput('d');
    w.flush();
    assert.deepEqual(w.view.output.toArray(), ['b'.repeat(40), 'c'.repeat(20), 'd']);
    assert.equal(readTerminal(w.view).trimmed, 1);
  });

  it('keeps a single chunk larger than the scrollback (the newest chunk is never dropped)', () => {
    const w = newWriter(100);
    w.appendOutput('old');
    w.flush();
    const big = 'B'.repeat(150);
    w.appendOutput(big);
    w.flush();
    assert.deepEqual(w.view.output.toArray(), [big]);
    assert.equal(readTerminal(w.view).trimmed, 1);
    w.appendOutput('next');
    w.flush();
    assert.deepEqual(w.view.output.toArray(), ['next']);
    assert.equal(readTerminal(w.view).trimmed, 2);
  });

  it('a replica gone longer than the scrollback gets reset=true and the full current scrollback', () => {
    const w = newWriter(100);
    const r = new Replica(w.doc).connect();
    w.appendOutput('seen before leaving\n');
    w.flush();
    r.disconnect();
    for (let i = 0; i < 30; i++) {
      w.appendOutput(`while away ${i}\n`);
      w.flush();
    }
    r.connect();
    const scrollback = outputText(w.view);
    assert.ok(scrollback.length <= 100 && scrollback.length > 0);
    assert.deepEqual(r.renders.at(-1), { reset: true, text: scrollback });
    assert.equal(r.screen, scrollback);
    assert.equal(r.resets, 1);
    // And it continues incrementally afterwards.
    w.appendOutput('back\n');
    w.flush();
    assert.deepEqual(r.renders.at(-1), { reset: false, text: 'back\n' });
    assert.equal(r.screen, scrollback + 'back\n');
  });

  it('a replica gone less than the scrollback gets only what it missed, even though older chunks were trimmed', () => {
    const w = newWriter(100);
    const r = new Replica(w.doc).connect();
    for (let i = 0; i < 5; i++) {
      w.appendOutput(`${i}`.repeat(20));
      w.flush();
    }
    r.disconnect();
    w.appendOutput('x'.repeat(20));
    w.flush();
    w.appendOutput('y'.repeat(20));
    w.flush();
    assert.equal(readTerminal(w.view).trimmed, 2, 'chunks the replica had seen were trimmed');
    r.connect();
    assert.deepEqual(r.renders.at(-1), { reset: false, text: 'x'.repeat(20) + 'y'.repeat(20) });
    assert.equal(r.screen, '0'.repeat(20) + '1'.repeat(20) + '2'.repeat(20) + '3'.repeat(20) + '4'.repeat(20) + 'x'.repeat(20) + 'y'.repeat(20));
  });
});

describe('output batching', () => {
  it('the first write after a quiet spell is written at once (a keystroke echo does not wait)', () => {
    const w = newWriter();
    const updates = countUpdates(w.doc);
    w.appendOutput('x');
    assert.equal(updates.count, 1);
    assert.deepEqual(w.view.output.toArray(), ['x']);
  });

  it('many appendOutput calls within one flush interval after that produce one document update', async () => {
    const w = newWriter();
    const updates = countUpdates(w.doc);
    w.appendOutput('lead,');
    const started = Date.now();
    let expected = '';
    for (let i = 0; i < 200; i++) {
      w.appendOutput(`${i},`);
      expected += `${i},`;
    }
    assert.equal(updates.count, 1, 'only the leading write went out synchronously');
    await until(() => updates.count > 1);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= OUTPUT_FLUSH_MS - 2, `flushed after ${elapsed} ms`);
    assert.equal(updates.count, 2);
    assert.deepEqual(w.view.output.toArray(), ['lead,', expected]);
    // Nothing else was pending: an explicit flush writes nothing more.
    w.flush();
    assert.equal(updates.count, 2);
  });

  it('flush() writes pending output at once as one chunk and cancels the timer', async () => {
    const w = newWriter();
    const updates = countUpdates(w.doc);
    w.appendOutput('a'); // written at once
    w.appendOutput('b');
    w.appendOutput('c');
    w.flush();
    assert.equal(updates.count, 2);
    assert.deepEqual(w.view.output.toArray(), ['a', 'bc']);
    // The cancelled timer must not write an (empty) third update.
    await new Promise((r) => setTimeout(r, OUTPUT_FLUSH_MS * 3));
    assert.equal(updates.count, 2);
  });

  it('ignores empty output', async () => {
    const w = newWriter();
    const updates = countUpdates(w.doc);
    w.appendOutput('');
    w.flush();
    await new Promise((r) => setTimeout(r, OUTPUT_FLUSH_MS * 3));
    assert.equal(updates.count, 0);
    assert.equal(w.view.output.length, 0);
  });

  it('OUTPUT_FLUSH_CHARS pending flush immediately', async () => {
    const w = newWriter();
    const updates = countUpdates(w.doc);
    w.appendOutput('x'); // the leading write goes out at once; what follows is batched
    w.appendOutput('a'.repeat(OUTPUT_FLUSH_CHARS - 1));
    assert.equal(updates.count, 1);
    w.appendOutput('b');
    assert.equal(updates.count, 2, 'flushed synchronously at OUTPUT_FLUSH_CHARS');
    assert.deepEqual(w.view.output.toArray(), ['x', 'a'.repeat(OUTPUT_FLUSH_CHARS - 1) + 'b']);
    const single = 'c'.repeat(OUTPUT_FLUSH_CHARS * 4);
    w.appendOutput(single);
    assert.equal(updates.count, 3, 'one large write flushes synchronously');
    assert.equal(w.view.output.get(2), single);
    // No leftover timer writes anything afterwards.
    await new Promise((r) => setTimeout(r, OUTPUT_FLUSH_MS * 3));
    assert.equal(updates.count, 3);
  });

  it('a continuous stream becomes few updates, not one per write', async () => {
    const w = newWriter();
    const r = new Replica(w.doc).connect();
    const updates = countUpdates(w.doc);
    let expected = '';
    // 1 000 small writes, 10 per tick over ~100 ticks of the event loop.
    for (let tick = 0; tick < 100; tick++) {
      for (let i = 0; i < 10; i++) {
        const s = `${tick}.${i} `;
        w.appendOutput(s);
        expected += s;
      }
      await new Promise((res) => setImmediate(res));
    }
    await until(() => r.screen.length === expected.length);
    assert.equal(r.screen, expected);
    assert.ok(updates.count < 100, `${updates.count} updates for 1000 writes`);
  });
});

describe('setExited', () => {
  it('flushes pending output before marking the program as exited', () => {
    const w = newWriter();
    const r = new Replica(w.doc);
    r.resync();
    const updates = countUpdates(w.doc);
    w.appendOutput('last words\n');
    w.setExited(3, null);
    assert.equal(updates.count, 2);
    // Applied one by one, the output arrives while the program is still running, then it exits.
    Y.applyUpdate(r.doc, updates.updates[0]!);
    r.render();
    assert.equal(r.screen, 'last words\n');
    assert.equal(readTerminal(r.view).state, 'running');
    Y.applyUpdate(r.doc, updates.updates[1]!);
    const snap = readTerminal(r.view);
    assert.deepEqual([snap.state, snap.exitCode, snap.exitSignal], ['exited', 3, null]);
  });

  it('records a signal', () => {
    const w = newWriter();
    w.setExited(0, 9);
    const snap = readTerminal(w.view);
    assert.deepEqual([snap.state, snap.exitCode, snap.exitSignal], ['exited', 0, 9]);
  });
});

describe('setSize, addDevice, removeDevice, close', () => {
  it('setSize records size and owner, and writes nothing when unchanged', () => {
    const w = newWriter();
    const r = new Replica(w.doc).connect();
    const updates = countUpdates(w.doc);
    w.setSize(120, 40, 'peer-a');
    assert.equal(updates.count, 1);
    let snap = readTerminal(r.view);
    assert.deepEqual([snap.cols, snap.rows, snap.sizeOwner], [120, 40, 'peer-a']);
    w.setSize(120, 40, 'peer-a');
    assert.equal(updates.count, 1, 'no update for an unchanged size');
    w.setSize(100, 40, null);
    assert.equal(updates.count, 2);
    snap = readTerminal(r.view);
    assert.deepEqual([snap.cols, snap.rows, snap.sizeOwner], [100, 40, null]);
  });

  it('close writes pending output', () => {
    const doc = new Y.Doc();
    const w = new TerminalDocWriter(doc, meta);
    w.appendOutput('pending');
    w.close();
    assert.deepEqual(w.view.output.toArray(), ['pending']);
  });
});

describe('echo after input', () => {
  it('output right after expectEcho() is written at once even inside a batching interval', () => {
    const w = newWriter();
    const updates = countUpdates(w.doc);
    w.appendOutput('a'); // leading write
    w.appendOutput('b'); // batched
    assert.equal(updates.count, 1);
    w.expectEcho();
    w.appendOutput('c');
    assert.equal(updates.count, 2, 'the echo went out at once, with what was pending');
    assert.deepEqual(w.view.output.toArray(), ['a', 'bc']);
    w.appendOutput('d');
    assert.equal(updates.count, 2, 'only one immediate write per keystroke');
    w.flush();
  });
});

describe('size', () => {
  it('an unchanged size runs no transaction (every keystroke says its size)', () => {
    const w = newWriter();
    w.setSize(100, 30, 'peer-a');
    let transactions = 0;
    w.doc.on('afterTransaction', () => transactions++);
    w.setSize(100, 30, 'peer-a');
    assert.equal(transactions, 0);
    w.setSize(100, 31, 'peer-a');
    assert.equal(transactions, 1);
    assert.equal(w.view.term.get('rows'), 31);
  });
});
