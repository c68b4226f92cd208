/**
 * The two npm-published ACP agents `npm run test:agents` checks against, installed into a cache folder
 * (not project dependencies): `@zed-industries/claude-agent-acp` and `@zed-industries/codex-acp`, at the
 * versions measured for issue #10. Run this file to install them; import it for their paths.
 * TETHER_AGENTS_CACHE overrides the folder (default: $XDG_CACHE_HOME or ~/.cache, then tether-test-agents).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The agents and the versions checked. */
export const AGENT_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  '@zed-industries/claude-agent-acp': '0.23.1',
  '@zed-industries/codex-acp': '0.16.0',
});

/** Where they are installed. */
export const AGENTS_CACHE = process.env.TETHER_AGENTS_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tether-test-agents');

/** The folder holding their commands (claude-agent-acp, codex-acp): put it first on PATH. */
export const AGENTS_BIN = join(AGENTS_CACHE, 'node_modules', '.bin');

/** The version of `name` installed in the cache, or null. */
function installed(name: string): string | null {
  const manifest = join(AGENTS_CACHE, 'node_modules', ...name.split('/'), 'package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : null;
}

/** Installs the agents with npm unless the cache already has these versions. */
export function installAgents(): void {
  const wanted = Object.entries(AGENT_PACKAGES).filter(([name, version]) => installed(name) !== version);
  if (wanted.length === 0) return;
  mkdirSync(AGENTS_CACHE, { recursive: true });
  if (!existsSync(join(AGENTS_CACHE, 'package.json'))) writeFileSync(join(AGENTS_CACHE, 'package.json'), JSON.stringify({ name: 'tether-test-agents', private: true }));
  process.stdout.write(`installing ${wanted.map(([n, v]) => `${n}@${v}`).join(', ')} into ${AGENTS_CACHE}\n`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', ...wanted.map(([n, v]) => `${n}@${v}`)], { cwd: AGENTS_CACHE, stdio: 'inherit' });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  installAgents();
  for (const name of Object.keys(AGENT_PACKAGES)) process.stdout.write(`${name} ${installed(name)}\n`);
}
