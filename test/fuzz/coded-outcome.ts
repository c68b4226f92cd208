/**
 * The fuzzers' verdict on one call: it returned a value, or it threw a TetherError whose code is in the
 * registry (and in the list the caller allows). Anything else thrown is the bug the fuzzers look for.
 */
import assert from 'node:assert/strict';
import { isErrorCode, TetherError, type ErrorCode } from '../../protocol/errors.js';

/** A value, or the coded error instead of one. */
export type CodedOutcome<R> = { ok: true; value: R } | { ok: false; error: TetherError };

/** Asserts `error` is a TetherError with a registry code (one of `allowed` when given). */
export function assertCoded(error: unknown, allowed?: readonly ErrorCode[]): asserts error is TetherError {
  if (!(error instanceof TetherError)) {
    const err = new assert.AssertionError({ message: `threw something other than a TetherError: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` });
    err.cause = error;
    throw err;
  }
  assert.ok(isErrorCode(error.code), `code ${String(error.code)} is not in the registry`);
  if (allowed) assert.ok(allowed.includes(error.code), `code ${error.code} (${error.message}) is not one of ${allowed.join(', ')}`);
}

/** Runs `fn`: returns its value, or the coded error it threw; fails on anything else thrown. */
export function valueOrCoded<R>(fn: () => R, allowed?: readonly ErrorCode[]): CodedOutcome<R> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    assertCoded(error, allowed);
    return { ok: false, error };
  }
}
