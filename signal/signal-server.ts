/**
 * The signal server: introduces a session's host to its devices and relays their signed offers and
 * answers. It never sees conversation content or keys and never parses SDP. This file wires the parts:
 * HTTP pages (http-app.ts) under one page policy, the origin check on socket handshakes, the session
 * registry with its caps, the rate limits, and one handler per connection.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server as IoServer } from 'socket.io';
import type { Logger } from 'pino';
import { MAX_ENVELOPE_BYTES } from '../protocol/signaling.js';
import { PROTOCOL_VERSION, TETHER_VERSION } from '../protocol/version.js';
import { clientAddress } from './client-address.js';
import { handleConnection } from './connection-handler.js';
import { createHttpApp } from './http-app.js';
import { createAllowRequest, type OriginPolicy } from './origin-policy.js';
import { applyPagePolicy } from './page-policy.js';
import { createRateLimits, type RateLimits } from './rate-limits.js';
import { createMemorySessionRegistry, type SessionRegistry } from './session-registry.js';
import { resolveSignalLimits, type SignalLimits } from './signal-limits.js';
import { createIceProvider, type IceConfig } from './ice-provider.js';
import type { RedisBackend } from './redis-backend.js';
import { announceDepartures } from './connection-handler.js';

/** Signal server settings (parsed and frozen by the caller). */
export interface SignalServerConfig extends Partial<OriginPolicy> {
  /** 0 picks any free port. */
  port: number;
  /** Address to listen on. */
  bind: string;
  /** Folder with the built browser client (index.html, app.js, app.css); null serves no client. */
  clientDir: string | null;
  /** Overrides of the default limits (signal-limits.ts). */
  limits?: Partial<SignalLimits>;
  /** Share sessions, caps, rate limits and socket rooms with other instances through this Redis. */
  redisUrl?: string | null;
  /** A shared registry or shared rate limits instead of this process's (tests). */
  registry?: SessionRegistry;
  rateLimits?: RateLimits;
  /** STUN/TURN servers to hand out, and the TURN secret to mint credentials with. */
  ice?: IceConfig;
  /** A PEM certificate chain and key: serve https and wss instead of http and ws. */
  tls?: { cert: string; key: string } | null;
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

/** Creates a signal server; nothing listens until start(). Throws zod's error on invalid limits. */
export function createSignalServer(config: SignalServerConfig): SignalServer {
  const log = config.logger;
  const limits = resolveSignalLimits(config.limits);
  const policy: OriginPolicy = Object.freeze({
    publicUrl: config.publicUrl ?? null,
    trustProxy: config.trustProxy ?? false,
    allowOrigins: Object.freeze([...(config.allowOrigins ?? [])]),
  });
  // The Redis backend (ioredis, socket.io's adapter: ~20 MB) is loaded by start() only when asked for;
  // until then, and without it, the registry and rate limits are this process's own.
  let shared: RedisBackend | null = null;
  let registry = config.registry ?? createMemorySessionRegistry(limits);
  let rateLimits = config.rateLimits ?? createRateLimits(limits);
  const ice = createIceProvider(config.ice);
  const app = createHttpApp({
    clientDir: config.clientDir,
    log,
    health: async () => ({
      ok: true,
      version: TETHER_VERSION,
      protocol: PROTOCOL_VERSION,
      ...(await registry.counts()),
      sockets: io.engine.clientsCount,
    }),
  });
  // socket.io wraps the app: its paths go to engine.io, every other request to express.
  const httpServer = config.tls ? createHttpsServer({ cert: config.tls.cert, key: config.tls.key }, app) : createServer(app);
  const io = new IoServer(httpServer, {
    maxHttpBufferSize: MAX_ENVELOPE_BYTES,
    serveClient: false,
    cors: { origin: false },
    allowRequest: createAllowRequest(policy, log),
    // Scaled out: websocket only (our clients ask for nothing else), so a load balancer needs no sticky
    // sessions; long-polling would need every request of a session on the instance that started it.
    ...(config.redisUrl ? { transports: ['websocket' as const] } : {}),
  });
  // The page policy goes in front of both, so engine.io's own answers carry it too.
  httpServer.prependListener('request', applyPagePolicy);

  io.on('connection', (socket) => {
    handleConnection(socket, {
      io,
      registry,
      limits: rateLimits,
      ice,
      addressOf: (s) => clientAddress(s.handshake.headers, s.handshake.address, policy.trustProxy),
      log,
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
    async start() {
      if (config.redisUrl) {
        const { createRedisBackend } = await import('./redis-backend.js');
        shared = createRedisBackend(config.redisUrl, limits, log, (gone) => {
          for (const d of gone) announceDepartures(io, d.left, d.ended);
        });
        registry = config.registry ?? shared.registry;
        rateLimits = config.rateLimits ?? shared.rateLimits;
        io.adapter(await shared.start());
      }
      await new Promise<void>((resolve, reject) => {
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
    async close() {
      await shared?.leave();
      await new Promise<void>((resolve) => {
        // io.close() disconnects every socket and closes the HTTP server; keep-alive sockets are cut too.
        io.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await shared?.quit();
    },
  };
}
