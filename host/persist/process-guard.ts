/**
 * Agents and programs never outlive their host. Node has no parent-death signal, so a tiny watchdog
 * (/bin/sh, in its own process group so a signal to the host's group does not reach it) holds a pipe
 * from the host and the list of process groups the host started; when the pipe closes without a goodbye
 * — the host was killed, even with SIGKILL — it ends those groups (TERM, then KILL a second later).
 * A restarted host also ends groups recorded in the store whose host is gone (the watchdog's backup).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { groupAlive, isAlive, type ProcessIdentity } from './process-identity.js';

const WATCHDOG = `trap '' INT HUP TERM QUIT PIPE
groups=" "
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups\${line#+} " ;;
    -*) g=\${line#-}; next=" "; for x in $groups; do [ "$x" = "$g" ] || next="$next$x "; done; groups=$next ;;
    q) exit 0 ;;
  esac
done
for g in $groups; do kill -TERM -"$g" 2>/dev/null; done
sleep 1
for g in $groups; do kill -KILL -"$g" 2>/dev/null; done
exit 0
`;

/** Ends a host's process groups if the host dies. */
export class ProcessGuard {
  private readonly child: ChildProcess;
  private closed = false;

  constructor(private readonly log: Logger) {
    this.child = spawn('/bin/sh', ['-c', WATCHDOG], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    this.child.on('error', (err) => log.warn({ err: err.message }, 'the process watchdog failed; agents may outlive a killed host'));
    this.child.stdin!.on('error', (err) => log.debug({ err: err.message }, 'process watchdog pipe'));
    // The watchdog must not keep the host alive, nor be waited for.
    this.child.unref();
    (this.child.stdin as unknown as { unref?: () => void }).unref?.();
  }

  /** The watchdog's pid (tests check that it leaves with its host). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Watches a process group the host started. */
  add(pgid: number): void {
    this.send(`+${pgid}`);
  }

  /** The group ended (or the host ended it): forget it. */
  remove(pgid: number): void {
    this.send(`-${pgid}`);
  }

  /** A clean exit: the host ended its groups itself; the watchdog leaves without touching anything. */
  close(): void {
    if (this.closed) return;
    this.send('q');
    this.closed = true;
    this.child.stdin?.end();
  }

  private send(line: string): void {
    if (!this.closed && this.child.stdin?.writable) this.child.stdin.write(`${line}\n`);
  }
}

/**
 * Ends a process group recorded by a host that is gone (killed before its watchdog could act, or the
 * watchdog was killed too). Only when the group's leader is the very process recorded, or the leader is
 * gone but members of its group remain. Resolves once the group is gone (or after `graceMs` + KILL).
 */
export async function endLeftoverGroup(group: ProcessIdentity, log: Logger, graceMs = 1000): Promise<boolean> {
  const leaderSame = isAlive(group);
  if (!leaderSame && !groupAlive(group.pid)) return false;
  log.warn({ pgid: group.pid }, 'ending a program left running by a host that was killed');
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-group.pid, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(group.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (groupAlive(group.pid)) signal('SIGKILL');
  return true;
}
