/**
 * Starts a signal server on the configured port; when the port was not chosen explicitly and the
 * default is taken, falls back to any free port instead of failing.
 */
import type { Logger } from 'pino';
import { createSignalServer, type SignalServer } from '../signal/signal-server.js';
import type { SignalLimits } from '../signal/signal-limits.js';
import type { IceConfig } from '../signal/ice-provider.js';
import { TetherError } from '../protocol/errors.js';

/** Where and how to listen, and who may connect. */
export interface ListenOptions {
  port: number;
  portExplicit: boolean;
  bind: string;
  clientDir: string | null;
  /** The origin links use (--public-url); pages from it may connect. */
  publicUrl?: string | null;
  /** Trust a reverse proxy's X-Forwarded-* headers (tether signal --trust-proxy). */
  trustProxy?: boolean;
  /** More page origins allowed to connect (tether signal --allow-origin). */
  allowOrigins?: readonly string[];
  /** Limits to change from the defaults (tether signal's limit flags). */
  limits?: Readonly<Partial<SignalLimits>>;
  /** STUN servers to hand out and TURN credentials to mint. */
  ice?: IceConfig;
  /** Serve https and wss with this certificate and key. */
  tls?: { cert: string; key: string } | null;
  /** Share state with other instances through this Redis (tether signal --redis). */
  redisUrl?: string | null;
  log: Logger;
}

/** Creates and starts a signal server; throws TetherError BAD_CONFIG when it cannot listen. */
export async function startSignalServer(options: ListenOptions): Promise<SignalServer> {
  const attempt = async (port: number): Promise<SignalServer> => {
    const server = createSignalServer({
      port,
      bind: options.bind,
      clientDir: options.clientDir,
      publicUrl: options.publicUrl ?? null,
      trustProxy: options.trustProxy ?? false,
      allowOrigins: options.allowOrigins ?? [],
      limits: options.limits,
      ice: options.ice,
      tls: options.tls,
      redisUrl: options.redisUrl,
      logger: options.log.child({ component: 'signal' }),
    });
    try {
      await server.start();
    } catch (err) {
      await server.close().catch(() => undefined); // it never listened: only its Redis clients to end
      throw err;
    }
    return server;
  };
  try {
    return await attempt(options.port);
  } catch (err) {
    if (err instanceof TetherError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && !options.portExplicit) {
      options.log.info({ port: options.port }, 'default port taken; using any free port');
      return attempt(0);
    }
    const why = code === 'EADDRINUSE' ? `port ${options.port} is already in use (try --port 0)`
      : code === 'EADDRNOTAVAIL' ? `${options.bind} is not an address of this machine`
      : code === 'EACCES' ? `no permission to listen on port ${options.port}`
      : (err as Error).message;
    throw new TetherError('BAD_CONFIG', `cannot listen on ${options.bind}:${options.port}: ${why}`, { cause: err });
  }
}
