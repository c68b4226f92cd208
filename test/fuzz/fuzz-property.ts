/**
 * The shape of every fuzz property and the one way to run it: briefly under `npm test` (a fixed seed),
 * long under `npm run fuzz` (test/fuzz/run.ts), or on a stored counterexample (test/fuzz/regressions.json).
 */
import fc from 'fast-check';

/** One property: inputs to generate, and a check that throws when the property does not hold. */
export interface FuzzProperty<T = unknown> {
  /** Stable name (`area/what`): seeds are derived from it and regressions refer to it. */
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Throws (an assertion error) when `value` breaks the property. */
  check(value: T): void | Promise<void>;
  /** True when `check` returns a promise. */
  readonly async?: boolean;
  /** False for properties whose cases are too costly to shrink (each one starts a host). */
  readonly shrink?: boolean;
  /** Cases per run: under `npm test`, and under `npm run fuzz`. */
  readonly runs: { readonly short: number; readonly long: number };
}

/** Declares a property (keeps T inferred from the arbitrary). */
export function fuzzProperty<T>(p: FuzzProperty<T>): FuzzProperty<T> {
  return p;
}

/** The seed `npm test` uses unless FUZZ_SEED says otherwise: fixed, so a red test is reproducible. */
export const DEFAULT_TEST_SEED = 20_260_512;

/** The seed of the short runs: FUZZ_SEED from the environment, or DEFAULT_TEST_SEED. */
export function testSeed(): number {
  const text = process.env.FUZZ_SEED;
  if (text === undefined || text === '') return DEFAULT_TEST_SEED;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${text}`);
  return seed;
}

/**
 * Each property's own seed, derived from the run's seed and the property's name (FNV-1a), so one
 * printed seed replays every property while no two properties draw the same stream.
 */
export function seedFor(runSeed: number, name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h ^ runSeed) | 0;
}

/** A property that did not hold: what to replay, and what went wrong. */
export interface FuzzFailure<T = unknown> {
  property: string;
  /** The property's own seed and fast-check's path to the (shrunk) case. */
  seed: number;
  path: string;
  counterexample: T;
  error: string;
}

/** What one run of a property did. */
export interface FuzzOutcome {
  property: string;
  /** Cases executed (stored examples included). */
  cases: number;
  ms: number;
  failure: FuzzFailure | null;
}

/** Runs `p` for `runs` cases from `runSeed`, stored `examples` first; never throws for a failing case. */
export async function runProperty<T>(p: FuzzProperty<T>, options: { runSeed: number; runs: number; examples?: T[]; shrink?: boolean }): Promise<FuzzOutcome> {
  const seed = seedFor(options.runSeed, p.name);
  const started = performance.now();
  const property = p.async
    ? fc.asyncProperty(p.arbitrary, async (value) => {
        await p.check(value);
      })
    : fc.property(p.arbitrary, (value) => {
        p.check(value);
      });
  const details = await fc.check(property as fc.IAsyncProperty<[T]>, {
    seed,
    numRuns: options.runs,
    examples: (options.examples ?? []).map((e) => [e] as [T]),
    endOnFailure: (options.shrink ?? p.shrink) === false,
  });
  const ms = performance.now() - started;
  if (!details.failed) return { property: p.name, cases: details.numRuns, ms, failure: null };
  const error = details.errorInstance;
  return {
    property: p.name,
    cases: details.numRuns,
    ms,
    failure: {
      property: p.name,
      seed,
      path: details.counterexamplePath ?? '',
      counterexample: details.counterexample?.[0] as T,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    },
  };
}

/** A one-paragraph account of a failure, with the value printed by fast-check. */
export function describeFailure(f: FuzzFailure): string {
  return [
    `property ${f.property} failed (seed ${f.seed}, path "${f.path}")`,
    `counterexample: ${fc.stringify(f.counterexample).slice(0, 2000)}`,
    f.error,
  ].join('\n');
}
