/**
 * What every real-agent check shares: an environment with no credentials (a fresh HOME, no API keys,
 * the cached agents first on PATH), a folder to work in, and a count of the agents' processes so a
 * check can prove nothing was left running.
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENTS_BIN, AGENTS_CACHE } from './agent-cache.js';
import { processesMatching } from '../helpers/processes.js';

/** Variables that could log an agent in or change how it runs: never passed on. */
const DROPPED = ['OPENAI_API_KEY', 'CODEX_API_KEY', 'ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'IS_SANDBOX', 'CODEX_HOME', 'CLAUDE_CONFIG_DIR'];

/** A clean environment for tether and the agents, plus `extra`. */
export function agentEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'tether-real-agent-home-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !DROPPED.includes(k)) env[k] = v;
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), PATH: `${AGENTS_BIN}:${process.env.PATH ?? ''}`, SHELL: '/bin/sh', ...extra };
}

/** A fresh folder to run the agent in. */
export function workFolder(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'tether-real-agent-')));
}

/** The agents' processes still running (anything started from the cache folder). */
export function agentProcesses(): string[] {
  return processesMatching(AGENTS_CACHE);
}
