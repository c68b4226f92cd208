/**
 * `npm run fuzz`: every fuzz property, long — the protocol and config properties, the seeded sync model,
 * frames against a real host and the end-to-end sync — each after its stored regressions. Prints each
 * property's case count and time, the total, and the seed that replays the run.
 *
 *   npm run fuzz -- [--seed N] [--runs N] [--only TEXT] [--record]
 *
 * --seed replays a run (default: a random seed, printed); --runs sets the cases of every property;
 * --only runs the properties whose name contains TEXT; --record appends each failure to regressions.json.
 */
import { parseArgs } from 'node:util';
import { randomInt } from 'node:crypto';
import { describeFailure, runProperty, type FuzzOutcome, type FuzzProperty } from './fuzz-property.js';
import { examplesFor, recordRegression } from './regressions.js';
import { protocolProperties } from './protocol-properties.js';
import { syncModelProperty } from './sync-model.js';
import { hostFramesProperty } from './host-frames.js';
import { liveSyncProperty } from './live-sync.js';

const USAGE = 'usage: npm run fuzz -- [--seed N] [--runs N] [--only TEXT] [--record]';

function integer(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    process.stderr.write(`--${name} must be an integer\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { seed: { type: 'string' }, runs: { type: 'string' }, only: { type: 'string' }, record: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const seed = integer(values.seed, 'seed', randomInt(0, 2 ** 31));
  const runs = values.runs === undefined ? null : integer(values.runs, 'runs', 0);
  const all: FuzzProperty[] = [...protocolProperties, syncModelProperty as FuzzProperty, hostFramesProperty as FuzzProperty, liveSyncProperty as FuzzProperty];
  const chosen = all.filter((p) => !values.only || p.name.includes(values.only));
  if (chosen.length === 0) {
    process.stderr.write(`no property matches --only ${values.only}\n`);
    return 2;
  }
  const unhandled: unknown[] = [];
  process.on('unhandledRejection', (err) => unhandled.push(err));
  process.stdout.write(`fuzz: seed ${seed}, ${chosen.length} properties\n`);
  const outcomes: FuzzOutcome[] = [];
  const started = performance.now();
  for (const p of chosen) {
    const examples = examplesFor(p.name);
    let outcome: FuzzOutcome;
    try {
      outcome = await runProperty(p, { runSeed: seed, runs: runs ?? p.runs.long, examples });
    } finally {
      if (p === hostFramesProperty) await hostFramesProperty.close().catch((err: unknown) => unhandled.push(err));
    }
    outcomes.push(outcome);
    const verdict = outcome.failure ? 'FAILED' : 'ok';
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    process.stdout.write(`  ${p.name.padEnd(48)} ${String(outcome.cases).padStart(7)} cases ${(outcome.ms / 1000).toFixed(1).padStart(6)} s  rss ${String(rss).padStart(4)} MiB  ${verdict}\n`);
    if (outcome.failure) {
      process.stdout.write(`${describeFailure(outcome.failure)}\n`);
      if (values.record) {
        recordRegression(outcome.failure, `found by npm run fuzz -- --seed ${seed}`);
        process.stdout.write('  recorded in test/fuzz/regressions.json\n');
      }
    }
  }
  const total = outcomes.reduce((n, o) => n + o.cases, 0);
  const failed = outcomes.filter((o) => o.failure);
  process.stdout.write(`fuzz: ${total} cases in ${((performance.now() - started) / 1000).toFixed(1)} s, seed ${seed}: ${failed.length === 0 ? 'all properties hold' : `${failed.length} failed`}\n`);
  for (const err of unhandled) process.stdout.write(`unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  if (failed.length > 0) process.stdout.write(`replay: npm run fuzz -- --seed ${seed} --only ${failed[0]!.property}\n`);
  return failed.length > 0 || unhandled.length > 0 ? 1 : 0;
}

process.exitCode = await main();
