/**
 * The agents devices may start from a server's session list: the server's own agent, the presets (or only
 * those --allow-agent names), a shell only when allowed — and never one the admin policy leaves out.
 */
import type { StartableAgent } from '../protocol/session-list-doc.js';
import type { RemoteControlCommand } from './cli-args.js';
import { defaultConfigPath, loadPresets } from './agent-presets.js';
import { agentAllowed } from './policy.js';

/** What the New-session sheet offers, the server's own agent first. */
export function startableAgents(config: RemoteControlCommand): StartableAgent[] {
  const presets = config.presets;
  const allowed = config.allowAgents.length > 0 ? new Set(config.allowAgents) : null;
  return [
    { label: config.program.label, command: config.program.display },
    ...Object.entries(presets).filter(([label]) => !allowed || allowed.has(label)).map(([label, p]) => ({ label, command: p.command.join(' ') })),
    ...(allowed?.has('shell') ? [{ label: 'shell', command: config.env.SHELL || '/bin/sh' }] : []),
  ].filter((a, i, all) => all.findIndex((b) => b.label === a.label) === i && (i === 0 || agentAllowed(config.policy, a.label)));
}
