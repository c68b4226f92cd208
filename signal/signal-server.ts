/**
 * The signal server: introduces a session's host to its devices and relays their signed offers and
 * answers by peer id. It never sees conversation content or keys, never parses SDP, validates every
 * envelope, caps message size, rate-limits joins per address, and serves the built browser client.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { Server as IoServer, type Socket } from 'socket.io';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  ClientJoinSchema,
  HostEnvelopeSchema,
  HostRegisterSchema,
  MAX_ENVELOPE_BYTES,
  PeerEnvelopeSchema,
  SignalEvents,
  type SignalAck,
} from '../protocol/signaling.js';
import { ERROR_CODES, type ErrorCode } from '../protocol/errors.js';
import { PROTOCOL_VERSION, TETHER_VERSION } from '../protocol/version.js';

/** Signal server settings (parsed and frozen by the caller). */
export interface SignalServerConfig {
  /** 0 picks any free port. */
  port: number;
  /** Address to listen on. */
  bind: string;
  /** Folder with the built browser client (index.html, app.js, app.css); null serves no client. */
  clientDir: string | null;
  /** Joins allowed per address per `joinWindowSeconds`. */
  joinsPerWindow?: number;
  joinWindowSeconds?: number;
  logger: Logger;
}

/** A running signal server. */
export interface SignalServer {
  start(): Promise<void>;
  close(): Promise<void>;
  /** The bound address; valid after start(). */
  address(): { host: string; port: number };
  /** Exposed for observation in tests (e.g. proving the key never reaches the server). */
  readonly httpServer: HttpServer;
  readonly io: IoServer;
}

interface SocketState {
  hosted: Set<string>;
  joined: { sessionId: string; peerId: string } | null;
}

type Ack = (reply: SignalAck) => void;

function failure(code: ErrorCode, message?: string): SignalAck {
  return { ok: false, error: { code, message: message ?? ERROR_CODES[code] } };
}

function versionError(v: number, tooOld: ErrorCode): SignalAck | null {
  if (v === PROTOCOL_VERSION) return null;
  return v < PROTOCOL_VERSION ? failure(tooOld) : failure('SERVER_TOO_OLD');
}

/** Creates a signal server; nothing listens until start(). */
export function createSignalServer(config: SignalServerConfig): SignalServer {
  const log = config.logger;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const io = new IoServer(httpServer, {
    maxHttpBufferSize: MAX_ENVELOPE_BYTES,
    serveClient: false,
    cors: { origin: false },
  });
  const joinLimiter = new RateLimiterMemory({
    points: config.joinsPerWindow ?? 30,
    duration: config.joinWindowSeconds ?? 10,
  });
  /** sessionId → the host's socket */
  const hosts = new Map<string, Socket>();
  /** sessionId → peerId → the client's socket */
  const peers = new Map<string, Map<string, Socket>>();

  app.use((_req, res, next) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, version: TETHER_VERSION, protocol: PROTOCOL_VERSION, sessions: hosts.size });
  });
  const clientDir = config.clientDir;
  if (clientDir && existsSync(join(clientDir, 'index.html'))) {
    const page = (_req: express.Request, res: express.Response): void => {
      res.setHeader(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; frame-ancestors 'none'",
      );
      res.sendFile(join(clientDir, 'index.html'));
    };
    app.get('/s/:sessionId', page);
    app.get('/', page);
    app.use('/assets', express.static(clientDir, { index: false, maxAge: '1h' }));
  }

  function leavePeer(socket: Socket, state: SocketState): void {
    if (!state.joined) return;
    const { sessionId, peerId } = state.joined;
    state.joined = null;
    const sessionPeers = peers.get(sessionId);
    if (sessionPeers?.get(peerId) === socket) {
      sessionPeers.delete(peerId);
      if (sessionPeers.size === 0) peers.delete(sessionId);
      hosts.get(sessionId)?.emit(SignalEvents.peerLeft, { sessionId, peerId });
    }
  }

  function dropSession(sessionId: string): void {
    hosts.delete(sessionId);
    const sessionPeers = peers.get(sessionId);
    if (!sessionPeers) return;
    for (const client of sessionPeers.values()) client.emit(SignalEvents.hostLeft, { sessionId });
  }

  io.on('connection', (socket) => {
    const state: SocketState = { hosted: new Set(), joined: null };
    const address = socket.handshake.address;
    const slog = log.child({ socket: socket.id });

    /** Validates an event's first argument; answers BAD_ENVELOPE through the ack or signal:error. */
    function on<T>(event: string, schema: z.ZodType<T>, handler: (msg: T, ack: Ack) => void): void {
      socket.on(event, (...args: unknown[]) => {
        const last = args[args.length - 1];
        const ack: Ack =
          typeof last === 'function' ? (last as Ack) : (reply) => {
            if (!reply.ok) socket.emit(SignalEvents.signalError, { event, ...reply.error });
          };
        const parsed = schema.safeParse(args[0]);
        if (!parsed.success) {
          slog.warn({ event, code: 'BAD_ENVELOPE' }, 'rejected envelope');
          const issue = parsed.error.issues[0];
          ack(failure('BAD_ENVELOPE', `${event}: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`));
          return;
        }
        handler(parsed.data, ack);
      });
    }

    on(SignalEvents.hostRegister, HostRegisterSchema, (msg, ack) => {
      const bad = versionError(msg.v, 'HOST_TOO_OLD');
      if (bad) return ack(bad);
      const current = hosts.get(msg.sessionId);
      if (current && current !== socket) return ack(failure('SESSION_TAKEN'));
      hosts.set(msg.sessionId, socket);
      state.hosted.add(msg.sessionId);
      slog.info({ sessionId: msg.sessionId }, 'host registered session');
      ack({ ok: true });
    });

    on(SignalEvents.hostUnregister, HostRegisterSchema, (msg, ack) => {
      if (!state.hosted.has(msg.sessionId)) return ack(failure('SESSION_UNKNOWN'));
      state.hosted.delete(msg.sessionId);
      dropSession(msg.sessionId);
      ack({ ok: true });
    });

    on(SignalEvents.clientJoin, ClientJoinSchema, (msg, ack) => {
      joinLimiter.consume(address).then(
        () => {
          const bad = versionError(msg.v, 'CLIENT_TOO_OLD');
          if (bad) return ack(bad);
          if (!hosts.has(msg.sessionId)) return ack(failure('SESSION_UNKNOWN'));
          const holder = peers.get(msg.sessionId)?.get(msg.peerId);
          if (holder && holder !== socket) return ack(failure('PEER_ID_TAKEN'));
          // Leave the previous peer id first: it may delete this session's (then empty) peer map.
          leavePeer(socket, state);
          let sessionPeers = peers.get(msg.sessionId);
          if (!sessionPeers) peers.set(msg.sessionId, (sessionPeers = new Map()));
          sessionPeers.set(msg.peerId, socket);
          state.joined = { sessionId: msg.sessionId, peerId: msg.peerId };
          slog.info({ sessionId: msg.sessionId, peerId: msg.peerId }, 'client joined');
          ack({ ok: true });
        },
        () => {
          slog.warn({ code: 'RATE_LIMITED' }, 'join rate limit hit');
          ack(failure('RATE_LIMITED'));
        },
      );
    });

    on(SignalEvents.toHost, HostEnvelopeSchema, (msg, ack) => {
      const joined = state.joined;
      if (!joined || joined.sessionId !== msg.sessionId || joined.peerId !== msg.peerId) {
        return ack(failure('PEER_UNKNOWN', 'join the session before signaling'));
      }
      const host = hosts.get(msg.sessionId);
      if (!host) return ack(failure('SESSION_UNKNOWN'));
      host.emit(SignalEvents.fromPeer, msg);
      ack({ ok: true });
    });

    on(SignalEvents.toPeer, PeerEnvelopeSchema, (msg, ack) => {
      if (!state.hosted.has(msg.sessionId)) return ack(failure('SESSION_UNKNOWN', 'this connection does not host that session'));
      const client = peers.get(msg.sessionId)?.get(msg.peerId);
      if (!client) return ack(failure('PEER_UNKNOWN'));
      client.emit(SignalEvents.fromHost, msg);
      ack({ ok: true });
    });

    socket.on('disconnect', () => {
      leavePeer(socket, state);
      for (const sessionId of state.hosted) {
        if (hosts.get(sessionId) === socket) dropSession(sessionId);
      }
      state.hosted.clear();
    });
  });

  let bound: { host: string; port: number } | null = null;
  return {
    httpServer,
    io,
    address() {
      if (!bound) throw new Error('signal server not started');
      return bound;
    },
    start() {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.bind, () => {
          httpServer.off('error', reject);
          const info = httpServer.address() as AddressInfo;
          bound = { host: info.address, port: info.port };
          log.info(bound, 'signal server listening');
          resolve();
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        // io.close() disconnects every socket and closes the HTTP server; keep-alive sockets are cut too.
        io.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}
