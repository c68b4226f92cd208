/**
 * The signal server's rate limits, one fixed one-minute window per kind and key (rate-limiter-flexible).
 * In memory today; a shared store (RateLimiterRedis) replaces the limiter factory when instances scale out.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js';
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js';
import type { SignalLimits } from './signal-limits.js';

/** What is counted, and by what key: a connection id, an address, or "address session". */
export type RateKind = 'registration' | 'message' | 'join' | 'failedJoin';

/** Rate limits as the server uses them; every method is async so a networked store fits. */
export interface RateLimits {
  /** Counts one event for `key`; resolves null when allowed, else the milliseconds until it is. */
  take(kind: RateKind, key: string): Promise<number | null>;
}

/** Makes the limiter of one kind; the default keeps counters in this process. */
export type LimiterFactory = (options: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

const memoryLimiter: LimiterFactory = (options) => new RateLimiterMemory(options);

const WINDOW_SECONDS = 60;

/** Rate limits for `limits`, counted by limiters from `factory`. */
export function createRateLimits(limits: SignalLimits, factory: LimiterFactory = memoryLimiter): RateLimits {
  const points: Record<RateKind, number> = {
    registration: limits.registrationsPerMinute,
    message: limits.messagesPerMinute,
    join: limits.joinsPerMinute,
    failedJoin: limits.failedJoinsPerMinute,
  };
  const limiters = Object.fromEntries(
    (Object.keys(points) as RateKind[]).map((kind) => [kind, factory({ keyPrefix: `tether:${kind}`, points: points[kind], duration: WINDOW_SECONDS })]),
  ) as Record<RateKind, RateLimiterAbstract>;
  return {
    async take(kind, key) {
      try {
        await limiters[kind].consume(key);
        return null;
      } catch (err) {
        // A refusal is a RateLimiterRes; anything else is a store failure and must not pass silently.
        if (err instanceof RateLimiterRes) return Math.max(err.msBeforeNext, 1);
        throw err;
      }
    },
  };
}
