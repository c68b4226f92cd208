/**
 * Parses the history flags of `tether remote-control` (--keep-history, --history-limit) and the
 * arguments of `tether sessions [list|prune]` into one frozen command; BAD_FLAG otherwise.
 */
import { parseArgs } from 'node:util';
import { TetherError } from '../protocol/errors.js';
import { parseDuration } from './duration.js';
import { resolveStateDir } from './user-paths.js';

/** `tether sessions [list|prune]`: the sessions stored in the state folder. */
export interface SessionsCommand {
  command: 'sessions';
  action: 'list' | 'prune';
  stateDir: string;
  /** prune: only sessions whose last activity is older than this (null with --all or ids). */
  olderThanMs: number | null;
  /** prune: these session ids (any state but running). */
  ids: readonly string[];
  /** prune --all: every stored session that is not running. */
  all: boolean;
  json: boolean;
}

/** Default --keep-history: seven days. */
export const DEFAULT_KEEP_HISTORY_MS = 7 * 86_400_000;
/** Default --history-limit: 1 GiB. */
export const DEFAULT_HISTORY_LIMIT_BYTES = 1024 ** 3;

function bad(message: string): TetherError {
  return new TetherError('BAD_FLAG', message);
}

/** Parses --keep-history (and `tether sessions prune --older-than`): a duration or `forever`. */
export function parseKeepHistory(value: string | undefined, flag = 'keep-history'): number | null {
  if (value === undefined) return DEFAULT_KEEP_HISTORY_MS;
  if (value === 'forever') return null;
  const ms = parseDuration(value);
  if (ms === null) throw bad(`--${flag} must be a duration such as 12h, 7d or 30d, or 'forever'; got '${value}'`);
  return ms;
}

const SIZE_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses --history-limit: `500m`, `2g`, `800k` (at least 1 MiB). */
export function parseHistoryLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_HISTORY_LIMIT_BYTES;
  const m = /^(\d{1,6})([kmg])$/i.exec(value);
  const bytes = m ? Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!m || bytes < 1024 ** 2) throw bad(`--history-limit must be a size of at least 1m, such as 500m or 2g; got '${value}'`);
  return bytes;
}

/** Parses the arguments after `tether sessions`; `{command: 'help'}` for --help. */
export function parseSessions(args: string[], env: Record<string, string | undefined>, cwd: string): SessionsCommand | { command: 'help'; topic: 'sessions' } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { 'state-dir': { type: 'string' }, 'older-than': { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw bad((err as Error).message.split('\n')[0]!.replace(/\.$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', topic: 'sessions' };
  const [action = 'list', ...ids] = positionals;
  if (action !== 'list' && action !== 'prune') throw bad(`unknown sessions action '${action}' (use list or prune)`);
  if (action === 'list' && (ids.length > 0 || values.all || values['older-than'] !== undefined)) throw bad('tether sessions list takes no ids, --all or --older-than');
  for (const id of ids) if (!/^[A-Za-z0-9_-]{22}$/.test(id)) throw bad(`'${id}' is not a session id`);
  const chosen = [ids.length > 0, Boolean(values.all), values['older-than'] !== undefined].filter(Boolean).length;
  if (chosen > 1) throw bad('prune takes one of: session ids, --all, or --older-than');
  return Object.freeze({
    command: 'sessions',
    action,
    stateDir: resolveStateDir(values['state-dir'], env, cwd),
    olderThanMs: action === 'prune' && chosen === 0 ? DEFAULT_KEEP_HISTORY_MS : values['older-than'] !== undefined ? parseKeepHistory(values['older-than'], 'older-than') : null,
    ids: Object.freeze(ids),
    all: Boolean(values.all),
    json: Boolean(values.json),
  } satisfies SessionsCommand);
}
