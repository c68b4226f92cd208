/**
 * Single limiters of `rate-limiter-flexible`, imported by path: its package entry loads every store it
 * supports (cluster, Mongo, MySQL, Postgres, Prisma, DynamoDB, etcd…) and with them Node's `cluster`
 * module, ~100 KB of code every host and signal server kept in memory for the two it uses.
 */
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  import { RateLimiterMemory } from 'rate-limiter-flexible';
  export default RateLimiterMemory;
}
declare module 'rate-limiter-flexible/lib/RateLimiterRedis.js' {
  import { RateLimiterRedis } from 'rate-limiter-flexible';
  export default RateLimiterRedis;
}
declare module 'rate-limiter-flexible/lib/RateLimiterRes.js' {
  import { RateLimiterRes } from 'rate-limiter-flexible';
  export default RateLimiterRes;
}
