/**
 * Admin policy: what this machine allows, from the system file `/etc/tether/policy.json` (fixed: no flag
 * or variable moves it, so a user cannot step around it) and the user's `~/.config/tether/policy.json`;
 * the system file wins per key. The command line is checked against it once (host/cli-args.ts): a flag
 * that breaks policy is one POLICY_FORBIDS line naming the file and the key.
 */
import { readFileSync } from 'node:fs';
import * as z from '../protocol/zod.js';
import { TetherError } from '../protocol/errors.js';

/** The system-wide policy file. */
export const SYSTEM_POLICY_PATH = '/etc/tether/policy.json';

const agentName = z.string().check(z.minLength(1), z.maxLength(32));

/** One policy file. Every key is optional; absent keys allow what tether allows by default. */
export const PolicyFileSchema = z.strictObject({
  /** Schema version of the file. */
  version: z.optional(z.literal(1)),
  /** false: no remote control at all (server mode, --remote-control and /rc are refused). */
  remoteControl: z.optional(z.boolean()),
  /** The agents that may run: preset names, `shell`, `pty` (any terminal program), `acp` (any ACP command). */
  allowedAgents: z.optional(z.array(agentName).check(z.maxLength(100))),
  /** Most concurrent sessions a server may run. */
  maxCapacity: z.optional(z.int().check(z.gte(1), z.lte(1000))),
  /** Addresses the embedded signal server may listen on (IP addresses, `localhost`, or `loopback`). */
  allowedBindAddresses: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.minLength(1), z.maxLength(50))),
  /** Longest --link-ttl (a duration such as 30m or 2h); `never` is refused under it. */
  maxLinkTtl: z.optional(z.string().check(z.regex(/^\d{1,6}(s|m|h|d)$/, 'a duration such as 90s, 10m, 2h or 7d'))),
  /** New devices wait for a person to allow them (as with --confirm-devices). */
  requireDeviceConfirmation: z.optional(z.boolean()),
  /** An audit log (--audit FILE) is required. */
  requireAuditLog: z.optional(z.boolean()),
  /** Least role that may type into a terminal session (a shell, an agent's login terminal): owner by default. */
  terminalRole: z.optional(z.enum(['owner', 'control'])),
  /** Least role that may see a session's workspace (git state, diffs, files): owner by default, since a folder holds files like .env. */
  workspaceRole: z.optional(z.enum(['owner', 'control', 'view'])),
});
export type PolicyFile = z.infer<typeof PolicyFileSchema>;
type PolicyKey = Exclude<keyof PolicyFile, 'version'>;

/** The effective policy: each key's value and the file it came from. */
export type Policy = { readonly [K in PolicyKey]?: { readonly value: NonNullable<PolicyFile[K]>; readonly source: string } };

/** Reads one policy file; a missing file is an empty policy, a malformed one is POLICY_FORBIDS (fail closed). */
export function readPolicyFile(path: string): PolicyFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new TetherError('POLICY_FORBIDS', `cannot read the policy file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TetherError('POLICY_FORBIDS', `the policy file ${path} is not JSON`, { cause: err });
  }
  const parsed = PolicyFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TetherError('POLICY_FORBIDS', `the policy file ${path} is not valid: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch'}`);
  }
  return parsed.data;
}

/** The effective policy from `paths`, the first file winning per key (the system file comes first). */
export function loadPolicy(paths: readonly string[]): Policy {
  const policy: Record<string, { value: unknown; source: string }> = {};
  for (const path of paths) {
    const file = readPolicyFile(path);
    for (const [key, value] of Object.entries(file)) {
      if (key === 'version' || value === undefined || key in policy) continue;
      policy[key] = { value, source: path };
    }
  }
  return Object.freeze(policy) as Policy;
}

/** The one line for a flag that breaks policy. */
export function policyForbids(policy: Policy, key: PolicyKey, what: string): TetherError {
  const rule = policy[key];
  return new TetherError('POLICY_FORBIDS', `${what}: the policy in ${rule?.source ?? SYSTEM_POLICY_PATH} forbids it (${key}: ${JSON.stringify(rule?.value)})`);
}

/** True when `address` is a loopback address (what `loopback` in allowedBindAddresses stands for). */
export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** True when the policy lets the embedded signal server listen on `address`. */
export function bindAllowed(policy: Policy, address: string): boolean {
  const allowed = policy.allowedBindAddresses?.value;
  if (!allowed) return true;
  return allowed.some((a) => a === address || (a === 'loopback' && isLoopback(address)));
}

/** The first address the policy allows (the default bind address under it). */
export function firstAllowedBind(policy: Policy): string | null {
  const first = policy.allowedBindAddresses?.value[0];
  if (first === undefined) return null;
  return first === 'loopback' ? '127.0.0.1' : first;
}

/** True when the policy lets `agent` (a preset name, shell, pty or acp) run. */
export function agentAllowed(policy: Policy, agent: string): boolean {
  return policy.allowedAgents?.value.includes(agent) ?? true;
}
