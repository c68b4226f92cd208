/**
 * What one seeded fault run does: which fault, how long, when in the run, and how many prompts each
 * conversation device sends. The same seed always gives the same run (the suite can resume from any).
 */
import { between, seededRandom } from './seeded-random.js';

/** The faults the suite injects. */
export const FAULT_KINDS = ['cut', 'loss', 'signal-restart', 'host-stop', 'host-kill', 'page-reload', 'storm'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One run's plan. */
export interface Scenario {
  seed: number;
  kind: FaultKind;
  /** How long the fault lasts (a cut, the loss, a stop; a restart's downtime). */
  durationMs: number;
  /** Packet loss, for `loss`. */
  lossPercent: number;
  /** When the fault starts after the run's workload started. */
  startAfterMs: number;
  /** Prompts per conversation device, sent at random moments of the run (some during the fault). */
  prompts: number[];
  /** When each prompt is sent (ms after the workload started), per device. */
  promptAt: number[][];
}

/** Short runs: faults of at most `maxFaultMs` (exactly `faultMs` when given). Long runs: 2-minute cuts and 60 s stops. */
export function scenarioFor(seed: number, options: { long: boolean; maxFaultMs: number; faultMs?: number; kinds: readonly FaultKind[]; convDevices: number }): Scenario {
  const random = seededRandom(seed);
  const kinds = options.long ? options.kinds.filter((k) => k === 'cut' || k === 'host-stop') : options.kinds;
  const kind = kinds[between(random, 0, kinds.length - 1)]!;
  let durationMs = between(random, 1000, options.maxFaultMs);
  if (options.long) durationMs = kind === 'cut' ? 120_000 : 60_000;
  // A fixed length, to measure recovery after a given outage (the random draw above is still made: the
  // rest of the run stays what the seed gives).
  if (options.faultMs !== undefined) durationMs = options.faultMs;
  // A storm: every device must notice the host is gone (2.8 s of silence), then all come back at once.
  if (kind === 'storm') durationMs = 5000;
  if (kind === 'page-reload' || kind === 'host-kill' || kind === 'signal-restart') durationMs = Math.min(durationMs, between(random, 200, 3000));
  const startAfterMs = between(random, 300, 1500);
  const window = startAfterMs + durationMs + 1000;
  const prompts = Array.from({ length: options.convDevices }, () => between(random, 1, 3));
  const promptAt = prompts.map((n) => Array.from({ length: n }, () => between(random, 0, window)).sort((a, b) => a - b));
  return { seed, kind, durationMs, lossPercent: between(random, 10, 30), startAfterMs, prompts, promptAt };
}
