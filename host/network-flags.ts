/**
 * The flags that take tether beyond one LAN: STUN/TURN servers (--ice-server, --turn-secret, --turn-ttl,
 * --ice-transport), TLS for `tether signal` (--tls-cert, --tls-key) and its shared Redis (--redis).
 * Files named by flags are read here, once, so a bad one is a BAD_FLAG at startup with one line.
 */
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import * as z from '../protocol/zod.js';
import { TetherError } from '../protocol/errors.js';
import { IceUrlSchema, isTurnUrl, MAX_ICE_SERVERS, MAX_ICE_URLS, type IceServer } from '../protocol/ice-servers.js';
import { DEFAULT_TURN_TTL_SECONDS, type IceConfig } from '../signal/ice-provider.js';
import { defaultConfigPath, loadConfigFile } from './agent-presets.js';

type Values = Record<string, string | boolean | string[] | undefined>;

function bad(message: string): TetherError {
  return new TetherError('BAD_FLAG', message);
}

/** The STUN/TURN flags every command that runs a signal server or a host takes. */
export const ICE_FLAG_OPTIONS = {
  'ice-server': { type: 'string', multiple: true },
  'turn-secret': { type: 'string' },
  'turn-ttl': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The host's own path flag. */
export const HOST_NETWORK_OPTIONS = {
  ...ICE_FLAG_OPTIONS,
  'ice-transport': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** `tether signal`'s TLS and Redis flags. */
export const SIGNAL_NETWORK_OPTIONS = {
  ...ICE_FLAG_OPTIONS,
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  redis: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** TURN credentials a signal server mints (coturn's use-auth-secret). */
export type TurnMint = NonNullable<IceConfig['turn']>;

/** A PEM certificate chain and its key for https/wss. */
export interface TlsFiles {
  cert: string;
  key: string;
}

function readFlagFile(flag: string, path: string, maxBytes: number): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw bad(`--${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (text.length > maxBytes) throw bad(`--${flag}: ${path} is larger than ${maxBytes} bytes`);
  return text;
}

/** `90s`, `10m`, `12h`, `7d` in seconds; throws BAD_FLAG. */
function durationSeconds(flag: string, value: string): number {
  const m = /^(\d{1,6})(s|m|h|d)$/.exec(value);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m?.[2] as 's'] ?? 0;
  const seconds = Number(m?.[1] ?? 0) * unit;
  if (seconds < 60 || seconds > 30 * 86400) throw bad(`--${flag} must be a duration from 60s to 30d such as 10m or 12h, got '${value}'`);
  return seconds;
}

/**
 * --ice-server, --turn-secret and --turn-ttl: STUN URLs are handed out as they are; TURN URLs get
 * credentials minted per host and device from the secret (never a long-lived password in a browser).
 * `minting` false (a host using a standalone signal server, which mints its own) refuses TURN URLs.
 */
export function parseIceFlags(values: Values, minting: { allowed: boolean; why: string }): { servers: IceServer[]; turn: TurnMint | null } {
  const urls = (values['ice-server'] as string[] | undefined) ?? [];
  for (const url of urls) {
    if (!IceUrlSchema.safeParse(url).success) throw bad(`--ice-server must be stun:HOST[:PORT] or turn:/turns:HOST[:PORT][?transport=udp|tcp], got '${url}'`);
  }
  const stun = urls.filter((u) => !isTurnUrl(u));
  const turnUrls = urls.filter(isTurnUrl);
  const secretFile = values['turn-secret'] as string | undefined;
  const ttl = values['turn-ttl'] as string | undefined;
  if (secretFile === undefined) {
    if (turnUrls.length > 0) {
      throw bad(`--ice-server ${turnUrls[0]} needs credentials: add --turn-secret FILE (coturn's static-auth-secret) or put the server with its username and credential in the config file's iceServers`);
    }
    if (ttl !== undefined) throw bad('--turn-ttl applies only with --turn-secret');
  } else {
    if (!minting.allowed) throw bad(`--turn-secret ${minting.why}`);
    if (turnUrls.length === 0) throw bad('--turn-secret needs at least one --ice-server turn:HOST[:PORT] to mint credentials for');
  }
  if (stun.length + (turnUrls.length > 0 ? 1 : 0) > MAX_ICE_SERVERS || turnUrls.length > MAX_ICE_URLS) {
    throw bad(`at most ${MAX_ICE_SERVERS} STUN and ${MAX_ICE_URLS} TURN --ice-server URLs`);
  }
  const secret = secretFile === undefined ? null : readFlagFile('turn-secret', secretFile, 4096).trim();
  if (secret === '') throw bad(`--turn-secret: ${secretFile} is empty`);
  return {
    servers: stun.map((u) => ({ urls: u })),
    turn: secret === null ? null : { urls: turnUrls, secret, ttlSeconds: ttl === undefined ? DEFAULT_TURN_TTL_SECONDS : durationSeconds('turn-ttl', ttl) },
  };
}

/** The host's STUN/TURN servers and path: flags first, then the config file's (read once, here). */
export function parseHostIce(values: Values, standalone: boolean, configPath: string | undefined, env: Record<string, string | undefined>): { iceServers: readonly IceServer[]; iceTransportPolicy: RTCIceTransportPolicy; turn: TurnMint | null } {
  const flags = parseIceFlags(values, { allowed: !standalone, why: 'applies to the embedded signal server; a standalone one (--signal) mints credentials with its own --turn-secret' });
  let fromFile: readonly IceServer[];
  try {
    fromFile = loadConfigFile(configPath ?? defaultConfigPath(env), configPath !== undefined).iceServers ?? [];
  } catch (err) {
    // A broken config file is a bad flag value here: one line, exit 2.
    throw bad((err as Error).message);
  }
  const iceServers = [...flags.servers, ...fromFile];
  if (iceServers.length > MAX_ICE_SERVERS) throw bad(`at most ${MAX_ICE_SERVERS} STUN/TURN servers (--ice-server and the config file's iceServers together)`);
  return { iceServers: Object.freeze(iceServers), iceTransportPolicy: parseIceTransport(values['ice-transport'] as string | undefined), turn: flags.turn };
}

/** `tether signal`'s servers to hand out and TURN credentials to mint. */
export function parseSignalIce(values: Values): IceConfig {
  const { servers, turn } = parseIceFlags(values, { allowed: true, why: '' });
  return turn ? { servers, turn } : { servers };
}

/** --ice-transport all|relay. */
export function parseIceTransport(value: string | undefined): RTCIceTransportPolicy {
  if (value === undefined || value === 'all') return 'all';
  if (value === 'relay') return 'relay';
  throw bad(`--ice-transport must be all or relay, got '${value}'`);
}

/** --tls-cert and --tls-key: both or neither; the files are read now. */
export function parseTls(values: Values): TlsFiles | null {
  const cert = values['tls-cert'] as string | undefined;
  const key = values['tls-key'] as string | undefined;
  if (cert === undefined && key === undefined) return null;
  if (cert === undefined || key === undefined) throw bad('--tls-cert and --tls-key go together');
  const files = { cert: readFlagFile('tls-cert', cert, 1024 * 1024), key: readFlagFile('tls-key', key, 1024 * 1024) };
  if (!files.cert.includes('-----BEGIN CERTIFICATE-----')) throw bad(`--tls-cert: ${cert} is not a PEM certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(files.key)) throw bad(`--tls-key: ${key} is not a PEM private key`);
  return files;
}

/** --redis redis://[user:password@]host[:port][/db] or rediss://…. */
export function parseRedisUrl(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!z.url({ protocol: /^rediss?$/ }).safeParse(value).success) throw bad('--redis must be a redis:// or rediss:// URL');
  return value;
}
