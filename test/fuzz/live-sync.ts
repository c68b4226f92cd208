/**
 * The end-to-end sync fuzz: a real host running `/bin/sh` in a PTY, 2–3 real Node SessionClients over real
 * WebRTC, random input intents (each prints a marker once), resizes and dropped connections in a random
 * order. At the end every client is live, every replica equals the host's document, every intent was
 * answered, and every marker appears exactly once: no intent was applied twice, none was lost.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestHost, openClient, type TestClient } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';
import type { IntentReply } from '../../protocol/messages.js';
import { fuzzProperty } from './fuzz-property.js';
import { terminalSnapshot } from './host-frames.js';

/** One thing a device does. `c` picks a client (mod their count). */
export type LiveStep =
  | { op: 'echo'; c: number }
  | { op: 'resize'; c: number; cols: number; rows: number }
  | { op: 'drop'; c: number }
  | { op: 'settle'; c: number };

/** A scenario: how many clients, and what they do, in order. */
export interface LiveScenario {
  clients: number;
  steps: LiveStep[];
}

const step = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('echo' as const), c: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('resize' as const), c: fc.nat(2), cols: fc.integer({ min: 20, max: 200 }), rows: fc.integer({ min: 5, max: 60 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), c: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('settle' as const), c: fc.nat(2) }) },
);

/** Scenarios of 15–40 steps for 2–3 clients. */
export const liveScenario: fc.Arbitrary<LiveScenario> = fc.record({
  clients: fc.integer({ min: 2, max: 3 }),
  steps: fc.array(step, { minLength: 15, maxLength: 40, size: 'max' }),
});

/** Counts the non-overlapping occurrences of `needle` in `text`. */
function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Runs one scenario against a fresh host; throws on any divergence. */
export async function runLiveScenario(scenario: LiveScenario): Promise<void> {
  const host = await startTestHost(['/bin/sh']);
  const clients: TestClient[] = [];
  try {
    for (let i = 0; i < scenario.clients; i++) clients.push(openClient(host.ready.url, `fuzz ${i}`));
    await waitFor(() => clients.every((c) => c.client.state === 'live'), 15_000, 'every client to connect');
    await waitFor(() => host.terminal.writer.view.output.toArray().join('').endsWith('$ '), 10_000, 'the first prompt');
    const replies: Array<Promise<IntentReply>> = [];
    const markers: string[] = [];
    for (const s of scenario.steps) {
      const c = clients[s.c % clients.length]!;
      if (s.op === 'echo') {
        // The shell prints mk<n>x only when it runs the command; the echoed command line reads mk$((n))x.
        const n = markers.length;
        markers.push(`mk${n}x`);
        replies.push(c.client.sendIntent({ type: 'input', data: `echo mk$((${n}))x\r` }));
      } else if (s.op === 'resize') replies.push(c.client.sendIntent({ type: 'resize', cols: s.cols, rows: s.rows }));
      else if (s.op === 'drop') c.client.dropConnection();
      else await waitFor(() => c.client.state === 'live', 15_000, 'a dropped client to come back');
    }
    const answered = await Promise.all(replies);
    for (const r of answered) assert.ok(r.ok, `an intent was refused: ${JSON.stringify(r)}`);
    const output = (): string => host.terminal.writer.view.output.toArray().join('');
    await waitFor(() => markers.every((m) => output().includes(m)) && output().endsWith('$ '), 15_000, 'every command to run');
    await waitFor(() => clients.every((c) => c.client.state === 'live' && terminalSnapshot(c.client.doc) === terminalSnapshot(host.terminal.doc)), 15_000, 'every replica to equal the host');
    for (const m of markers) assert.equal(count(output(), m), 1, `${m} printed ${count(output(), m)} times`);
    for (const [i, c] of clients.entries()) {
      // What each device rendered (chunk by chunk, across its reconnects) is the host's output exactly once.
      if (c.resets() === 0) assert.equal(c.text(), output(), `client ${i} rendered something else than the host wrote`);
    }
  } finally {
    for (const c of clients) c.close();
    await host.close();
  }
}

/** The end-to-end sync fuzz as a property (each case a whole host; no shrinking, it would rerun hosts). */
export const liveSyncProperty = fuzzProperty({
  name: 'sync/live-replicas-converge',
  async: true,
  arbitrary: liveScenario,
  check: runLiveScenario,
  shrink: false,
  runs: { short: 2, long: 20 },
});
