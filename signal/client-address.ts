/**
 * The address a connection's limits are counted against: the TCP peer, or behind a trusted reverse
 * proxy the address that proxy appended to X-Forwarded-For. IPv6 addresses count per /64, since one
 * machine usually holds a whole /64 and could otherwise change address at will.
 */
import type { IncomingHttpHeaders } from 'node:http';
import ipaddr from 'ipaddr.js';

function lastForwardedFor(headers: IncomingHttpHeaders): string | null {
  const raw = headers['x-forwarded-for'];
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  // Our proxy appends the address it saw; anything before it is what the client claimed.
  const hops = (value ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return hops.at(-1) ?? null;
}

/** Normalises an IP address to the key limits count by; anything unparsable is kept as given. */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

/** The limit key for a request from `remoteAddress` with `headers`; trusts X-Forwarded-For only when told. */
export function clientAddress(headers: IncomingHttpHeaders, remoteAddress: string | undefined, trustProxy: boolean): string {
  const forwarded = trustProxy ? lastForwardedFor(headers) : null;
  return addressKey(forwarded ?? remoteAddress ?? 'unknown');
}
