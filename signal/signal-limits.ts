/**
 * The signal server's bounds: how many sessions it holds (per connection, per address, in total), how
 * fast a connection may register and relay, how fast an address may join, and how long it remembers
 * who owned a session. One validated, frozen object; benchmarks raise the numbers, nothing else reads them.
 */
import * as z from '../protocol/zod.js';

const count = z.int().check(z.positive());

/** Every limit; README "Limits" lists the defaults and `tether signal --help` the flags. */
export const SignalLimitsSchema = z.strictObject({
  /** Sessions registered on this server, all hosts together. */
  maxSessions: count,
  /** Sessions registered from one client address (hosts behind one NAT share it). */
  maxSessionsPerAddress: count,
  /** Sessions one host connection may register (a host serves up to 1,000 sessions plus its list). */
  maxSessionsPerConnection: count,
  /** `host:register` messages per connection per minute (a reconnecting host re-registers all at once). */
  registrationsPerMinute: count,
  /** Relayed messages per minute from one device connection, and from a host to one device. */
  messagesPerMinute: count,
  /** `client:join` messages per address per minute, successful or not: a flood cap. */
  joinsPerMinute: count,
  /** Failed joins (unknown session) per address and session per minute. */
  failedJoinsPerMinute: count,
  /** How long a session id stays reserved for its owner secret after its host left. */
  ownerRetentionMs: count,
  /** Remembered owners in total, and per address; the oldest are forgotten first. */
  rememberedOwners: count,
  rememberedOwnersPerAddress: count,
});
export type SignalLimits = z.infer<typeof SignalLimitsSchema>;

/**
 * Safe defaults for a team server with a few hundred hosts, each serving up to ~1,000 sessions; every
 * session costs a few hundred bytes, so the totals stay in tens of megabytes.
 */
export const DEFAULT_SIGNAL_LIMITS: Readonly<SignalLimits> = Object.freeze({
  maxSessions: 50_000,
  maxSessionsPerAddress: 4_000,
  maxSessionsPerConnection: 2_000,
  registrationsPerMinute: 4_000,
  messagesPerMinute: 120,
  joinsPerMinute: 600,
  failedJoinsPerMinute: 20,
  ownerRetentionMs: 24 * 60 * 60 * 1000,
  rememberedOwners: 100_000,
  rememberedOwnersPerAddress: 10_000,
});

/** Fills in defaults and validates; throws zod's error on a bad value (callers validate flags first). */
export function resolveSignalLimits(overrides: Partial<SignalLimits> = {}): Readonly<SignalLimits> {
  return Object.freeze(SignalLimitsSchema.parse({ ...DEFAULT_SIGNAL_LIMITS, ...overrides }));
}
