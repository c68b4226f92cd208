/**
 * Server mode at capacity: the real CLI (`tether remote-control --agent <scripted ACP agent>
 * --no-create-session-in-dir`, a child process) runs 32 sessions — 16 shells and 16 scripted ACP
 * agents, all started from the session list — with 2 Node devices each. Measured: the time to start
 * a session from the list (intent sent → its row in the list); the host's RSS and CPU (from /proc)
 * idle and while every session streams at once; and the list's update latency (a session turns
 * 'working' on a device of that session → its row says so on the device holding the list). The
 * host's CPU is also split by thread, and the agents' and shells' own use is measured apart.
 */
import { tmpdir } from 'node:os';
import type { BenchResult } from './report.js';
import { HostProcess } from './host-process.js';
import { NodeDevice } from './node-device.js';
import { ConversationDevice } from './conversation-device.js';
import { ListDevice } from './list-device.js';
import { JoinPacer } from './join-pacer.js';
import { timeAgentStartup } from './agent-startup.js';
import { busiestThreads, cpuUsedBetween, cpuWindow, ownCpuWindow, pct, processTree, threadCpu, treeCpu, treeRss } from './proc-stats.js';
import { mib, ms, percentile, summarize } from './stats.js';
import { sleep, withTimeout } from './wait.js';
import { SCRIPTED_AGENT } from '../test/helpers/scripted-agent-command.js';

const SESSIONS = 32;
/** Sessions started one at a time (alternately a shell and an agent) and timed; the rest start at once. */
const TIMED_STARTS = 12;
const DEVICES_PER_SESSION = 2;
/** Sessions whose devices join together (their devices fill one rate-limit window). */
const SESSIONS_PER_WAVE = Math.floor(JoinPacer.perWindow / DEVICES_PER_SESSION);
/** List latency samples: at least this many, more while the next join window is still far. */
const LIST_SAMPLES = 8;
const LIST_SAMPLES_MAX = 30;
/** A list latency sample takes about this long (a 200 ms turn, then its end in the list). */
const LIST_SAMPLE_MS = 600;
const AGENT_STARTUP_SAMPLES = 3;
const SETTLE_MS = 1000;
const IDLE_MS = 5000;
/** Idle once every session device has left (only the list device stays). */
const BARE_IDLE_MS = 3000;
const RSS_SAMPLE_MS = 250;
const ACP_STREAM = 'stream 200 10';
const ACP_CHUNKS = 200;
/** 200 lines, a pause of 0.1 s every 10: about 2 s, like the agents' stream. Only the output says END-STREAM. */
const SHELL_STREAM = 'i=0; while [ $i -lt 200 ]; do echo "line $i: the quick brown fox jumps over the lazy dog"; i=$((i+1)); [ $((i % 10)) -ne 0 ] || sleep 0.1; done; echo END""-STREAM\r';
const STREAM_END = 'END-STREAM';
const TARGET_RSS_BYTES = 600 * 1000 * 1000;
const TARGET_IDLE_CPU_PCT = 2;
const TARGET_START_MS = 300;
const TIMEOUT_MS = 60_000;

type Kind = 'terminal' | 'conversation';

/** One session the benchmark started, and its devices once joined. */
interface BenchSession {
  name: string;
  kind: Kind;
  id: string;
  url: string;
  devices: Array<NodeDevice | ConversationDevice>;
}

/** Every device has its session's first screen: a shell prompt, or an idle agent. */
function ready(d: NodeDevice | ConversationDevice): boolean {
  return d instanceof NodeDevice ? d.live && d.renderedChars > 0 : d.live && d.status === 'idle';
}

/** Samples the host's RSS every RSS_SAMPLE_MS until stopped. */
function rssSampler(host: HostProcess): { stop(): number[] } {
  const values: number[] = [];
  const take = (): void => {
    const v = host.rss();
    if (v !== null) values.push(v);
  };
  take();
  const timer = setInterval(take, RSS_SAMPLE_MS);
  timer.unref(); // a benchmark that fails midway must not be kept alive by its sampler
  return {
    stop() {
      clearInterval(timer);
      take();
      return values;
    },
  };
}

/** Which agent session `i` runs: shells and agents alternate. */
function agentOf(i: number): { agent: string; kind: Kind } {
  return i % 2 === 0 ? { agent: 'shell', kind: 'terminal' } : { agent: 'acp', kind: 'conversation' };
}

/** The session the host reported starting as `bench-<i>`. */
function startedSession(host: HostProcess, i: number): BenchSession {
  const name = `bench-${i}`;
  const event = host.events.find((e) => e.event === 'session-started' && e.name === name);
  if (!event) throw new Error(`no session-started event for ${name}`);
  return { name, kind: agentOf(i).kind, id: String(event.sessionId), url: String(event.url), devices: [] };
}

/** Starts sessions `from`…`to - 1` from the list one by one, timing each (intent sent → its row in the list, and → the reply). */
async function startTimed(
  list: ListDevice,
  host: HostProcess,
  from: number,
  to: number,
): Promise<{ sessions: BenchSession[]; rows: Record<Kind, number[]>; replies: Record<Kind, number[]> }> {
  const rows: Record<Kind, number[]> = { terminal: [], conversation: [] };
  const replies: Record<Kind, number[]> = { terminal: [], conversation: [] };
  for (let i = from; i < to; i++) {
    const name = `bench-${i}`;
    const t0 = performance.now();
    const reply = await withTimeout(list.startSession(name, agentOf(i).agent), TIMEOUT_MS, `the reply to starting ${name}`);
    if (!reply.ok) throw new Error(`starting ${name} was refused: ${reply.error.code} ${reply.error.message}`);
    replies[agentOf(i).kind].push(performance.now() - t0);
    await list.until(() => list.rowSeenAt.has(name), TIMEOUT_MS, `${name}'s row in the list`);
    rows[agentOf(i).kind].push(list.rowSeenAt.get(name)! - t0);
  }
  return { sessions: range(from, to).map((i) => startedSession(host, i)), rows, replies };
}

/** Starts sessions `from`…`to - 1` from the list all at once; resolves with them and how long it took. */
async function startAtOnce(list: ListDevice, host: HostProcess, from: number, to: number): Promise<{ sessions: BenchSession[]; ms: number }> {
  const t0 = performance.now();
  const replies = await withTimeout(
    Promise.all(range(from, to).map((i) => list.startSession(`bench-${i}`, agentOf(i).agent))),
    TIMEOUT_MS,
    `${to - from} sessions to start`,
  );
  for (const r of replies) if (!r.ok) throw new Error(`a session start was refused: ${r.error.code} ${r.error.message}`);
  return { sessions: range(from, to).map((i) => startedSession(host, i)), ms: performance.now() - t0 };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

/** Joins DEVICES_PER_SESSION devices to each of `sessions` at once; resolves when all show their first screen. */
async function joinDevices(sessions: BenchSession[], pacer: JoinPacer): Promise<number> {
  await pacer.take(sessions.length * DEVICES_PER_SESSION);
  const t0 = performance.now();
  for (const s of sessions) {
    for (let j = 0; j < DEVICES_PER_SESSION; j++) {
      const name = `${s.name}-d${j + 1}`;
      s.devices.push(s.kind === 'terminal' ? new NodeDevice(s.url, name).start() : new ConversationDevice(s.url, name).start());
    }
  }
  await Promise.all(sessions.flatMap((s) => s.devices.map((d, j) => d.until(() => ready(d), TIMEOUT_MS, `${s.name} device ${j + 1}'s first screen`))));
  return performance.now() - t0;
}

/**
 * The list's update latency: a prompt turns an agent's session 'working'; how much later does the list
 * say so? Takes LIST_SAMPLES samples, and more while `msLeft()` (the wait for the next join window) allows.
 */
async function listLatency(list: ListDevice, sessions: BenchSession[], msLeft: () => number): Promise<{ afterDevice: number[]; afterPrompt: number[] }> {
  const agents = sessions.filter((s) => s.kind === 'conversation' && s.devices.length > 0);
  const afterDevice: number[] = [];
  const afterPrompt: number[] = [];
  for (let k = 0; k < LIST_SAMPLES || (k < LIST_SAMPLES_MAX && msLeft() > LIST_SAMPLE_MS); k++) {
    const s = agents[k % agents.length]!;
    const d = s.devices[0] as ConversationDevice;
    await list.until(() => list.state(s.id) === 'idle', TIMEOUT_MS, `${s.name} idle in the list`);
    let seenOnDevice = 0;
    let seenInList = 0;
    const t0 = performance.now();
    const reply = d.prompt('stream 20 10');
    await Promise.all([
      d.until(() => d.status === 'working', TIMEOUT_MS, `${s.name} working on its device`).then(() => (seenOnDevice = performance.now())),
      list.until(() => list.state(s.id) === 'working', TIMEOUT_MS, `${s.name} working in the list`).then(() => (seenInList = performance.now())),
    ]);
    afterDevice.push(seenInList - seenOnDevice);
    afterPrompt.push(seenInList - t0);
    await withTimeout(reply, TIMEOUT_MS, 'the prompt reply');
    await d.until(() => d.status === 'idle', TIMEOUT_MS, `${s.name}'s turn to end`);
  }
  return { afterDevice, afterPrompt };
}

/** Resolves once the host reported `n` session devices leaving (device-left events of sessions). */
async function devicesLeft(host: HostProcess, n: number): Promise<void> {
  const deadline = performance.now() + TIMEOUT_MS;
  const left = (): number => host.events.filter((e) => e.event === 'device-left' && e.sessionId !== null).length;
  while (left() < n) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw new Error(`timed out waiting for ${n} devices to leave (${left()} left)`);
    await host.waitForAnyEvent(host.events.length, remaining);
  }
}

/** Every session streams at once; resolves when every device has received all of it, with when each kind's devices were done (ms). */
async function streamAll(sessions: BenchSession[]): Promise<Record<Kind, number[]>> {
  const done: Array<Promise<unknown>> = [];
  const finished: Record<Kind, number[]> = { terminal: [], conversation: [] };
  const t0 = performance.now();
  for (const s of sessions) {
    const marks = s.devices.map((d) => (d instanceof NodeDevice ? d.renderedChars : d.chunks.series));
    s.devices.forEach((d, j) => {
      const mark = marks[j]!;
      const what = `${s.name} device ${j + 1} to receive the whole stream`;
      const received =
        d instanceof NodeDevice
          ? d.until(() => d.textSince(mark).includes(STREAM_END), TIMEOUT_MS, what)
          : d.until(() => d.chunks.series > mark && d.chunks.count >= ACP_CHUNKS, TIMEOUT_MS, what);
      done.push(received.then(() => finished[s.kind].push(performance.now() - t0)));
    });
    const first = s.devices[0]!;
    const sent = first instanceof NodeDevice ? first.client.sendIntent({ type: 'input', data: SHELL_STREAM }) : first.prompt(ACP_STREAM);
    done.push(
      sent.then((r) => {
        if (!r.ok) throw new Error(`${s.name} refused the stream: ${r.error.code}`);
      }),
    );
  }
  await Promise.all(done);
  return finished;
}

/** Runs the benchmark. */
export async function benchServerMode(): Promise<BenchResult> {
  const host = await HostProcess.start([], {
    flags: ['--agent', SCRIPTED_AGENT, '--allow-agent', 'shell', '--no-create-session-in-dir'],
    env: { SHELL: '/bin/sh', PS1: '$ ' },
    label: `server mode, ${SESSIONS} sessions`,
  });
  const pacer = new JoinPacer();
  const list = new ListDevice(String(host.events.find((e) => e.event === 'ready')!.serverUrl));
  let sessions: BenchSession[] = [];
  const notes: string[] = [];
  try {
    await pacer.take(1);
    list.start();
    await list.until(() => list.live, TIMEOUT_MS, 'the list device live');
    const rssEmpty = host.rss() ?? NaN;

    // Devices join in waves that each fit the signal server's join rate limit, between the other
    // steps, so that little time goes to waiting for the limiter's window.
    const waves: Array<{ sessions: number; ms: number }> = [];
    const join = async (group: BenchSession[]): Promise<void> => {
      waves.push({ sessions: group.length, ms: await joinDevices(group, pacer) });
    };
    const timed = await startTimed(list, host, 0, TIMED_STARTS);
    sessions = [...timed.sessions];
    await join(timed.sessions);
    const rest = await startAtOnce(list, host, TIMED_STARTS, SESSIONS);
    sessions.push(...rest.sessions);
    const rssSessions = host.rss() ?? NaN;
    await join(rest.sessions.slice(0, SESSIONS_PER_WAVE));
    // While the last wave waits for its join window: the agent's own startup, then the list's latency.
    const agentStartups: number[] = [];
    for (let i = 0; i < AGENT_STARTUP_SAMPLES; i++) agentStartups.push((await timeAgentStartup(SCRIPTED_AGENT.slice('acp:'.length), tmpdir())).sessionReady);
    const latency = await listLatency(list, sessions, () => pacer.msToNextWindow);
    await join(rest.sessions.slice(SESSIONS_PER_WAVE));

    await sleep(SETTLE_MS);
    const children = processTree(host.pid).filter((p) => p !== host.pid);
    const idleRss = rssSampler(host);
    const idleCpu = cpuWindow(host.pid);
    const idleThreads0 = threadCpu(host.pid);
    const idleChildren0 = treeCpu(children);
    await sleep(IDLE_MS);
    const idle = idleCpu.stop();
    const idleThreads = busiestThreads(idleThreads0, threadCpu(host.pid), idle.wallSeconds);
    const idleChildrenPct = (100 * cpuUsedBetween(idleChildren0, treeCpu(children))) / idle.wallSeconds;
    const idleRssValues = idleRss.stop();
    const rssIdle = percentile(idleRssValues, 50);
    const rssTree = treeRss(processTree(host.pid));

    const streamRss = rssSampler(host);
    const streamCpu = cpuWindow(host.pid);
    const streamThreads0 = threadCpu(host.pid);
    const streamChildren0 = treeCpu(children);
    const streamOwn = ownCpuWindow();
    const finished = await streamAll(sessions);
    const streaming = streamCpu.stop();
    const streamDevicesPct = streamOwn.stop().percent;
    const streamThreads = busiestThreads(streamThreads0, threadCpu(host.pid), streaming.wallSeconds);
    const streamChildrenPct = (100 * cpuUsedBetween(streamChildren0, treeCpu(children))) / streaming.wallSeconds;
    const rssPeak = Math.max(...streamRss.stop());

    // The same sessions with no devices: is the idle cost the sessions' or the connections'?
    for (const d of sessions.flatMap((x) => x.devices.splice(0))) d.close();
    await devicesLeft(host, SESSIONS * DEVICES_PER_SESSION);
    await sleep(SETTLE_MS);
    const bareCpu = cpuWindow(host.pid);
    await sleep(BARE_IDLE_MS);
    const bare = bareCpu.stop();

    const start = { terminal: summarize(timed.rows.terminal), conversation: summarize(timed.rows.conversation) };
    const lat = summarize(latency.afterDevice);
    const latPrompt = summarize(latency.afterPrompt);
    const connections = SESSIONS * DEVICES_PER_SESSION + 1;
    const agentAlone = percentile(agentStartups, 50);
    const devices = SESSIONS * DEVICES_PER_SESSION;
    notes.push(
      `server mode: host RSS ${mib(rssEmpty)} with the list only → ${mib(rssSessions)} with ${SESSIONS} sessions → ${mib(rssIdle)} with ${devices} devices; ` +
        `the whole process tree (host, ${SESSIONS / 2} agents, ${SESSIONS / 2} shells) ${mib(rssTree)}`,
      `server mode: ${devices} devices joined in waves (the signal server allows 30 joins per address per 10 s; all come from 127.0.0.1): ` +
        `${waves.map((w) => `${w.sessions * DEVICES_PER_SESSION} in ${ms(w.ms)}`).join(', ')}; ` +
        `${ms(pacer.waitedMs)} spent waiting for the rate-limit window`,
      `server mode: host CPU idle by thread: ${idleThreads} (${connections} WebRTC connections: ${(idle.percent / connections).toFixed(3)} % each); while streaming: ${streamThreads}`,
      `server mode: idle, the agents and shells used ${pct(idleChildrenPct)} CPU; streaming (every agent \`${ACP_STREAM}\`, every shell 200 lines) reached all ${devices} devices in ` +
        `${ms(streaming.wallSeconds * 1000)} (about 2 s of content; agents' devices done p50 ${ms(percentile(finished.conversation, 50))}, shells' p50 ${ms(percentile(finished.terminal, 50))}); ` +
        `meanwhile the agents and shells used ${pct(streamChildrenPct)} CPU and the ${devices} devices (this process) ${pct(streamDevicesPct)}`,
      `server mode: starting a session, intent → its reply p50 ${ms(percentile(timed.replies.terminal, 50))} (shell), ${ms(percentile(timed.replies.conversation, 50))} (agent): ` +
        `the host adds the row and replies once the agent has answered session/new; the other ${SESSIONS - TIMED_STARTS} sessions started at once in ${ms(rest.ms)}; ` +
        `the scripted agent alone (node + tsx, no tether) takes ${ms(agentAlone)} (p50 of ${agentStartups.length}) from spawn to its session/new reply`,
      `server mode: list update latency from the prompt: p50 ${ms(latPrompt.p50)}; the host refreshes a session's row at most every 100 ms after its document changes (LIST_REFRESH_MS in host/session-server.ts)`,
    );
    return {
      rows: [
        {
          benchmark: `Server: ${SESSIONS} sessions × ${DEVICES_PER_SESSION} devices, host RSS idle`,
          figure: mib(rssIdle),
          target: '≤ 600 MB (572 MiB)',
          met: rssIdle <= TARGET_RSS_BYTES,
        },
        { benchmark: '  host RSS while all stream', figure: `peak ${mib(rssPeak)}`, target: '≤ 600 MB (572 MiB)', met: rssPeak <= TARGET_RSS_BYTES },
        { benchmark: `  host CPU idle (${IDLE_MS / 1000} s)`, figure: `${pct(idle.percent)} of a core`, target: `< ${TARGET_IDLE_CPU_PCT} %`, met: idle.percent < TARGET_IDLE_CPU_PCT },
        { benchmark: '  host CPU idle, the devices gone', figure: `${pct(bare.percent)} of a core (${SESSIONS} sessions, 1 list device)`, target: '(reported)', met: null },
        { benchmark: '  host CPU while all stream', figure: `${pct(streaming.percent)} of a core`, target: '(reported)', met: null },
        {
          benchmark: `Start a session from the list, shell (n=${start.terminal.n})`,
          figure: `p50 ${ms(start.terminal.p50)} · max ${ms(start.terminal.max)}`,
          target: `p50 ≤ ${TARGET_START_MS} ms`,
          met: start.terminal.p50 <= TARGET_START_MS,
        },
        {
          benchmark: `Start a session from the list, ACP agent (n=${start.conversation.n})`,
          figure: `p50 ${ms(start.conversation.p50)} · max ${ms(start.conversation.max)}`,
          target: `p50 ≤ ${TARGET_START_MS} ms`,
          met: start.conversation.p50 <= TARGET_START_MS,
        },
        { benchmark: '  reference: the scripted agent alone', figure: `${ms(agentAlone)} spawn → session/new`, target: '', met: null },
        { benchmark: `List update latency (n=${lat.n})`, figure: `p50 ${ms(lat.p50)} · max ${ms(lat.max)}`, target: '(reported)', met: null },
      ],
      notes,
    };
  } finally {
    for (const s of sessions) for (const d of s.devices) d.close();
    list.close();
    await host.stop();
  }
}
