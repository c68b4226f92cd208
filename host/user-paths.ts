/**
 * Where a user's tether files live, from the environment given once to the command-line parser: the state
 * folder (trust store, control socket), the user's policy file, and `tether attach`'s credentials.
 */
import { dirname, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { TetherError } from '../protocol/errors.js';
import { defaultConfigPath } from './agent-presets.js';

/**
 * The user's state folder: --state-dir, else $TETHER_STATE_DIR, else $XDG_STATE_HOME/tether, else
 * ~/.local/state/tether.
 */
export function resolveStateDir(flag: string | undefined, env: Record<string, string | undefined>, cwd: string): string {
  const given = flag ?? env.TETHER_STATE_DIR;
  if (given !== undefined) {
    if (given.trim() === '') throw new TetherError('BAD_FLAG', '--state-dir (or TETHER_STATE_DIR) must name a folder');
    return resolve(cwd, given);
  }
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'tether');
  // Without $HOME, the home folder of the user's account (from the system's user database).
  return join(env.HOME || homedir(), '.local', 'state', 'tether');
}

/** The user's policy file: policy.json beside the config file (~/.config/tether/policy.json). */
export function userPolicyPath(env: Record<string, string | undefined>): string | null {
  const config = defaultConfigPath(env);
  return config ? join(dirname(config), 'policy.json') : null;
}

/** `tether attach`'s device key and credentials: attach-credentials.json beside the config file. */
export function attachCredentialsPath(env: Record<string, string | undefined>): string | null {
  const config = defaultConfigPath(env);
  return config ? join(dirname(config), 'attach-credentials.json') : null;
}
