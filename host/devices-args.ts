/** Parses `tether devices [list|rename|role|revoke|revoke-all|allow|deny] …` into one frozen command; BAD_FLAG otherwise. */
import { parseArgs } from 'node:util';
import { TetherError } from '../protocol/errors.js';
import { resolveStateDir } from './user-paths.js';

/** `tether devices [list|rename|role|revoke|revoke-all|allow|deny]`: the user's paired devices. */
export interface DevicesCommand {
  command: 'devices';
  action: 'list' | 'rename' | 'role' | 'revoke' | 'revoke-all' | 'allow' | 'deny';
  deviceId: string | null;
  /** rename: the new name; role and allow: the role. */
  value: string | null;
  json: boolean;
  stateDir: string;
}

function bad(message: string): TetherError {
  return new TetherError('BAD_FLAG', message);
}

const DEVICE_ACTIONS = ['list', 'rename', 'role', 'revoke', 'revoke-all', 'allow', 'deny'] as const;

/** Parses the arguments after `tether devices`; `{command: 'help'}` for --help. */
export function parseDevices(args: string[], env: Record<string, string | undefined>, cwd: string): DevicesCommand | { command: 'help'; topic: 'devices' } {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: 'boolean' }, 'state-dir': { type: 'string' }, view: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    throw bad((err as Error).message.split('\n')[0]!.replace(/\.$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', topic: 'devices' };
  const [action = 'list', deviceId, ...rest] = positionals;
  if (!(DEVICE_ACTIONS as readonly string[]).includes(action)) throw bad(`unknown devices action '${action}': use ${DEVICE_ACTIONS.join(', ')}`);
  const needsId = action !== 'list' && action !== 'revoke-all';
  if (needsId && (deviceId === undefined || !/^[A-Za-z0-9_-]{22}$/.test(deviceId))) throw bad(`tether devices ${action} needs a device id (the deviceId that 'tether devices' lists)`);
  if (!needsId && deviceId !== undefined) throw bad(`unexpected argument '${deviceId}'`);
  let value: string | null = null;
  if (action === 'rename') {
    value = rest.join(' ').trim();
    if (value === '' || value.length > 64) throw bad('tether devices rename <device id> <name>: the name must be 1–64 characters');
  } else if (action === 'role') {
    value = rest[0] ?? '';
    if (!['owner', 'control', 'view'].includes(value) || rest.length !== 1) throw bad('tether devices role <device id> owner|control|view');
  } else if (rest.length > 0) throw bad(`unexpected argument '${rest[0]}'`);
  if (action === 'allow') value = values.view ? 'view' : null;
  else if (values.view) throw bad('--view applies to tether devices allow only');
  return Object.freeze({
    command: 'devices',
    action: action as DevicesCommand['action'],
    deviceId: deviceId ?? null,
    value,
    json: Boolean(values.json),
    stateDir: resolveStateDir(values['state-dir'] as string | undefined, env, cwd),
  } satisfies DevicesCommand);
}
