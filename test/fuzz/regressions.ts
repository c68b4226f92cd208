/**
 * Counterexamples that once broke a property, kept in test/fuzz/regressions.json and replayed on every run
 * (`npm test` and `npm run fuzz`). Values are stored as JSON; bytes, undefined, -0 and non-finite numbers
 * are tagged so they come back exactly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromBase64Url, toBase64Url } from '../../protocol/encoding.js';
import type { FuzzFailure } from './fuzz-property.js';

/** The regressions file, beside this module. */
export const REGRESSIONS_PATH = fileURLToPath(new URL('./regressions.json', import.meta.url));

/** One stored counterexample. */
export interface Regression {
  property: string;
  /** What it showed, and what fixed it. */
  note: string;
  /** The property's seed and path when it was found (to reproduce the whole run, not needed to replay). */
  seed?: number;
  path?: string;
  example: unknown;
}

/** Encodes a value as JSON with tags for what JSON cannot hold. */
export function encodeExample(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: toBase64Url(value) };
  if (value === undefined) return { $undefined: true };
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return { $number: String(value === 0 ? '-0' : value) };
  if (Array.isArray(value)) return value.map(encodeExample);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: encodeExample(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** Decodes what encodeExample wrote. */
export function decodeExample(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(decodeExample);
  if (json !== null && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.$bytes === 'string') return fromBase64Url(o.$bytes);
    if (keys.length === 1 && o.$undefined === true) return undefined;
    if (keys.length === 1 && typeof o.$number === 'string') return o.$number === '-0' ? -0 : Number(o.$number);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) Object.defineProperty(out, k, { value: decodeExample(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return json;
}

/** The stored regressions. */
export function loadRegressions(): Regression[] {
  return JSON.parse(readFileSync(REGRESSIONS_PATH, 'utf8')) as Regression[];
}

/** Adds a failure to the file (the run that found it says so; the fix's commit keeps it). */
export function recordRegression(failure: FuzzFailure, note: string): void {
  const all = loadRegressions();
  all.push({ property: failure.property, note, seed: failure.seed, path: failure.path, example: encodeExample(failure.counterexample) });
  writeFileSync(REGRESSIONS_PATH, `${JSON.stringify(all, null, 2)}\n`);
}

/** The stored counterexamples of one property, decoded, to run before its generated cases. */
export function examplesFor(property: string): unknown[] {
  return loadRegressions()
    .filter((r) => r.property === property)
    .map((r) => decodeExample(r.example));
}
