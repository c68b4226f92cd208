/**
 * Output throughput to one device: the host's PTY runs `cat` of a generated 50 MiB text file while one
 * Node device renders it. The program waits for a keystroke before it starts, so the device is live
 * first and the clock starts at that keystroke; it stops when the device's replica shows the program
 * ended. The host's RSS and CPU (a separate process) are sampled every 100 ms.
 *
 * Three references put the figure in context: the same `cat` read from a PTY by host/pty-process.ts
 * alone (no tether: the kernel's ceiling), tether with the PTY's output processing off (`stty -opost`: no
 * "\n" → "\r\n" translation in the kernel), which shows tether's own ceiling, and the same number of bytes
 * over a bare data channel between two Node processes (bare-channel.ts), which the target is
 * measured against: tether ≥ 70 % of it.
 */
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPty } from '../host/pty-process.js';
import { bareChannelThroughput } from './bare-channel.js';
import { HostProcess } from './host-process.js';
import { cpuSeconds, machineBusySeconds } from './proc-stats.js';
import { cpus } from 'node:os';
import { NodeDevice } from './node-device.js';
import type { BenchResult, BenchRow } from './report.js';
import { mib } from './stats.js';
import { withTimeout } from './wait.js';

const FILE_BYTES = 50 * 1024 * 1024;
const LINE_CHARS = 79; // plus '\n': 80-byte lines of printable text
const SAMPLE_MS = 100;
const TARGET_MIB_S = 20;
/** Tether's throughput to a Node device against the bare data channel's (issue #14). */
const TARGET_SHARE_OF_CHANNEL = 0.7;
/** Peak RSS at most this much above the start counts as flat. */
const FLAT_SLACK_BYTES = 64 * 1024 * 1024;
/** How long to wait for the host to exit by itself once its program ended. */
const HOST_EXIT_WAIT_MS = 3000;

/** Writes about `bytes` of numbered printable lines; returns the line count. */
async function writeTextFile(path: string, bytes: number): Promise<number> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;:!?-+=/()[]{}<>';
  const lines = Math.floor(bytes / (LINE_CHARS + 1));
  const file = await open(path, 'w');
  try {
    const perBlock = 8192;
    for (let start = 0; start < lines; start += perBlock) {
      const parts: string[] = [];
      for (let i = start; i < Math.min(lines, start + perBlock); i++) {
        const head = String(i).padStart(9, '0') + ' ';
        const off = i % alphabet.length;
        parts.push(head + (alphabet.slice(off) + alphabet + alphabet).slice(0, LINE_CHARS - head.length) + '\n');
      }
      await file.write(parts.join(''));
    }
  } finally {
    await file.close();
  }
  return lines;
}

/** Resolves with `value` after `ms` (a bounded wait whose timeout is an answer, not an error). */
function settle<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}

/** Reads `cat path` from a PTY with nothing else attached: the kernel's PTY ceiling. */
async function ptyAlone(path: string): Promise<{ chars: number; seconds: number; machineCpu: number }> {
  const t0 = performance.now();
  const busy0 = machineBusySeconds();
  const pty = spawnPty({ file: 'cat', args: [path], cwd: tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' }, cols: 80, rows: 24 });
  let chars = 0;
  pty.onData((text) => (chars += text.length));
  const exited = new Promise<void>((resolve) => pty.onExit(() => resolve()));
  await withTimeout(exited, 60_000, 'cat in a bare PTY').catch(async (err: unknown) => {
    await pty.kill(500);
    throw err;
  });
  return { chars, seconds: (performance.now() - t0) / 1000, machineCpu: machineBusySeconds() - busy0 };
}

interface StreamRun {
  seconds: number;
  rendered: number;
  resets: number;
  rss: number[];
  hostCpu: number;
  benchCpu: number;
  /** CPU seconds the whole machine was busy while streaming (host, device, cat, the kernel). */
  machineCpu: number;
  exit: string;
  clientErrors: string[];
}

/** One tether run: the host cats `path` after a keystroke; one device renders it until it sees the exit. */
async function streamThroughTether(path: string, rawOutput: boolean): Promise<StreamRun> {
  const script = rawOutput ? 'read _ && stty -opost && exec cat "$0"' : 'read _ && exec cat "$0"';
  const host = await HostProcess.start(['/bin/sh', '-c', script, path]);
  const device = new NodeDevice(host.url, 'bench-throughput').start();
  const rss: number[] = [];
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    await device.until(() => device.live, 30_000, 'live');
    const before = device.renderedChars;
    const first = host.rss();
    if (first !== null) rss.push(first);
    const hostCpu0 = cpuSeconds(host.pid) ?? 0;
    const benchCpu0 = process.cpuUsage();
    let hostCpu = 0;
    sampler = setInterval(() => {
      const value = host.rss();
      if (value !== null) rss.push(value);
      const cpu = cpuSeconds(host.pid);
      if (cpu !== null) hostCpu = cpu - hostCpu0;
    }, SAMPLE_MS);
    const busy0 = machineBusySeconds();
    const t0 = performance.now();
    void device.client.sendIntent({ type: 'input', data: '\r' });
    await device.until(() => device.exited, 120_000, 'the program to end (as seen by the device)');
    const seconds = (performance.now() - t0) / 1000;
    const machineCpu = machineBusySeconds() - busy0;
    // Errors until the exit was seen; once the host exits the client reports PEER_CLOSED, as it should.
    const clientErrors = [...device.errors];
    clearInterval(sampler);
    sampler = undefined;
    const bench = process.cpuUsage(benchCpu0);
    // The host runs in server mode, which keeps serving after its program ends (the session stays
    // readable); only `--spawn session` exits with its program. An exit here would be a crash.
    const exit = await Promise.race([host.exited.then((e) => `exited ${JSON.stringify(e)}, which server mode should not`), settle(HOST_EXIT_WAIT_MS, `still serving ${HOST_EXIT_WAIT_MS} ms later, as server mode should`)]);
    return {
      seconds,
      rendered: device.renderedChars - before,
      resets: device.resets,
      rss,
      hostCpu,
      benchCpu: (bench.user + bench.system) / 1e6,
      machineCpu,
      exit,
      clientErrors,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    device.close();
    await host.stop();
  }
}

/**
 * What the machine's cores allow: the whole machine's busy CPU seconds for the tether run, for the PTY
 * alone and for the bare channel. A session fed by a PTY pays for both the PTY and the channel; when those
 * two alone fill the cores, no tether could reach the bare channel's rate, and the note says how far it
 * could get with no cost of its own.
 */
function cpuBudgetNote(fileMib: number, run: StreamRun, ptyCpu: number, channelCpu: number, channelMibps: number): string {
  const cores = cpus().length;
  const floorSeconds = (ptyCpu + channelCpu) / cores;
  const ceiling = fileMib / floorSeconds;
  return (
    `CPU of the whole machine (${cores} cores, every process and the kernel): tether's run ${run.machineCpu.toFixed(2)} s ` +
    `(${((run.machineCpu / (run.seconds * cores)) * 100).toFixed(0)} % of the cores while it ran); the PTY alone ${ptyCpu.toFixed(2)} s; ` +
    `the bare channel ${channelCpu.toFixed(2)} s. PTY and channel alone need ${floorSeconds.toFixed(2)} s of all cores, so a PTY-fed ` +
    `session costing nothing itself would reach at most ${ceiling.toFixed(1)} MiB/s here (${((ceiling / channelMibps) * 100).toFixed(0)} % of the bare channel); ` +
    `tether's own share of its run: ${Math.max(0, run.machineCpu - ptyCpu - channelCpu).toFixed(2)} s`
  );
}

/** Runs the benchmark. */
export async function benchThroughput(): Promise<BenchResult> {
  const path = join(tmpdir(), `tether-bench-${process.pid}.txt`);
  const notes: string[] = [];
  const rows: BenchRow[] = [];
  try {
    const lines = await writeTextFile(path, FILE_BYTES);
    const fileBytes = lines * (LINE_CHARS + 1);
    const fileMib = fileBytes / 1024 / 1024;

    const run = await streamThroughTether(path, false);
    const mibps = fileMib / run.seconds;
    const start = run.rss[0] ?? NaN;
    const peak = Math.max(...run.rss);
    const end = run.rss[run.rss.length - 1] ?? NaN;
    rows.push(
      {
        benchmark: 'Throughput, cat 50 MiB → 1 Node device',
        // What the PTY produced is the file plus a "\r" per line; a device that lags skips what was trimmed meanwhile.
        figure: `${mibps.toFixed(1)} MiB/s · device rendered ${((run.rendered / (fileBytes + lines)) * 100).toFixed(0)}%`,
        target: `≥ ${TARGET_MIB_S} MB/s`,
        met: mibps >= TARGET_MIB_S,
      },
      {
        benchmark: `  host RSS while streaming (${run.rss.length} samples)`,
        figure: `start ${mib(start)} · peak ${mib(peak)} · end ${mib(end)}`,
        target: 'flat',
        met: peak - start <= FLAT_SLACK_BYTES,
      },
    );
    notes.push(
      `throughput: ${mib(fileBytes)} in ${run.seconds.toFixed(2)} s; the device rendered ${mib(run.rendered)} ` +
        `(the PTY adds "\\r" per line), cursor resets ${run.resets}; CPU: host ${run.hostCpu.toFixed(1)} s, bench (client) ${run.benchCpu.toFixed(1)} s; ` +
        `host after its program ended: ${run.exit}` + (run.clientErrors.length ? `; client errors while streaming: ${run.clientErrors.join(', ')}` : ''),
    );

    const bare = await ptyAlone(path);
    rows.push({
      benchmark: '  reference: same cat, bare PTY, no tether',
      figure: `${(fileMib / bare.seconds).toFixed(1)} MiB/s`,
      target: '',
      met: null,
    });

    const channel = await bareChannelThroughput(fileBytes);
    const channelMibps = channel.bytes / 1024 / 1024 / channel.seconds;
    const share = mibps / channelMibps;
    rows.push({
      benchmark: '  reference: the same bytes over a bare data channel, Node → Node',
      figure: `${channelMibps.toFixed(1)} MiB/s · tether carries ${(share * 100).toFixed(0)} % of it`,
      target: `tether ≥ ${TARGET_SHARE_OF_CHANNEL * 100} %`,
      met: share >= TARGET_SHARE_OF_CHANNEL,
    });
    notes.push(
      `bare data channel: ${mib(channel.bytes)} in ${channel.seconds.toFixed(2)} s from a child process in 60 KiB messages, ` +
        `at most 1 MiB buffered (tether's PTY source alone reaches ${(fileMib / bare.seconds).toFixed(1)} MiB/s, so a PTY-fed session cannot exceed that)`,
    );
    notes.push(cpuBudgetNote(fileMib, run, bare.machineCpu, channel.machineCpu, channelMibps));

    const raw = await streamThroughTether(path, true);
    rows.push({
      benchmark: '  reference: tether with stty -opost',
      figure: `${(fileMib / raw.seconds).toFixed(1)} MiB/s · host RSS peak ${mib(Math.max(...raw.rss))}`,
      target: '',
      met: null,
    });
    notes.push(
      `throughput (stty -opost): ${raw.seconds.toFixed(2)} s; rendered ${mib(raw.rendered)}, cursor resets ${raw.resets}; ` +
        `CPU: host ${raw.hostCpu.toFixed(1)} s, bench (client) ${raw.benchCpu.toFixed(1)} s`,
    );
  } finally {
    await rm(path, { force: true });
  }
  return { rows, notes };
}
