/**
 * The output pacer: a terminal that keeps up gets every byte at once; one that falls behind gets the
 * newest output after a dim "… n KB skipped …" line, never half a line, and the skipped amount is counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputPacer, RESET, skippedLine } from '../../client/web/output-pacer.js';

/** A terminal whose parsing the test completes by hand (as xterm's write callback would). */
function slowTerminal(): { written: string[]; parseAll: () => void; pacer: OutputPacer } {
  const written: string[] = [];
  let pending: Array<() => void> = [];
  const pacer = new OutputPacer(
    (data, parsed) => {
      written.push(data);
      pending.push(parsed);
    },
    { maxUnparsed: 100, skipAbove: 1000, keepTail: 200 },
  );
  const parseAll = (): void => {
    while (pending.length > 0) {
      const now = pending;
      pending = [];
      for (const done of now) done();
    }
  };
  return { written, parseAll, pacer };
}

const line = (i: number): string => `line ${String(i).padStart(4, '0')} ${'x'.repeat(30)}\r\n`;

test('a terminal that keeps up gets all output, unchanged and in order', () => {
  const t = slowTerminal();
  const lines = Array.from({ length: 300 }, (_, i) => line(i));
  for (const l of lines) {
    t.pacer.push(l);
    t.parseAll();
  }
  assert.equal(t.written.join(''), lines.join(''));
  assert.equal(t.pacer.skippedChars, 0);
});

test('held output below the skip threshold is written whole once the terminal catches up', () => {
  const t = slowTerminal();
  const lines = Array.from({ length: 20 }, (_, i) => line(i)); // 20 × 42 = 840 chars < 1000
  for (const l of lines) t.pacer.push(l);
  t.parseAll();
  assert.equal(t.written.join(''), lines.join(''));
  assert.equal(t.pacer.skippedChars, 0);
});

test('a terminal that falls behind skips the middle, shows the gap, and ends with the newest lines exact', () => {
  const t = slowTerminal();
  const lines = Array.from({ length: 500 }, (_, i) => line(i));
  for (const l of lines) t.pacer.push(l);
  t.parseAll();
  const all = t.written.join('');
  assert.ok(t.pacer.skippedChars > 0, 'something was skipped');
  const gap = all.indexOf('KB skipped');
  assert.ok(gap > 0, 'the gap line is shown');
  assert.match(all, /\x1b\[2m… \d+ KB skipped …\x1b\[0m\r\n/);
  // After the gap: whole lines only, ending with the last one.
  const after = all.slice(all.indexOf('\r\n', gap) + 2);
  assert.match(after, /^line \d{4} /);
  assert.ok(after.endsWith(lines.join('').slice(-after.length)), 'the kept tail is the newest output, unchanged');
  assert.ok(after.endsWith(line(499)));
  // Nothing is lost silently: what was written plus what was skipped is everything (minus the gap line).
  const gapLine = skippedLine(t.pacer.skippedChars);
  assert.equal(all.length - gapLine.length + t.pacer.skippedChars, lines.join('').length);
});

test('one arrival larger than the skip threshold is skipped too, even into an idle terminal', () => {
  // A device that fell behind gets one catch-up diff from the host: all of it arrives in one piece.
  const t = slowTerminal();
  const lines = Array.from({ length: 100 }, (_, i) => line(i)); // 4,200 chars > 1000
  t.pacer.push(lines.join(''));
  t.parseAll();
  const all = t.written.join('');
  assert.match(all, /KB skipped/);
  assert.ok(all.endsWith(line(99)));
  assert.ok(all.length < 1000, `${all.length} chars drawn`);
  assert.equal(all.length - skippedLine(t.pacer.skippedChars).length + t.pacer.skippedChars, lines.join('').length);
});

test('a replay after a reset starts in order behind what the terminal still has queued, and keeps only the tail when it was holding output back', () => {
  const t = slowTerminal();
  const queued = line(1) + line(2) + line(3);
  for (let i = 1; i <= 3; i++) t.pacer.push(line(i)); // queued, not yet parsed: the terminal is behind
  t.pacer.push(line(4)); // held
  const kept = Array.from({ length: 40 }, (_, i) => line(100 + i)).join('');
  t.pacer.restart(kept);
  t.parseAll();
  const all = t.written.join('');
  // The reset is written in the stream (after what the terminal had queued), never before it.
  assert.ok(all.startsWith(queued + RESET), JSON.stringify(all.slice(0, 160)));
  assert.ok(!all.includes(line(4)), 'held output of before the reset is not written');
  const replay = all.slice((queued + RESET).length);
  assert.match(replay, /KB skipped/, 'a terminal that was behind gets the tail, after a gap line');
  const tail = replay.slice(replay.indexOf('skipped …\x1b[0m\r\n') + 'skipped …\x1b[0m\r\n'.length);
  assert.ok(tail.length > 0 && tail.length <= 200 && kept.endsWith(tail) && tail.startsWith('line '), 'then the newest lines, whole');

  // Idle (all parsed), or still parsing without holding anything back (a replica replayed on open):
  // the whole replay, no gap.
  const idle = slowTerminal();
  idle.pacer.restart(kept);
  idle.parseAll();
  assert.equal(idle.written.join(''), RESET + kept);
  assert.equal(idle.pacer.skippedChars, 0);
  const parsing = slowTerminal();
  parsing.pacer.push('x');
  parsing.pacer.restart(kept);
  parsing.parseAll();
  assert.equal(parsing.written.join(''), 'x' + RESET + kept);
  assert.equal(parsing.pacer.skippedChars, 0);
});
