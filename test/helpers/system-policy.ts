/**
 * Runs the real `tether` CLI with a given system policy at the fixed path /etc/tether/policy.json,
 * without touching the machine's /etc: in a private mount namespace (`unshare --mount`, as root) of a
 * child process, /etc gets an overlay on a tmpfs, and the test's file is bind-mounted at the fixed path.
 * Nothing leaks: the mounts die with the child.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../host/package-paths.js';

const SCRIPT = `set -e
mount -t tmpfs tmpfs "$TETHER_T"
mkdir "$TETHER_T/u" "$TETHER_T/w"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$TETHER_T/u,workdir=$TETHER_T/w" /etc
mkdir -p /etc/tether
touch /etc/tether/policy.json
mount --bind "$TETHER_POLICY" /etc/tether/policy.json
exec "$TETHER_NODE" "$TETHER_BIN" "$@"`;

/** Why the system policy cannot be tested here, or null when it can. */
export function systemPolicyUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root for unshare --mount';
  return null;
}

/** Runs `tether <args>` with `policy` as the system policy; resolves with its exit status and output. */
export async function runWithSystemPolicy(policy: unknown, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const work = mkdtempSync(join(tmpdir(), 'tether-syspolicy-'));
  const mountPoint = join(work, 'mnt');
  const policyFile = join(work, 'policy.json');
  writeFileSync(policyFile, typeof policy === 'string' ? policy : JSON.stringify(policy));
  const { mkdirSync } = await import('node:fs');
  mkdirSync(mountPoint);
  try {
    return await new Promise((resolve) => {
      const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', SCRIPT, 'tether', ...args], {
        env: { ...process.env, ...env, TETHER_T: mountPoint, TETHER_POLICY: policyFile, TETHER_NODE: process.execPath, TETHER_BIN: join(packageRoot(), 'bin', 'tether.js') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
