/**
 * The security headers on every HTTP response of the signal server (pages, assets, /healthz, errors,
 * socket.io's own responses): a strict CSP (no inline scripts, connections only to this origin, workers
 * and the manifest only from it, no framing), X-Frame-Options for old browsers, nosniff and no referrer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { plainHost } from './origin-policy.js';

/**
 * The CSP for a request to `host`. 'self' covers ws:/wss: of the same host in CSP3 (Chromium, Firefox,
 * Safari 16+); the app's build targets Safari 15 too, which needs them named, so a plain Host header
 * is added as ws:// and wss://. Inline styles stay allowed: xterm.js injects its own <style> elements.
 */
export function contentSecurityPolicy(host: string | null): string {
  const connect = host ? `'self' ws://${host} wss://${host}` : "'self'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "manifest-src 'self'",
    // The service worker (/sw.js) is the only worker; it caches the app and shows notifications.
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sets the page policy on `res`; later writeHead calls (express, engine.io) keep these headers. */
export function applyPagePolicy(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(plainHost(req.headers.host)));
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}
