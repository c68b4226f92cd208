/** Durations on the command line and in the policy: `90s`, `10m`, `2h`, `7d`. */

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration such as `90s`, `10m`, `2h`, `7d`; null when it is not one. */
export function parseDuration(value: string): number | null {
  const m = /^(\d{1,6})(s|m|h|d)$/.exec(value);
  if (!m || Number(m[1]) === 0) return null;
  return Number(m[1]) * DURATION_UNITS[m[2]!]!;
}
