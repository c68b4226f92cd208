/**
 * The session registry in Redis, for several signal instances behind one address: the same interface and
 * caps as the in-memory one (session-registry.ts), each call one Lua script (redis-registry-scripts.ts).
 * Each instance keeps an expiring "alive" key; the connections of an instance that died without saying
 * so are dropped by the others (reap), so its sessions and peers do not linger.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SignalLimits } from './signal-limits.js';
import type { PeerDeparture, SessionDeparture, SessionRegistry } from './session-registry.js';
import { DROP, JOIN, REAP, REGISTER, UNREGISTER } from './redis-registry-scripts.js';

/** How long an instance counts as alive after its last heartbeat. */
export const INSTANCE_TTL_MS = 15_000;

type Caps = Pick<SignalLimits, 'maxSessions' | 'maxSessionsPerAddress' | 'maxSessionsPerConnection' | 'ownerRetentionMs' | 'rememberedOwners' | 'rememberedOwnersPerAddress'>;

/** What one drop reports. */
export interface Departures {
  left: PeerDeparture | null;
  ended: SessionDeparture[];
}

/** A registry shared through Redis. */
export interface SharedSessionRegistry extends SessionRegistry {
  /** This instance's id (its connections are listed under it). */
  readonly instance: string;
  /** Says this instance is alive for another INSTANCE_TTL_MS. */
  heartbeat(): Promise<void>;
  /** Drops the connections of dead instances (and of this one when `closing`); returns what they left. */
  reap(closing: boolean): Promise<Departures[]>;
}

type Raw = unknown;
type LeftRaw = [string, string, string] | null;
type EndedRaw = Array<[string, string[]]>;

interface ScriptedRedis {
  tetherRegister(...args: Array<string | number>): Promise<Raw>;
  tetherUnregister(...args: Array<string | number>): Promise<Raw>;
  tetherJoin(...args: Array<string | number>): Promise<Raw>;
  tetherDrop(...args: Array<string | number>): Promise<Raw>;
  tetherReap(...args: Array<string | number>): Promise<Raw>;
}

function toLeft(raw: LeftRaw): PeerDeparture | null {
  return raw ? { sessionId: raw[0], peerId: raw[1], host: raw[2] === '' ? null : raw[2] } : null;
}

function toEnded(raw: EndedRaw): SessionDeparture[] {
  return raw.map(([sessionId, peers]) => ({ sessionId, peers }));
}

/** A registry on `redis` (the client is shared, not owned), keys under `prefix`. */
export function createRedisSessionRegistry(redis: Redis, caps: Caps, options: { prefix?: string; now?: () => number } = {}): SharedSessionRegistry {
  const P = options.prefix ?? 'tether:';
  const now = options.now ?? Date.now;
  const instance = randomUUID();
  for (const [name, lua] of Object.entries({ tetherRegister: REGISTER, tetherUnregister: UNREGISTER, tetherJoin: JOIN, tetherDrop: DROP, tetherReap: REAP })) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 0, lua });
  }
  const r = redis as unknown as Redis & ScriptedRedis;
  const owners = (): number[] => [caps.ownerRetentionMs, caps.rememberedOwners, caps.rememberedOwnersPerAddress];

  return {
    instance,
    async heartbeat() {
      await r.multi().set(`${P}alive:${instance}`, '1', 'PX', INSTANCE_TTL_MS).sadd(`${P}instances`, instance).exec();
    },

    async reap(closing) {
      const out: Departures[] = [];
      for (;;) {
        const batch = (await r.tetherReap(P, closing ? instance : '', now(), ...owners())) as Array<[LeftRaw, EndedRaw]>;
        out.push(...batch.map(([left, ended]) => ({ left: toLeft(left), ended: toEnded(ended) })));
        if (batch.length < 1000) return out;
      }
    },

    async register(host, sessionId, ownerHash) {
      const res = (await r.tetherRegister(P, host.id, host.address, sessionId, ownerHash, now(), caps.maxSessions, caps.maxSessionsPerAddress, caps.maxSessionsPerConnection, instance)) as string[];
      if (res[0] === 'TAKEN') return { ok: false, code: 'SESSION_TAKEN', message: 'another host owns this session id' };
      if (res[0] === 'LIMIT') return { ok: false, code: 'LIMIT_REACHED', message: `this signal server allows at most ${res[1]}` };
      return { ok: true, replaced: res[1] ? res[1] : null };
    },

    async unregister(host, sessionId) {
      const res = (await r.tetherUnregister(P, host, sessionId, now(), ...owners())) as [string, string[]] | null;
      return res ? { sessionId: res[0], peers: res[1] } : null;
    },

    async hostOf(sessionId) {
      return r.hget(`${P}s:${sessionId}`, 'host');
    },

    async join(conn, sessionId, peerId) {
      const res = (await r.tetherJoin(P, conn, sessionId, peerId, instance)) as [string, LeftRaw?];
      if (res[0] === 'UNKNOWN') return { ok: false, code: 'SESSION_UNKNOWN' };
      if (res[0] === 'TAKEN') return { ok: false, code: 'PEER_ID_TAKEN' };
      return { ok: true, left: toLeft(res[1] ?? null) };
    },

    async joinedAs(conn) {
      const joined = await r.get(`${P}cj:${conn}`);
      const m = joined ? /^(\S+) (\S+)$/.exec(joined) : null;
      return m ? { sessionId: m[1]!, peerId: m[2]! } : null;
    },

    async peerOf(sessionId, peerId) {
      return r.hget(`${P}p:${sessionId}`, peerId);
    },

    async drop(conn) {
      const [left, ended] = (await r.tetherDrop(P, conn, instance, now(), ...owners())) as [LeftRaw, EndedRaw];
      return { left: toLeft(left), ended: toEnded(ended) };
    },

    async counts() {
      const [sessions, peers] = await Promise.all([r.scard(`${P}sessions`), r.get(`${P}peers`)]);
      return { sessions, peers: Number(peers ?? 0) };
    },
  };
}
