/**
 * One signaling connection: validates each envelope (shape and size only; payloads are relayed
 * opaquely), applies the registry's ownership checks and caps and the rate limits, and relays by
 * socket id. Events of one connection are handled strictly in arrival order.
 */
import type { Server as IoServer, Socket } from 'socket.io';
import type { Logger } from 'pino';
import type * as z from '../protocol/zod.js';
import {
  ClientJoinSchema,
  HostEnvelopeSchema,
  HostRegisterSchema,
  HostUnregisterSchema,
  IceServersRequestSchema,
  PeerEnvelopeSchema,
  SignalEvents,
  type SessionBack,
  type SignalAck,
  type SignalError,
} from '../protocol/signaling.js';
import { ERROR_CODES, type ErrorCode } from '../protocol/errors.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { hashOwner } from './owner-records.js';
import type { RateLimits } from './rate-limits.js';
import type { IceProvider } from './ice-provider.js';
import type { PeerDeparture, SessionDeparture, SessionRegistry } from './session-registry.js';

/** What every connection shares. */
export interface ConnectionDeps {
  io: IoServer;
  registry: SessionRegistry;
  limits: RateLimits;
  /** STUN/TURN servers (and minted TURN credentials) handed to devices and hosts; null: none. */
  ice: IceProvider | null;
  /** The address a socket's limits count against. */
  addressOf(socket: Socket): string;
  log: Logger;
}

type Ack = (reply: SignalAck) => void;

function failure(code: ErrorCode, message?: string): SignalAck {
  return { ok: false, error: { code, message: message ?? ERROR_CODES[code] } };
}

/** Most sessions one socket waits for (SESSION_UNKNOWN joins it asked to hear about). */
const MAX_AWAITED_PER_SOCKET = 16;
/** The room of the sockets waiting for a session to be served again. */
const awaitingRoom = (sessionId: string): string => `awaiting:${sessionId}`;

function rateLimited(what: string, waitMs: number): SignalAck {
  return failure('RATE_LIMITED', `too many ${what}; retry in ${Math.ceil(waitMs / 1000)} s`);
}

function versionError(v: number, tooOld: ErrorCode): SignalAck | null {
  if (v === PROTOCOL_VERSION) return null;
  return v < PROTOCOL_VERSION ? failure(tooOld) : failure('SERVER_TOO_OLD');
}

/** Tells the host its peer left and the peers that their host left. */
export function announceDepartures(io: IoServer, left: PeerDeparture | null, ended: SessionDeparture[]): void {
  if (left?.host) io.to(left.host).emit(SignalEvents.peerLeft, { sessionId: left.sessionId, peerId: left.peerId });
  for (const { sessionId, peers } of ended) if (peers.length > 0) io.to(peers).emit(SignalEvents.hostLeft, { sessionId });
}

/** Serves one socket until it disconnects. */
export function handleConnection(socket: Socket, deps: ConnectionDeps): void {
  const { io, registry, limits } = deps;
  const address = deps.addressOf(socket);
  const conn = { id: socket.id, address };
  // Never the address itself at info level and above: logs stay free of personal data by default.
  const slog = deps.log.child({ socket: socket.id });
  let queue: Promise<void> = Promise.resolve();

  /** Validates an event's first argument, then runs `handler` after every earlier event of this socket. */
  function on<T>(event: string, schema: z.ZodMiniType<T>, handler: (msg: T) => Promise<SignalAck>): void {
    socket.on(event, (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack: Ack =
        typeof last === 'function'
          ? (last as Ack)
          : (reply) => {
              if (!reply.ok) socket.emit(SignalEvents.signalError, { event, ...reply.error } satisfies SignalError);
            };
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) {
        slog.warn({ event, code: 'BAD_ENVELOPE' }, 'rejected envelope');
        const issue = parsed.error.issues[0];
        ack(failure('BAD_ENVELOPE', `${event}: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`));
        return;
      }
      queue = queue
        .then(() => handler(parsed.data))
        .then(ack, (err: unknown) => {
          slog.error({ event, err: (err as Error).message }, 'signaling handler failed');
          ack(failure('BAD_ENVELOPE', `${event}: the server could not handle it`));
        });
    });
  }

  on(SignalEvents.hostRegister, HostRegisterSchema, async (msg) => {
    const bad = versionError(msg.v, 'HOST_TOO_OLD');
    if (bad) return bad;
    const wait = await limits.take('registration', socket.id);
    if (wait !== null) return rateLimited('registrations from this connection', wait);
    const outcome = await registry.register(conn, msg.sessionId, hashOwner(msg.owner));
    if (!outcome.ok) {
      slog.info({ sessionId: msg.sessionId, code: outcome.code }, 'refused a registration');
      return failure(outcome.code, outcome.message);
    }
    if (outcome.replaced) {
      io.to(outcome.replaced).emit(SignalEvents.signalError, {
        event: SignalEvents.hostRegister,
        code: 'SESSION_TAKEN',
        message: 'another connection proved it owns this session and took it over',
        sessionId: msg.sessionId,
      } satisfies SignalError);
      slog.info({ sessionId: msg.sessionId }, 'host took its session over from another connection');
    } else {
      slog.info({ sessionId: msg.sessionId }, 'host registered session');
    }
    // Devices that found the session missing (its host restarting) hear it is back at once, rather than
    // at their next retry. A room, so the Redis adapter reaches sockets on other instances too.
    io.to(awaitingRoom(msg.sessionId)).emit(SignalEvents.sessionBack, { sessionId: msg.sessionId } satisfies SessionBack);
    return { ok: true };
  });

  on(SignalEvents.hostUnregister, HostUnregisterSchema, async (msg) => {
    const gone = await registry.unregister(socket.id, msg.sessionId);
    if (!gone) return failure('SESSION_UNKNOWN', 'this connection does not host that session');
    announceDepartures(io, null, [gone]);
    slog.info({ sessionId: msg.sessionId }, 'host unregistered session');
    return { ok: true };
  });

  on(SignalEvents.clientJoin, ClientJoinSchema, async (msg) => {
    const flood = await limits.take('join', address);
    if (flood !== null) return rateLimited('joins from this address', flood);
    const bad = versionError(msg.v, 'CLIENT_TOO_OLD');
    if (bad) return bad;
    const outcome = await registry.join(socket.id, msg.sessionId, msg.peerId);
    if (!outcome.ok) {
      if (outcome.code === 'SESSION_UNKNOWN') {
        const awaited = [...socket.rooms].filter((r) => r.startsWith('awaiting:'));
        if (awaited.length < MAX_AWAITED_PER_SOCKET) await socket.join(awaitingRoom(msg.sessionId));
      }
      // Failed joins count per address *and* session, and never block a join that succeeds: devices
      // behind one NAT retrying while their host restarts all get in the moment it is back.
      const wait = outcome.code === 'SESSION_UNKNOWN' ? await limits.take('failedJoin', `${address} ${msg.sessionId}`) : null;
      return wait === null ? failure(outcome.code) : rateLimited('failed joins of this session; it is not on this server', wait);
    }
    await socket.leave(awaitingRoom(msg.sessionId));
    announceDepartures(io, outcome.left, []);
    slog.info({ sessionId: msg.sessionId, peerId: msg.peerId }, 'client joined');
    // A device needs its servers before it makes the offer: they ride on the join's ack.
    return { ok: true, ...deps.ice?.issue() };
  });

  on(SignalEvents.iceServers, IceServersRequestSchema, async (msg) => {
    const bad = versionError(msg.v, 'HOST_TOO_OLD');
    if (bad) return bad;
    const wait = await limits.take('registration', socket.id);
    if (wait !== null) return rateLimited('requests from this connection', wait);
    return { ok: true, ...deps.ice?.issue() };
  });

  on(SignalEvents.toHost, HostEnvelopeSchema, async (msg) => {
    const joined = await registry.joinedAs(socket.id);
    if (!joined || joined.sessionId !== msg.sessionId || joined.peerId !== msg.peerId) {
      return failure('PEER_UNKNOWN', 'join the session before signaling');
    }
    const wait = await limits.take('message', socket.id);
    if (wait !== null) return rateLimited('signaling messages from this connection', wait);
    const host = await registry.hostOf(msg.sessionId);
    if (!host) return failure('SESSION_UNKNOWN');
    io.to(host).emit(SignalEvents.fromPeer, msg);
    return { ok: true };
  });

  on(SignalEvents.toPeer, PeerEnvelopeSchema, async (msg) => {
    if ((await registry.hostOf(msg.sessionId)) !== socket.id) return failure('SESSION_UNKNOWN', 'this connection does not host that session');
    const client = await registry.peerOf(msg.sessionId, msg.peerId);
    if (!client) return failure('PEER_UNKNOWN');
    // Keyed per device, so one device provoking many replies cannot use up the host's answers to others.
    const wait = await limits.take('message', `${socket.id} ${msg.peerId}`);
    if (wait !== null) return rateLimited('signaling messages to this device', wait);
    io.to(client).emit(SignalEvents.fromHost, msg);
    return { ok: true };
  });

  socket.on('disconnect', () => {
    // After every queued event, so a join or register still in flight cannot outlive its socket.
    queue = queue
      .then(() => registry.drop(socket.id))
      .then(
        ({ left, ended }) => announceDepartures(io, left, ended),
        (err: unknown) => slog.error({ err: (err as Error).message }, 'could not forget a closed connection'),
      );
  });
}
