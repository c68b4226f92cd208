/**
 * The STUN/TURN servers a signal server hands to hosts and devices: fixed ones (STUN) and TURN servers
 * with credentials minted per request from coturn's `use-auth-secret` shared secret (the TURN REST
 * scheme), so no long-lived TURN password ever reaches a browser: username `<expiry unix time>:tether`,
 * credential base64(HMAC-SHA1(secret, username)). coturn checks the expiry on every request.
 */
import { createHmac } from 'node:crypto';
import { isTurnUrl, urlsOf, type IceServer } from '../protocol/ice-servers.js';

/** What the server hands out. */
export interface IceConfig {
  /** Servers handed out as they are (STUN). */
  servers: readonly IceServer[];
  /** TURN servers to mint credentials for, with coturn's static-auth-secret. */
  turn?: { urls: readonly string[]; secret: string; ttlSeconds: number };
}

/** Hands out servers; `null` when it has none. */
export interface IceProvider {
  /** The servers for one host or device, TURN credentials minted now, and how long they stay valid. */
  issue(): { iceServers: IceServer[]; iceTtlSeconds?: number } | null;
}

/** Default lifetime of minted TURN credentials: long enough for a working day of one connection. */
export const DEFAULT_TURN_TTL_SECONDS = 12 * 60 * 60;

/** coturn's REST credential for `username` under `secret`. */
export function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** Mints TURN credentials valid for `ttlSeconds` from `now` (ms). */
export function mintTurnCredentials(secret: string, ttlSeconds: number, now = Date.now()): { username: string; credential: string } {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:tether`;
  return { username, credential: turnCredential(secret, username) };
}

/** A provider for `config`, or null when it hands out nothing. */
export function createIceProvider(config: IceConfig | undefined, now: () => number = Date.now): IceProvider | null {
  if (!config || (config.servers.length === 0 && !config.turn)) return null;
  const turn = config.turn;
  if (turn && turn.urls.some((u) => !isTurnUrl(u))) throw new Error('TURN urls must be turn: or turns: URLs');
  const fixed = config.servers.map((s) => ({ ...s, urls: urlsOf(s) }));
  return {
    issue() {
      if (!turn) return { iceServers: fixed };
      return { iceServers: [...fixed, { urls: [...turn.urls], ...mintTurnCredentials(turn.secret, turn.ttlSeconds, now()) }], iceTtlSeconds: turn.ttlSeconds };
    },
  };
}
