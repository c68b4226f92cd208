/** Creates tether's pino logger: JSON lines on stderr, so stdout stays for the status screen or --json events. */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './cli-args.js';

/** A root logger at `level`, writing to stderr. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: undefined, redact: ['key', 'url', 'sdp'] }, pino.destination({ fd: 2, sync: true }));
}
