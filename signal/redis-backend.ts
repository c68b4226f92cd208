/**
 * What several signal instances share through one Redis (`tether signal --redis URL`): socket.io's
 * Redis adapter (a message for a socket on another instance is delivered there), the session registry
 * with its ownership checks and caps (redis-registry.ts), and the rate limits (rate-limiter-flexible's
 * RateLimiterRedis). Clients use websocket transport only, so no sticky sessions are needed.
 */
import { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-adapter';
import RateLimiterRedis from 'rate-limiter-flexible/lib/RateLimiterRedis.js';
import type { Logger } from 'pino';
import { TetherError } from '../protocol/errors.js';
import { createRateLimits, type RateLimits } from './rate-limits.js';
import { createRedisSessionRegistry, type Departures, type SharedSessionRegistry } from './redis-registry.js';
import type { SignalLimits } from './signal-limits.js';

/** How often an instance says it is alive and looks for dead ones. */
const HEARTBEAT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** Most time leaving may take (Redis may be gone; the others reap this instance then). */
const LEAVE_TIMEOUT_MS = 3_000;

/** The shared parts, and their lifecycle. */
export interface RedisBackend {
  registry: SharedSessionRegistry;
  rateLimits: RateLimits;
  /** Connects and starts the heartbeat; resolves with socket.io's adapter; throws BAD_CONFIG when Redis cannot be reached. */
  start(): Promise<ReturnType<typeof createAdapter>>;
  /** Forgets this instance's connections and announces what they left (while the adapter still relays). */
  leave(): Promise<void>;
  /** Disconnects from Redis. */
  quit(): Promise<void>;
}

/** The URL without its password, for messages and logs. */
function safeUrl(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/** Resolves once `client` is ready; rejects after CONNECT_TIMEOUT_MS. */
function ready(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', done);
      reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', done);
    if (client.status === 'wait') client.connect().catch(() => undefined); // errors surface as the timeout
  });
}

/** The shared parts on the Redis at `url`; `onDepartures` announces what dead instances' connections left. */
export function createRedisBackend(url: string, limits: SignalLimits, log: Logger, onDepartures: (d: Departures[]) => void): RedisBackend {
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const sub = pub.duplicate();
  let warned = 0;
  for (const client of [pub, sub]) {
    client.on('error', (err: Error) => {
      // ioredis retries by itself; one line per burst of failures is enough.
      if (Date.now() - warned > 10_000) log.warn({ err: err.message, redis: safeUrl(url) }, 'Redis connection error; retrying');
      warned = Date.now();
    });
  }
  const registry = createRedisSessionRegistry(pub, limits);
  const rateLimits = createRateLimits(limits, (o) => new RateLimiterRedis({ storeClient: pub, ...o }));
  // The adapter does not catch a failed publish (Redis briefly away): an unhandled rejection would end
  // the process. Its publishes go through this wrapper, which logs them; socket.io delivery is best effort.
  const publisher = new Proxy(pub, {
    get(target, prop, receiver) {
      if (prop === 'publish') {
        return (...args: Parameters<Redis['publish']>) =>
          target.publish(...args).catch((err: Error) => {
            if (Date.now() - warned > 10_000) log.warn({ err: err.message }, 'could not relay a message through Redis');
            warned = Date.now();
            return 0;
          });
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  let timer: ReturnType<typeof setInterval> | null = null;
  /** Set once start() succeeded: only then is there anything in Redis to forget. */
  let running = false;

  const tick = async (): Promise<void> => {
    await registry.heartbeat();
    const gone = await registry.reap(false);
    if (gone.length > 0) {
      log.info({ connections: gone.length }, 'forgot the connections of a signal instance that stopped');
      onDepartures(gone);
    }
  };

  return {
    registry,
    rateLimits,
    async start() {
      try {
        await Promise.all([ready(pub), ready(sub)]);
        await tick();
      } catch (err) {
        pub.disconnect();
        sub.disconnect();
        throw new TetherError('BAD_CONFIG', `cannot use Redis at ${safeUrl(url)}: ${(err as Error).message}`, { cause: err });
      }
      timer = setInterval(() => {
        tick().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'Redis heartbeat failed'));
      }, HEARTBEAT_MS);
      timer.unref();
      running = true;
      // Made only now: it subscribes at once, and a subscription refused before Redis is ready is unhandled.
      return createAdapter(publisher, sub);
    },
    async leave() {
      if (timer) clearInterval(timer);
      timer = null;
      if (!running) return;
      running = false;
      let bound: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          (async () => {
            onDepartures(await registry.reap(true));
            await pub.del(`tether:alive:${registry.instance}`);
          })(),
          new Promise((_, reject) => (bound = setTimeout(() => reject(new Error(`no answer within ${LEAVE_TIMEOUT_MS} ms`)), LEAVE_TIMEOUT_MS))),
        ]);
      } catch (err) {
        // Redis is gone: the other instances reap this one's connections once its alive key expires.
        log.warn({ err: (err as Error).message }, 'could not forget this instance\'s connections in Redis');
      } finally {
        clearTimeout(bound);
      }
    },
    async quit() {
      // QUIT on a client that never connected (or already ended) would wait forever: just drop those.
      await Promise.allSettled([pub, sub].map((c) => (c.status === 'ready' ? c.quit() : Promise.resolve(c.disconnect()))));
    },
  };
}
