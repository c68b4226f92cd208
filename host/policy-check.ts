/**
 * Checks a parsed command line against the admin policy and applies the policy's defaults: a flag that
 * breaks it is one POLICY_FORBIDS line naming the file and the key; a default is capped to what it allows.
 */
import type { RemoteControlCommand } from './cli-args.js';
import { agentAllowed, bindAllowed, firstAllowedBind, policyForbids } from './policy.js';
import { parseDuration } from './duration.js';

/** Which of the flags the policy limits were given explicitly. */
export interface GivenFlags {
  agent: boolean;
  capacity: boolean;
  bind: boolean;
  local: boolean;
  linkTtl: string | undefined;
}

/** Checks the command against the admin policy and applies its defaults; throws POLICY_FORBIDS. */
export function applyPolicy(cmd: RemoteControlCommand, given: GivenFlags): RemoteControlCommand {
  const { policy } = cmd;
  const out = { ...cmd };
  if (policy.remoteControl?.value === false && (cmd.command === 'remote-control' || cmd.shareAtStart)) {
    throw policyForbids(policy, 'remoteControl', cmd.command === 'remote-control' ? 'tether remote-control' : '--remote-control');
  }
  if (!agentAllowed(policy, cmd.program.label)) {
    throw policyForbids(policy, 'allowedAgents', !given.agent && cmd.program.label === 'shell' ? 'the default agent, shell' : `--agent ${cmd.program.label === 'pty' ? `pty (${cmd.program.display})` : cmd.program.label}`);
  }
  for (const a of cmd.allowAgents) if (!agentAllowed(policy, a)) throw policyForbids(policy, 'allowedAgents', `--allow-agent ${a}`);
  const maxCapacity = policy.maxCapacity?.value;
  if (maxCapacity !== undefined) {
    if (given.capacity && cmd.capacity > maxCapacity) throw policyForbids(policy, 'maxCapacity', `--capacity ${cmd.capacity}`);
    out.capacity = Math.min(cmd.capacity, maxCapacity);
  }
  if (cmd.signalUrl === null && !bindAllowed(policy, cmd.bind)) {
    if (given.bind || given.local) throw policyForbids(policy, 'allowedBindAddresses', given.local ? '--local' : `--bind ${cmd.bind}`);
    out.bind = firstAllowedBind(policy)!;
  }
  const maxTtl = policy.maxLinkTtl ? parseDuration(policy.maxLinkTtl.value) : null;
  if (maxTtl !== null) {
    if (given.linkTtl !== undefined && (cmd.linkTtlMs === null || cmd.linkTtlMs > maxTtl)) throw policyForbids(policy, 'maxLinkTtl', `--link-ttl ${given.linkTtl}`);
    out.linkTtlMs = cmd.linkTtlMs === null ? maxTtl : Math.min(cmd.linkTtlMs, maxTtl);
  }
  if (policy.requireDeviceConfirmation?.value) out.confirmDevices = true;
  if (policy.requireAuditLog?.value && cmd.audit === null) throw policyForbids(policy, 'requireAuditLog', 'running without --audit FILE');
  if (policy.terminalRole) out.terminalRole = policy.terminalRole.value;
  if (policy.workspaceRole) out.workspaceRole = policy.workspaceRole.value;
  return out;
}
