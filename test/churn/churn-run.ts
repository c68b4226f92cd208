/**
 * Device churn against a real host: the real CLI serving a terminal that streams output, and a Node device
 * that joins, sees output, and leaves — politely (bye) or abruptly (its connection dropped, like a phone
 * that loses Wi-Fi) — cycle after cycle. The host's RSS and thread count are sampled from /proc; the run
 * fails if the host dies. Shared by the brief test in `npm test` and `npm run churn` (10,000 cycles).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { binNodeFlags } from '../../bench/host-process.js';
import { packageRoot } from '../../host/package-paths.js';
import { openClient } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';
import { MemoryCredentialStore } from '../../client/core/credential-store.js';
import { memoryProbe, takeHeapSample, type HeapSplit } from './memory-probe.js';

export type { HeapSplit } from './memory-probe.js';

/** One sample of the host. */
export interface ChurnSample {
  cycle: number;
  rssBytes: number;
  /** The anonymous part of RSS (heap and native allocations), without mapped files such as the session store. */
  anonBytes: number;
  threads: number;
  /** Where the host's memory is after a forced collection (only with the `probe` option). */
  heap?: HeapSplit;
}

/** What a churn run saw. */
export interface ChurnResult {
  cycles: number;
  samples: ChurnSample[];
  /** RSS growth over the cycles after warm-up (from the sample at `warmup` to the last). */
  growthBytes: number;
  /** The same for anonymous RSS: without the session store's memory-mapped file, which grows with the output stored. */
  anonGrowthBytes: number;
  /** Joins that needed more than one attempt (libdatachannel's instant connect failures, retried). */
  retriedJoins: number;
  /** Why attempts failed (code and message → count). */
  retryReasons: Map<string, number>;
  hostAlive: boolean;
  seconds: number;
}

/** Joins a minute the run allows itself (the embedded signal server refuses more than 600 from one address). */
const JOINS_PER_MINUTE = 500;

function statusField(pid: number, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function threadsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

/**
 * Runs `cycles` join/leave cycles; samples every `sampleEvery`; growth is measured after `warmup` cycles.
 * `onProgress` is called at each sample (for the long run's output).
 */
export async function runChurn(
  cycles: number,
  options: {
    sampleEvery?: number;
    warmup?: number;
    devices?: number;
    lineBytes?: number;
    /** Loads memory-probe-preload.mjs into the host: each sample then carries the host's heap split. */
    probe?: boolean;
    onProgress?: (s: ChurnSample, hostPid: number) => void;
  } = {},
): Promise<ChurnResult> {
  const sampleEvery = options.sampleEvery ?? Math.max(1, Math.floor(cycles / 20));
  const warmup = options.warmup ?? Math.floor(cycles / 10);
  const started = performance.now();
  // A line every 5 ms: devices leave while the host is sending (the case that crashed @roamhq/wrtc). With
  // the default 100-byte lines the scrollback reaches its 1 MiB cap within the first minute, so growth
  // after warm-up is the churn's own, not the scrollback filling up; short lines keep brief runs quick
  // (every join then syncs a small document).
  const line = `tick ${'.'.repeat(Math.max(0, (options.lineBytes ?? 100) - 6))}`;
  const program = `while :; do echo ${line}; sleep 0.005; done`;
  // The host runs with the Node flags of the `tether` command (its small young generation), as users run it.
  const nodeArgs = binNodeFlags(join(packageRoot(), 'bin', 'tether.js'));
  const probeDir = options.probe ? mkdtempSync(join(tmpdir(), 'tether-churn-probe-')) : null;
  const probeFile = probeDir ? join(probeDir, 'memory.jsonl') : null;
  const probe = probeFile ? memoryProbe(probeFile) : null;
  if (probe) nodeArgs.push(...probe.nodeArgs);
  const host: CliHost = startCli(
    // Debug: a device stuck before its first sync is then shown with the host's side of its channel.
    ['remote-control', '--json', '--log-level', 'debug', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh', '-c', program],
    probe?.env ?? {},
    undefined,
    false,
    nodeArgs,
  );
  /** Asks the probe in the host for its heap split and waits for its answer (one JSON line each). */
  const probeHeap = (pid: number, taken: number): Promise<HeapSplit | undefined> =>
    probeFile ? takeHeapSample(pid, probeFile, taken, () => host.child.exitCode !== null) : Promise.resolve(undefined);
  const samples: ChurnSample[] = [];
  let retriedJoins = 0;
  const retryReasons = new Map<string, number>();
  // The same few devices come back again and again (phones sleep and wake, tabs reopen): each pairs once
  // and then authenticates with its credential.
  const stores = Array.from({ length: options.devices ?? 10 }, () => new MemoryCredentialStore());
  try {
    const url = String((await host.event('ready')).url);
    const pid = host.child.pid!;
    // Every attempt is a join, and the signal server takes at most 600 a minute from one address
    // (RATE_LIMITED past that): stay under it, retries included.
    const joins: number[] = [];
    const join = (): void => {
      joins.push(Date.now());
    };
    for (let i = 1; i <= cycles; i++) {
      while (joins.length > 0 && Date.now() - joins[0]! > 60_000) joins.shift();
      if (joins.length >= JOINS_PER_MINUTE) await new Promise((r) => setTimeout(r, joins[0]! + 60_000 - Date.now()));
      join();
      const device = openClient(url, `churn ${i % stores.length}`, { credentials: stores[i % stores.length]! });
      let attempts = 0;
      let leaving = false;
      device.client.connection.on('state', (state, err) => {
        // Live, or this run dropping and closing the device: not a failed attempt.
        if (state === 'live' || leaving) return;
        attempts++;
        const reason = `${err?.code ?? 'none'}: ${err?.message ?? ''}`;
        retryReasons.set(reason, (retryReasons.get(reason) ?? 0) + 1);
        join();
      });
      try {
        // A stuck device is what this waits for, not a slow join: on a loaded machine libdatachannel fails
        // some connects at once and a join may take a few attempts (the fault suite allows 45 s as well).
        await waitFor(() => (device.client.state === 'live' && device.text().includes('tick')) || host.child.exitCode !== null, 45_000, `cycle ${i}: live with output`).catch((err: unknown) => {
          const e = device.client.error;
          const c = device.client.connection;
          // Where it stopped: the connection (hello seen?) and the session's channel (opened? synced?).
          const where = `its connection is ${c.state} (host hello ${c.hostHello ? 'seen' : 'not seen'}, peer ${c.peerId ?? 'none'}); the session: role ${device.client.role ?? 'none (not opened)'}, waiting ${device.client.waiting ?? 'no'}, ${device.text().length} chars of output`;
          const peer = c.peerId;
          const itsLines = peer ? host.stderr().split('\n').filter((line) => line.includes(peer)).join('\n').slice(-3000) : '';
          throw new Error(`${(err as Error).message}; the device is ${device.client.state}${e ? ` (${e.code}: ${e.message})` : ''} after ${attempts} retries; ${where}; the host's lines about it: ${itsLines || '(none)'}; host stderr: ${host.stderr().slice(-1500) || '(empty)'}`);
        });
      } finally {
        leaving = true;
        if (attempts > 0) retriedJoins++;
        // Half leave politely (bye), half vanish mid-stream as a phone losing its network does.
        if (i % 2 === 0) device.client.connection.dropConnection();
        device.close();
      }
      if (host.child.exitCode !== null) throw new Error(`the host died at cycle ${i}: ${host.child.exitCode} ${host.stderr().slice(-500)}`);
      if (i % sampleEvery === 0 || i === cycles) {
        const heap = await probeHeap(pid, samples.length);
        const sample: ChurnSample = { cycle: i, rssBytes: statusField(pid, 'VmRSS'), anonBytes: statusField(pid, 'RssAnon'), threads: threadsOf(pid), ...(heap ? { heap } : {}) };
        samples.push(sample);
        options.onProgress?.(sample, pid);
      }
    }
    const base = samples.find((s) => s.cycle >= warmup) ?? samples[0]!;
    const last = samples.at(-1)!;
    return { cycles, samples, growthBytes: last.rssBytes - base.rssBytes, anonGrowthBytes: last.anonBytes - base.anonBytes, retriedJoins, retryReasons, hostAlive: host.child.exitCode === null, seconds: (performance.now() - started) / 1000 };
  } finally {
    host.child.kill('SIGTERM');
    await Promise.race([host.exited, new Promise((r) => setTimeout(r, 3000))]);
    host.kill();
    if (probeDir) rmSync(probeDir, { recursive: true, force: true });
  }
}
