/** The schema of a frame's or envelope's error code field. */
import * as z from './zod.js';
import { isErrorCode, type ErrorCode } from './errors.js';

/** A string that is one of tether's error codes (protocol/errors.ts), typed as ErrorCode; `message` when it is not. */
export function errorCodeSchema(message?: string): z.ZodMiniType<ErrorCode> {
  // A refinement cannot narrow the type it checks: the cast states what the check ensures.
  return z.string().check(z.refine(isErrorCode, message)) as unknown as z.ZodMiniType<ErrorCode>;
}
