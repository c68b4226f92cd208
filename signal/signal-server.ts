/**
 * The signal server: introduces a session's host to its devices and relays their signed offers and
 * answers. It never sees conversation content or keys and never parses SDP. This file wires the parts:
 * the session registry with its caps, the rate limits, one handler per connection, and the browser
 * client's pages.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { Server as IoServer } from 'socket.io';
import type { Logger } from 'pino';
import { MAX_ENVELOPE_BYTES } from '../protocol/signaling.js';
import { PROTOCOL_VERSION, TETHER_VERSION } from '../protocol/version.js';
import { clientAddress } from './client-address.js';
import { handleConnection } from './connection-handler.js';
import { createRateLimits, type RateLimits } from './rate-limits.js';
import { createMemorySessionRegistry, type SessionRegistry } from './session-registry.js';
import { resolveSignalLimits, type SignalLimits } from './signal-limits.js';

/** Signal server settings (parsed and frozen by the caller). */
export interface SignalServerConfig {
  /** 0 picks any free port. */
  port: number;
  /** Address to listen on. */
  bind: string;
  /** Folder with the built browser client (index.html, app.js, app.css); null serves no client. */
  clientDir: string | null;
  /** Trust X-Forwarded-For from the reverse proxy in front of the server (the address limits count). */
  trustProxy?: boolean;
  /** Overrides of the default limits (signal-limits.ts). */
  limits?: Partial<SignalLimits>;
  /** A shared registry or shared rate limits instead of this process's (scale-out; tests). */
  registry?: SessionRegistry;
  rateLimits?: RateLimits;
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

/** Creates a signal server; nothing listens until start(). Throws a ZodError on invalid limits. */
export function createSignalServer(config: SignalServerConfig): SignalServer {
  const log = config.logger;
  const limits = resolveSignalLimits(config.limits);
  const trustProxy = config.trustProxy ?? false;
  const registry = config.registry ?? createMemorySessionRegistry(limits);
  const rateLimits = config.rateLimits ?? createRateLimits(limits);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const io = new IoServer(httpServer, {
    maxHttpBufferSize: MAX_ENVELOPE_BYTES,
    serveClient: false,
    cors: { origin: false },
  });

  app.use((_req, res, next) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.get('/healthz', (_req, res, next) => {
    registry.counts().then(({ sessions }) => res.json({ ok: true, version: TETHER_VERSION, protocol: PROTOCOL_VERSION, sessions }), next);
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

  io.on('connection', (socket) => {
    handleConnection(socket, {
      io,
      registry,
      limits: rateLimits,
      addressOf: (s) => clientAddress(s.handshake.headers, s.handshake.address, trustProxy),
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
