/**
 * Host CPU while an agent streams to many devices: the real CLI (a child process, so its CPU is its
 * own) runs the scripted ACP agent, which streams `stream 2000 2` (2,000 chunks, ~2 ms apart) first
 * to 1 Node device, then to 10. CPU is read from /proc over the window from the prompt until every
 * device has the last chunk; the agent's process and the devices (this process) are measured apart.
 */
import type { BenchResult } from './report.js';
import { HostProcess } from './host-process.js';
import { ConversationDevice } from './conversation-device.js';
import { busiestThreads, cpuUsedBetween, cpuWindow, ownCpuWindow, pct, processTree, threadCpu, treeCpu } from './proc-stats.js';
import { mib, ms } from './stats.js';
import { withTimeout } from './wait.js';
import { SCRIPTED_AGENT } from '../test/helpers/scripted-agent-command.js';

const DEVICES = 10;
const CHUNKS = 2000;
const CHUNK_GAP_MS = 2;
const TIMEOUT_MS = 60_000;

/** What one stream cost. */
interface StreamCost {
  seconds: number;
  hostPct: number;
  /** Host CPU ms per chunk. */
  hostMsPerChunk: number;
  agentPct: number;
  devicesPct: number;
  rss: number;
  /** The host's busiest threads over the window. */
  threads: string;
}

/** Streams CHUNKS chunks to every device and measures the window. */
async function streamOnce(host: HostProcess, devices: ConversationDevice[]): Promise<StreamCost> {
  const agentPids = processTree(host.pid).filter((p) => p !== host.pid);
  const series = devices.map((d) => d.chunks.series);
  const hostCpu = cpuWindow(host.pid);
  const threads0 = threadCpu(host.pid);
  const agent0 = treeCpu(agentPids);
  const own = ownCpuWindow();
  const reply = await withTimeout(devices[0]!.prompt(`stream ${CHUNKS} ${CHUNK_GAP_MS}`), TIMEOUT_MS, 'the prompt reply');
  if (!reply.ok) throw new Error(`prompt refused: ${reply.error.code}`);
  await Promise.all(
    devices.map((d, i) => d.until(() => d.chunks.series > series[i]! && d.chunks.count >= CHUNKS, TIMEOUT_MS, `all ${CHUNKS} chunks on device ${i + 1}`)),
  );
  const h = hostCpu.stop();
  const threads = busiestThreads(threads0, threadCpu(host.pid), h.wallSeconds, 3);
  const o = own.stop();
  const agentSeconds = cpuUsedBetween(agent0, treeCpu(agentPids));
  const rss = host.rss() ?? NaN;
  await Promise.all(devices.map((d, i) => d.until(() => d.status === 'idle', TIMEOUT_MS, `the turn's end on device ${i + 1}`)));
  return {
    seconds: h.wallSeconds,
    hostPct: h.percent,
    hostMsPerChunk: (1000 * h.cpuSeconds) / CHUNKS,
    agentPct: (100 * agentSeconds) / h.wallSeconds,
    devicesPct: o.percent,
    rss,
    threads,
  };
}

/** Runs the benchmark. */
export async function benchStreamCpu(): Promise<BenchResult> {
  const host = await HostProcess.start([], { flags: ['--agent', SCRIPTED_AGENT], env: { SHELL: '/bin/sh' }, label: 'scripted ACP agent' });
  const devices: ConversationDevice[] = [];
  let one: StreamCost;
  let ten: StreamCost;
  try {
    const first = new ConversationDevice(host.url, 'bench-cpu-1').start();
    devices.push(first);
    await first.until(() => first.live && first.status === 'idle', TIMEOUT_MS, 'the first device live and the agent idle');
    one = await streamOnce(host, devices);
    const more = Array.from({ length: DEVICES - 1 }, (_, i) => new ConversationDevice(host.url, `bench-cpu-${i + 2}`).start());
    devices.push(...more);
    await Promise.all(more.map((d, i) => d.until(() => d.live, TIMEOUT_MS, `device ${i + 2} live`)));
    await host.waitForDevices(DEVICES, TIMEOUT_MS);
    ten = await streamOnce(host, devices);
  } finally {
    for (const d of devices) d.close();
    await host.stop();
  }
  const perDevice = (ten.hostMsPerChunk - one.hostMsPerChunk) / (DEVICES - 1);
  return {
    rows: [
      {
        benchmark: `Host CPU, agent streaming to ${DEVICES} devices`,
        figure: `${pct(ten.hostPct)} of a core at ${Math.round(CHUNKS / ten.seconds)} chunks/s (1 device: ${pct(one.hostPct)} at ${Math.round(CHUNKS / one.seconds)}/s)`,
        target: '(reported)',
        met: null,
      },
    ],
    notes: [
      `stream CPU: \`stream ${CHUNKS} ${CHUNK_GAP_MS}\` took ${ms(one.seconds * 1000)} to reach 1 device and ${ms(ten.seconds * 1000)} to reach all ${DEVICES}; ` +
        `host CPU per chunk ${ms(one.hostMsPerChunk)} with 1 device, ${ms(ten.hostMsPerChunk)} with ${DEVICES} (+${ms(perDevice)} per extra device); ` +
        `host threads with ${DEVICES} devices: ${ten.threads} (1 device: ${one.threads}); meanwhile the agent process used ${pct(ten.agentPct)} and the ${DEVICES} Node devices (the bench process) ${pct(ten.devicesPct)}; host RSS after ${mib(ten.rss)}`,
    ],
  };
}
