/**
 * The signal server's session registry: which connection hosts each session (with its owner's hash),
 * which connection is each session's peer, and the session caps. Connections are named by socket id
 * so relaying works through any socket.io adapter. In memory today; a Redis-backed registry can
 * implement the same async interface when instances scale out (issue #13).
 */
import { OwnerRecords, sameOwner } from './owner-records.js';
import type { SignalLimits } from './signal-limits.js';

/** A client connection: its socket id and the address the limits count. */
export interface Connection {
  readonly id: string;
  readonly address: string;
}

/** A peer that left, and the host connection to tell (null when the session has no host right now). */
export interface PeerDeparture {
  sessionId: string;
  peerId: string;
  host: string | null;
}

/** A session whose host left, and its peers' connections to tell. */
export interface SessionDeparture {
  sessionId: string;
  peers: string[];
}

/** Result of register(). `replaced` is the connection that held the session before a takeover. */
export type RegisterOutcome =
  | { ok: true; replaced: string | null }
  | { ok: false; code: 'SESSION_TAKEN' | 'LIMIT_REACHED'; message: string };

/** Result of join(). `left` is this connection's previous peer role, which the join ended. */
export type JoinOutcome = { ok: true; left: PeerDeparture | null } | { ok: false; code: 'SESSION_UNKNOWN' | 'PEER_ID_TAKEN' };

/** Everything the server asks of a registry; each call is atomic. */
export interface SessionRegistry {
  /** Registers `sessionId` for `host`, or takes it over when `ownerHash` matches its owner's. */
  register(host: Connection, sessionId: string, ownerHash: string): Promise<RegisterOutcome>;
  /** Ends `host`'s registration of `sessionId`; null when it does not host it. */
  unregister(host: string, sessionId: string): Promise<SessionDeparture | null>;
  /** The connection hosting `sessionId`, or null. */
  hostOf(sessionId: string): Promise<string | null>;
  /** Makes `conn` the peer `peerId` of `sessionId` (leaving any previous peer role). */
  join(conn: string, sessionId: string, peerId: string): Promise<JoinOutcome>;
  /** The session and peer id `conn` joined as, or null. */
  joinedAs(conn: string): Promise<{ sessionId: string; peerId: string } | null>;
  /** The connection of peer `peerId` in `sessionId`, or null. */
  peerOf(sessionId: string, peerId: string): Promise<string | null>;
  /** Forgets a closed connection: its peer role and every session it hosted. */
  drop(conn: string): Promise<{ left: PeerDeparture | null; ended: SessionDeparture[] }>;
  /** Counts for /healthz. */
  counts(): Promise<{ sessions: number; peers: number }>;
}

interface HostedSession {
  host: string;
  address: string;
  owner: string;
}

interface ConnectionState {
  hosted: Set<string>;
  joined: { sessionId: string; peerId: string } | null;
}

type Caps = Pick<SignalLimits, 'maxSessions' | 'maxSessionsPerAddress' | 'maxSessionsPerConnection' | 'ownerRetentionMs' | 'rememberedOwners' | 'rememberedOwnersPerAddress'>;

/** An in-process registry bounded by `caps`. */
export function createMemorySessionRegistry(caps: Caps, now: () => number = Date.now): SessionRegistry {
  const sessions = new Map<string, HostedSession>();
  /** sessionId → peerId → connection. Kept while the host is away, so peers stay joined across a host restart. */
  const peers = new Map<string, Map<string, string>>();
  const connections = new Map<string, ConnectionState>();
  const perAddress = new Map<string, number>();
  const owners = new OwnerRecords({ retentionMs: caps.ownerRetentionMs, max: caps.rememberedOwners, maxPerAddress: caps.rememberedOwnersPerAddress }, now);
  let peerCount = 0;

  function connection(id: string): ConnectionState {
    let state = connections.get(id);
    if (!state) connections.set(id, (state = { hosted: new Set(), joined: null }));
    return state;
  }

  function forgetIfIdle(id: string): void {
    const state = connections.get(id);
    if (state && state.hosted.size === 0 && !state.joined) connections.delete(id);
  }

  function countAddress(address: string, delta: number): void {
    const n = (perAddress.get(address) ?? 0) + delta;
    if (n > 0) perAddress.set(address, n);
    else perAddress.delete(address);
  }

  /** The cap `host` would break by hosting one more session, or null. */
  function capExceeded(host: Connection, state: ConnectionState | undefined, movingFromAddress: string | null): string | null {
    if (movingFromAddress === null && sessions.size >= caps.maxSessions) return `${caps.maxSessions} sessions in total`;
    if (movingFromAddress !== host.address && (perAddress.get(host.address) ?? 0) >= caps.maxSessionsPerAddress) {
      return `${caps.maxSessionsPerAddress} sessions per address`;
    }
    if ((state?.hosted.size ?? 0) >= caps.maxSessionsPerConnection) return `${caps.maxSessionsPerConnection} sessions per connection`;
    return null;
  }

  function removeSession(sessionId: string): SessionDeparture | null {
    const session = sessions.get(sessionId);
    if (!session) return null;
    sessions.delete(sessionId);
    countAddress(session.address, -1);
    connections.get(session.host)?.hosted.delete(sessionId);
    forgetIfIdle(session.host);
    owners.remember(sessionId, session.owner, session.address);
    return { sessionId, peers: [...(peers.get(sessionId)?.values() ?? [])] };
  }

  function leave(conn: string): PeerDeparture | null {
    const state = connections.get(conn);
    const joined = state?.joined;
    if (!state || !joined) return null;
    state.joined = null;
    const sessionPeers = peers.get(joined.sessionId);
    if (sessionPeers?.get(joined.peerId) === conn) {
      sessionPeers.delete(joined.peerId);
      peerCount--;
      if (sessionPeers.size === 0) peers.delete(joined.sessionId);
    }
    return { ...joined, host: sessions.get(joined.sessionId)?.host ?? null };
  }

  return {
    async register(host, sessionId, ownerHash) {
      const current = sessions.get(sessionId);
      const owner = current?.owner ?? owners.ownerOf(sessionId);
      if (owner !== null && !sameOwner(owner, ownerHash)) return { ok: false, code: 'SESSION_TAKEN', message: 'another host owns this session id' };
      if (current?.host === host.id) return { ok: true, replaced: null };
      const state = connections.get(host.id);
      const exceeded = capExceeded(host, state, current ? current.address : null);
      if (exceeded) return { ok: false, code: 'LIMIT_REACHED', message: `this signal server allows at most ${exceeded}` };
      const replaced = current?.host ?? null;
      if (current) {
        // A takeover: the previous connection loses the session, its peers stay joined.
        connections.get(current.host)?.hosted.delete(sessionId);
        forgetIfIdle(current.host);
        countAddress(current.address, -1);
      }
      owners.forget(sessionId);
      sessions.set(sessionId, { host: host.id, address: host.address, owner: ownerHash });
      connection(host.id).hosted.add(sessionId);
      countAddress(host.address, 1);
      return { ok: true, replaced };
    },

    async unregister(host, sessionId) {
      if (sessions.get(sessionId)?.host !== host) return null;
      return removeSession(sessionId);
    },

    async hostOf(sessionId) {
      return sessions.get(sessionId)?.host ?? null;
    },

    async join(conn, sessionId, peerId) {
      const session = sessions.get(sessionId);
      if (!session) return { ok: false, code: 'SESSION_UNKNOWN' };
      const holder = peers.get(sessionId)?.get(peerId);
      if (holder !== undefined && holder !== conn) return { ok: false, code: 'PEER_ID_TAKEN' };
      const state = connection(conn);
      const previous = state.joined;
      const left = previous && (previous.sessionId !== sessionId || previous.peerId !== peerId) ? leave(conn) : null;
      if (!state.joined) {
        let sessionPeers = peers.get(sessionId);
        if (!sessionPeers) peers.set(sessionId, (sessionPeers = new Map()));
        sessionPeers.set(peerId, conn);
        peerCount++;
        state.joined = { sessionId, peerId };
      }
      return { ok: true, left };
    },

    async joinedAs(conn) {
      const joined = connections.get(conn)?.joined;
      return joined ? { ...joined } : null;
    },

    async peerOf(sessionId, peerId) {
      return peers.get(sessionId)?.get(peerId) ?? null;
    },

    async drop(conn) {
      const state = connections.get(conn);
      if (!state) return { left: null, ended: [] };
      const left = leave(conn);
      const ended: SessionDeparture[] = [];
      for (const sessionId of [...state.hosted]) {
        const gone = removeSession(sessionId);
        if (gone) ended.push(gone);
      }
      connections.delete(conn);
      return { left, ended };
    },

    async counts() {
      return { sessions: sessions.size, peers: peerCount };
    },
  };
}
