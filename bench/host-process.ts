/**
 * Runs the real `tether remote-control --json --local --port 0 [flags] [-- <program>]` as a child
 * process, as a user would, so the host's memory is measured apart from the benchmark's clients.
 * Reads its JSON events, samples its RSS from /proc, and stops it with SIGTERM (SIGKILL only past a
 * deadline).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../host/package-paths.js';

/** One `--json` line from the host. */
export interface HostEvent {
  event: string;
  [field: string]: unknown;
}

/** How the host process ended. */
export interface HostExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The RSS of a process in bytes, from /proc; null once it is gone. */
export function processRss(pid: number): number | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return null;
    throw err;
  }
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/**
 * The Node flags on bin/tether.js's `#!/usr/bin/env -S node …` line: the `tether` command as a user runs
 * it gets them, so a benchmark that starts `node bin/tether.js` passes them too.
 */
export function binNodeFlags(bin: string): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
  const match = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  return match ? match[1]!.trim().split(/\s+/).filter(Boolean) : [];
}

/** How one host ended with SIGTERM (for the report: the CLI must exit within 2 s). */
export interface HostShutdown {
  program: string;
  ms: number;
  killed: boolean;
  exit: HostExit;
}

/** A running host. */
export class HostProcess {
  /** Every SIGTERM shutdown in this process, in order. */
  static readonly shutdowns: HostShutdown[] = [];
  /** Hosts that died from a signal nobody sent (e.g. SIGSEGV). */
  static readonly crashes: Array<{ program: string; signal: NodeJS.Signals; stderr: string }> = [];
  private stopping = false;

  readonly events: HostEvent[] = [];
  readonly exited: Promise<HostExit>;
  private stderrText = '';
  private exit: HostExit | null = null;
  private readonly emitter = new EventEmitter();

  private constructor(
    private readonly child: ChildProcess,
    private readonly program: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        if (signal && !this.stopping) HostProcess.crashes.push({ program: this.program, signal, stderr: this.stderrText.slice(-500) });
        this.emitter.emit('change');
        resolve(this.exit);
      });
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (err) {
        this.stderrText += `(non-JSON stdout line: ${line.slice(0, 200)}; ${(err as Error).message})\n`;
        return;
      }
      this.events.push(parsed as HostEvent);
      this.emitter.emit('change');
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (this.stderrText.length < 64 * 1024) this.stderrText += chunk;
    });
  }

  /**
   * Starts a host running `program` and resolves once it printed `ready`. `flags` go before `--`
   * (e.g. --log-level, or --agent when `program` is empty); `env` is added to this process's
   * environment; `label` names the host in the report (default: the program); `nodeArgs` go to Node.
   */
  static async start(
    program: string[],
    options: { flags?: string[]; timeoutMs?: number; env?: Record<string, string>; label?: string; signal?: boolean; nodeArgs?: string[] } = {},
  ): Promise<HostProcess> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const bin = join(packageRoot(), 'bin', 'tether.js');
    const flags = options.flags ?? [];
    // `signal`: a standalone `tether signal` instead (its ready event's url is the server's origin).
    const command = options.signal ? ['signal'] : ['remote-control'];
    // `nodeArgs` go to Node itself (e.g. --import of a tracing preload).
    // A host that never gets ready is asked for Node's diagnostic report (its JavaScript stack) before it is stopped.
    const reportDir = mkdtempSync(join(tmpdir(), 'tether-bench-report-'));
    // Quoted: NODE_OPTIONS (below) splits on spaces outside double quotes.
    const diagnostics = ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${JSON.stringify(reportDir)}`, '--report-compact'];
    const args = [...binNodeFlags(bin), ...(options.nodeArgs ?? []), bin, ...command, '--json', '--local', '--port', '0', ...flags, ...(program.length > 0 ? ['--', ...program] : [])];
    // A fresh state folder: a benchmark never restores another run's sessions. Removed when the host exits.
    const stateDir = mkdtempSync(join(tmpdir(), 'tether-bench-state-'));
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The diagnostics go in NODE_OPTIONS, which process.execArgv leaves out: the CLI's code cache is keyed by
      // its command-line flags, and a report folder of its own among them would make every host compile the
      // CLI afresh (unlike a user's) and leave a cache file of its own. The host's programs inherit them
      // (harmless: only the host is sent SIGUSR2).
      env: {
        ...process.env,
        TETHER_STATE_DIR: stateDir,
        ...options.env,
        NODE_OPTIONS: [options.env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS, ...diagnostics].filter(Boolean).join(' '),
      },
    });
    child.on('exit', () => {
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(reportDir, { recursive: true, force: true });
    });
    const host = new HostProcess(child, options.label ?? program.join(' '));
    try {
      await host.waitForEvent('ready', 0, timeoutMs);
    } catch (err) {
      const where = await host.diagnosticStack(reportDir);
      await host.stop();
      const said = host.events.map((e) => e.event).join(', ') || 'nothing';
      throw new Error(`${(err as Error).message}; host stderr: ${host.stderr().slice(0, 500) || '(empty)'}; its --json events: ${said}; ${where}`);
    }
    return host;
  }

  /** Where a stuck host is: the top of the JavaScript stack in its Node diagnostic report (SIGUSR2), within 3 s. */
  private async diagnosticStack(reportDir: string): Promise<string> {
    if (this.exit) return `it exited (${this.exit.code ?? this.exit.signal})`;
    this.child.kill('SIGUSR2');
    for (let waited = 0; waited < 3000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const file = readdirSync(reportDir).find((name) => name.endsWith('.json'));
      if (!file) continue;
      try {
        const report = JSON.parse(readFileSync(join(reportDir, file), 'utf8')) as {
          javascriptStack?: { message?: string; stack?: string[] };
          libuv?: Array<{ type: string; is_active?: boolean }>;
        };
        const stack = report.javascriptStack?.stack?.slice(0, 8).map((line) => line.trim()).join(' ← ') || '(empty: waiting in the event loop)';
        // What the event loop waits on when no JavaScript runs: its active handles, by kind.
        const handles = new Map<string, number>();
        for (const h of report.libuv ?? []) if (h.is_active) handles.set(h.type, (handles.get(h.type) ?? 0) + 1);
        const waiting = [...handles].map(([type, n]) => `${n} ${type}`).join(', ') || 'none';
        return `its JavaScript stack: ${stack}; active libuv handles: ${waiting}`;
      } catch {
        // Still being written: read it on the next turn.
      }
    }
    return 'no diagnostic report within 3 s (its main thread is blocked outside JavaScript)';
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The session link from the `ready` event. */
  get url(): string {
    return String(this.events.find((e) => e.event === 'ready')!.url);
  }

  /** What the host wrote on stderr (its warnings). */
  stderr(): string {
    return this.stderrText;
  }

  /** The host's RSS in bytes, or null once it exited. */
  rss(): number | null {
    return this.exit ? null : processRss(this.pid);
  }

  /** Resolves with the first event at index ≥ `from` in `events`. */
  waitForAnyEvent(from: number, timeoutMs: number): Promise<HostEvent> {
    return this.waitForEvent(null, from, timeoutMs);
  }

  /** Resolves with the first `name` event (any event for null) at index ≥ `from` in `events`. */
  waitForEvent(name: string | null, from: number, timeoutMs: number): Promise<HostEvent> {
    return new Promise<HostEvent>((resolve, reject) => {
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.emitter.off('change', check);
        settle();
      };
      const check = (): void => {
        const found = this.events.slice(from).find((e) => name === null || e.event === name);
        if (found) finish(() => resolve(found));
        else if (this.exit) finish(() => reject(new Error(`host exited (${JSON.stringify(this.exit)}) before '${name ?? 'any event'}'`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for host event '${name ?? 'any'}'`))),
        timeoutMs,
      );
      this.emitter.on('change', check);
      check();
    });
  }

  /** The device count in the host's latest device-joined / device-left event (0 before any). */
  get devices(): number {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const devices = this.events[i]!.devices;
      if (typeof devices === 'number') return devices;
    }
    return 0;
  }

  /** Resolves once the host reports exactly `n` connected devices. */
  async waitForDevices(n: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.devices !== n) {
      const seen = this.events.length;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for the host to report ${n} devices (it reports ${this.devices})`);
      await this.waitForAnyEvent(seen, left).catch((err: unknown) => {
        throw new Error(`${(err as Error).message} (waiting for ${n} devices; the host reports ${this.devices})`);
      });
    }
  }

  /** SIGTERM, then SIGKILL if the host is not gone within `graceMs`; resolves with how it ended. */
  async stop(graceMs = 3000): Promise<HostExit & { killed: boolean }> {
    if (this.exit) return { ...this.exit, killed: false };
    const t0 = performance.now();
    this.stopping = true;
    this.child.kill('SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), graceMs)));
    let exit = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    const killed = exit === null;
    if (killed) {
      this.child.kill('SIGKILL');
      exit = await this.exited;
    }
    HostProcess.shutdowns.push({ program: this.program, ms: performance.now() - t0, killed, exit: exit! });
    return { ...exit!, killed };
  }
}
