/**
 * Which browser pages may open a socket to the signal server: its own origin (the Host the browser
 * asked for, the public URL, or with a trusted proxy the forwarded host and scheme) and any origin
 * allowed explicitly. Requests without an Origin header (Node hosts, `tether attach`) are not pages.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Logger } from 'pino';

/** Where the server is reachable as a page, and who else may use it. */
export interface OriginPolicy {
  /** The origin links point at (--public-url), if not the Host itself. */
  publicUrl: string | null;
  /** Trust X-Forwarded-Host/-Proto/-For from the reverse proxy in front of the server. */
  trustProxy: boolean;
  /** More origins allowed to connect (--allow-origin). */
  allowOrigins: readonly string[];
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** `value` when it is a plain host[:port] (safe to put in a CSP or URL), else null. */
export function plainHost(value: string | undefined): string | null {
  return value !== undefined && HOST.test(value) ? value.toLowerCase() : null;
}

function first(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value?.split(',')[0]!.trim();
}

function originOf(scheme: string, host: string | null): string | null {
  if (!host || (scheme !== 'http' && scheme !== 'https')) return null;
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return null; // not a host after all (e.g. a port above 65535): names no origin
  }
}

/** The origins the request's own headers say this server has (Host, and forwarded ones when trusted). */
export function selfOrigins(headers: IncomingHttpHeaders, policy: OriginPolicy, scheme: string): string[] {
  const found = [originOf(scheme, plainHost(headers.host))];
  if (policy.trustProxy) found.push(originOf(first(headers, 'x-forwarded-proto') ?? 'http', plainHost(first(headers, 'x-forwarded-host'))));
  return found.filter((o): o is string => o !== null);
}

/** True when a request with `headers` may open a socket under `policy`. */
export function isOriginAllowed(headers: IncomingHttpHeaders, policy: OriginPolicy): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file pages) or garbage: not an origin we can name
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const allowed = new Set(policy.allowOrigins.map((o) => new URL(o).origin));
  if (policy.publicUrl) allowed.add(new URL(policy.publicUrl).origin);
  // The browser's Host is this server; the scheme is the page's (a TLS proxy may sit in between).
  for (const o of selfOrigins(headers, policy, url.protocol.slice(0, -1))) allowed.add(o);
  return allowed.has(url.origin);
}

/** engine.io's allowRequest for `policy`: refuses with an ORIGIN_FORBIDDEN message (HTTP 403 / 400). */
export function createAllowRequest(policy: OriginPolicy, log: Logger): (req: IncomingMessage, done: (err: string | null | undefined, ok: boolean) => void) => void {
  // One warning per origin (bounded), so a hostile page retrying in a loop cannot flood the log.
  const warned = new Set<string>();
  return (req, done) => {
    if (isOriginAllowed(req.headers, policy)) return done(null, true);
    const origin = String(req.headers.origin).slice(0, 200);
    if (!warned.has(origin) && warned.size < 100) {
      warned.add(origin);
      log.warn({ origin, code: 'ORIGIN_FORBIDDEN' }, 'refused a page from another origin (tether signal --allow-origin adds one)');
    }
    done(`ORIGIN_FORBIDDEN: pages from ${origin} may not use this signal server`, false);
  };
}
