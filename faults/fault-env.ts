/**
 * The processes of a fault suite, really started: a standalone signal server and a `tether remote-control`
 * host (a shell session and a scripted-agent conversation, stored in their own state folder) on this
 * machine; the device fleet and Chromium inside the fault namespace; and an observer in this process
 * (never faulted) that reads the host's documents, types the workload and resumes interrupted sessions.
 * Every process carries TETHER_FAULTS_TAG in its environment so leftovers can be found.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SessionClient } from '../client/core/session-client.js';
import { nodeWebRtc } from '../host/node-webrtc.js';
import { binNodeFlags } from '../bench/host-process.js';
import { memoryProbe, takeHeapSample, type HeapSplit } from '../test/churn/memory-probe.js';
import { FaultNet } from './fault-net.js';
import type { FleetCommand, FleetEvent } from './fleet.js';

/** A `tether` child process speaking --json. */
export class TetherProcess {
  readonly events: Array<Record<string, unknown>> = [];
  stderr = '';
  readonly exited: Promise<void>;
  constructor(readonly child: ChildProcess) {
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-20_000)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) this.events.push(JSON.parse(line) as Record<string, unknown>);
    });
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Waits for the `n`-th event named `name` (counting from `from`). */
  async event(name: string, timeoutMs = 30_000, from = 0): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find((e) => e.event === name);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`tether exited before '${name}': ${this.stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`no '${name}' within ${timeoutMs} ms: ${this.stderr.slice(-2000)}`);
      await sleep(20);
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Options of the environment. */
export interface EnvOptions {
  /** The tether package to run (its bin/tether.js and dist/). */
  appDir: string;
  /** The scripted agent's command line (an ACP agent). */
  agentCommand: string;
  tag: string;
  browser: boolean;
  /**
   * Loads test/churn/memory-probe-preload.mjs into the host: each run then records the host's V8 live
   * data after a full collection and its memory outside V8 (what tells a leak from allocator slack).
   */
  probe?: boolean;
}

/** The running processes of a suite. */
export class FaultEnv {
  readonly net = new FaultNet();
  signal!: TetherProcess;
  host!: TetherProcess;
  signalPort = 0;
  termUrl = '';
  convUrl = '';
  listUrl = '';
  observer!: { list: SessionClient; term: SessionClient; conv: SessionClient };
  readonly fleetEvents: Array<FleetEvent & { seen: number }> = [];
  private fleet!: ChildProcess;
  private stopped = false;
  browser: Browser | null = null;
  page: Page | null = null;
  private readonly stateDir = mkdtempSync(join(tmpdir(), 'persist-faults-state-'));
  private readonly folder = mkdtempSync(join(tmpdir(), 'persist-faults-work-'));
  private readonly configPath = join(this.folder, 'config.json');
  private readonly probeFile = join(this.folder, 'memory-probe.jsonl');
  private probesTaken = 0;

  constructor(readonly options: EnvOptions) {
    writeFileSync(this.configPath, JSON.stringify({ presets: { scripted: { command: options.agentCommand } } }));
  }

  private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, TETHER_FAULTS_TAG: this.options.tag, PS1: '$ ', ...extra };
  }

  private tether(args: string[], nodeArgs: string[] = [], extraEnv: Record<string, string> = {}): TetherProcess {
    const bin = join(this.options.appDir, 'bin', 'tether.js');
    // With the Node flags of the `tether` command (its small young generation), as users run it.
    const cmd = [process.execPath, ...binNodeFlags(bin), ...nodeArgs, bin, ...args];
    return new TetherProcess(spawn(cmd[0]!, cmd.slice(1), { cwd: this.folder, stdio: ['ignore', 'pipe', 'pipe'], env: this.env(extraEnv) }));
  }

  /** Starts the signal server (again on the same port after a restart). */
  async startSignal(): Promise<void> {
    this.refuseAfterStop();
    // Limits raised: 50 devices behind one address reconnecting at once is this suite's storm.
    const limits = ['--messages-per-minute', '100000', '--joins-per-minute', '100000', '--failed-joins-per-minute', '100000'];
    this.signal = this.tether(['signal', '--json', '--bind', this.net.hostAddress, '--port', String(this.signalPort), '--log-level', 'warn', ...limits]);
    const ready = await this.signal.event('ready');
    this.signalPort = Number(ready.port);
  }

  /** Starts the host (again, after a kill: same folder, same state folder). */
  async startHost(): Promise<Record<string, unknown>> {
    this.refuseAfterStop();
    const probe = this.options.probe ? memoryProbe(this.probeFile) : { nodeArgs: [], env: {} };
    this.host = this.tether(
      [
        'remote-control', '--json', '--signal', `http://${this.net.hostAddress}:${this.signalPort}`, '--state-dir', this.stateDir,
        '--link-ttl', 'never', '--config', this.configPath, '--log-level', 'warn', '--', '/bin/sh',
      ],
      probe.nodeArgs,
      probe.env,
    );
    return this.host.event('ready', 60_000);
  }

  /** Everything up: signal, host, the conversation session, observer, fleet, browser. */
  async start(): Promise<void> {
    await this.startSignal();
    const ready = await this.startHost();
    this.termUrl = String(ready.url);
    this.listUrl = String(ready.serverUrl);
    const list = this.observe(this.listUrl, 'observer-list');
    await waitUntil(() => list.state === 'live', 30_000, 'observer on the list');
    const started = await list.sendIntent({ type: 'start-session', agent: 'scripted', name: 'conv' });
    if (!started.ok) throw new Error(`could not start the conversation: ${started.error.message}`);
    await waitUntil(() => this.host.events.some((e) => e.event === 'session-started' && e.name === 'conv'), 30_000, 'the conversation session');
    this.convUrl = String(this.host.events.find((e) => e.event === 'session-started' && e.name === 'conv')!.url);
    this.observer = { list, term: this.observe(this.termUrl, 'observer-term'), conv: this.observe(this.convUrl, 'observer-conv') };
    await waitUntil(() => this.observer.term.state === 'live' && this.observer.conv.state === 'live', 30_000, 'observer on the sessions');
    this.fleet = spawn(this.net.exec[0]!, [...this.net.exec.slice(1), process.execPath, '--import', 'tsx', join(this.options.appDir, 'faults', 'fleet.ts')], {
      cwd: this.options.appDir,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: this.env(),
    });
    // A fleet that died (its devices' states stop arriving, which the runs report) must not take the
    // runner with it through an EPIPE on the next command.
    this.fleet.stdin!.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    createInterface({ input: this.fleet.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) this.fleetEvents.push({ ...(JSON.parse(line) as FleetEvent), seen: Date.now() });
    });
    if (this.options.browser) {
      const wrapper = join(this.folder, 'chromium');
      writeFileSync(wrapper, `#!/bin/sh\nexec ${this.net.exec.join(' ')} /usr/bin/chromium "$@"\n`);
      chmodSync(wrapper, 0o755);
      this.browser = await chromium.launch({
        executablePath: wrapper,
        headless: true,
        // Playwright's own handlers would close Chromium and exit at once on Ctrl-C, before the runner's
        // stop has ended the host, the signal server and the namespace: the runner closes it itself.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'],
        env: this.env() as Record<string, string>,
      });
      this.page = await (await this.browser.newContext()).newPage();
      await this.page.goto(this.termUrl);
    }
  }

  /** A device in this process (not faulted: it reaches the host outside the namespace). */
  observe(url: string, name: string): SessionClient {
    const c = new SessionClient({ url, wrtc: nodeWebRtc, deviceName: name, deviceKind: 'terminal', backoffMaxMs: 500 });
    c.start();
    return c;
  }

  fleetSend(cmd: FleetCommand): void {
    this.fleet.stdin!.write(JSON.stringify(cmd) + '\n');
  }

  /**
   * Host memory (bytes): RSS, and its anonymous part (RSS also counts the pages of mapped files it has
   * touched, such as the session store's, which the kernel may take back); throws with the host's last
   * words when it died.
   */
  hostMemory(): { rss: number; anon: number } {
    if (this.host.child.exitCode !== null || this.host.child.signalCode !== null) {
      throw new Error(`the host died (${this.host.child.exitCode ?? this.host.child.signalCode}): ${this.host.stderr.slice(-3000)}`);
    }
    const status = readFileSync(`/proc/${this.host.pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon') };
  }

  /** With `probe`: the host's heap split after a full collection (undefined without the probe). */
  async hostHeap(): Promise<HeapSplit | undefined> {
    if (!this.options.probe) return undefined;
    const host = this.host.child;
    const heap = await takeHeapSample(this.host.pid, this.probeFile, this.probesTaken, () => host.exitCode !== null || host.signalCode !== null);
    // No answer means the host died meanwhile: said as hostMemory() says it, so the run is recorded as a crash.
    if (!heap) this.hostMemory();
    this.probesTaken++;
    return heap;
  }

  /** Process groups of the host's programs and agents (its children's groups). */
  hostChildGroups(): number[] {
    const groups = new Set<number>();
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[1]) === this.host.pid && Number(fields[2]) !== this.host.pid) groups.add(Number(fields[2]));
      } catch (err) {
        void err; // the process ended while we looked
      }
    }
    return [...groups];
  }

  /** Pids of processes carrying this suite's tag. */
  taggedProcesses(): number[] {
    const found: number[] = [];
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`TETHER_FAULTS_TAG=${this.options.tag}`)) found.push(Number(pid));
      } catch (err) {
        void err; // the process ended while we looked
      }
    }
    return found;
  }

  /** A run under way when the campaign stops must not start what stop() has already ended. */
  private refuseAfterStop(): void {
    if (this.stopped) throw new Error('the fault environment is stopping');
  }

  /** Stops everything this suite started. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of Object.values(this.observer ?? {})) c.close();
    await this.browser?.close().catch(() => undefined);
    if (this.fleet && this.fleet.exitCode === null) {
      this.fleetSend({ op: 'exit' });
      await Promise.race([new Promise((r) => this.fleet.once('exit', r)), sleep(3000)]);
      this.fleet.kill('SIGKILL');
    }
    for (const p of [this.host, this.signal]) {
      if (p && p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGCONT');
        p.child.kill('SIGTERM');
        await Promise.race([p.exited, sleep(5000)]);
        p.child.kill('SIGKILL');
      }
    }
    this.net.destroy();
    // The campaign's store and folder go with it (results are in the --results file).
    for (const dir of [this.stateDir, this.folder]) rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls `predicate` every 20 ms; rejects after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
