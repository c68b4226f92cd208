/**
 * `npm run bench`: the issues' loopback benchmarks, one file each, run in turn and printed as one
 * table with the targets beside the figures (printed, not asserted). Each host is the real CLI in a
 * child process, except where a benchmark must see inside the host (chunk latency, the
 * 10,000-message history), which runs the same server in-process. Every wait is bounded; a benchmark
 * that fails is reported and the others still run. Everything is closed at the end so the process
 * exits by itself; if something keeps it alive, the watchdog below names what.
 */
import { cpus, loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { benchJoinNode } from './join-node.js';
import { benchEchoNode } from './echo-node.js';
import { benchThroughput } from './throughput.js';
import { benchManyDevices } from './many-devices.js';
import { benchOpenChromium } from './open-chromium.js';
import { benchEchoChromium } from './echo-chromium.js';
import { benchEchoHops } from './echo-hops.js';
import { benchBurstChromium } from './burst-chromium.js';
import { benchChunkNode } from './chunk-node.js';
import { benchChunkChromium } from './chunk-chromium.js';
import { benchHistoryNode } from './history-node.js';
import { benchHistoryChromium } from './history-chromium.js';
import { benchStreamCpu } from './stream-cpu.js';
import { benchServerMode } from './server-mode.js';
import { benchPasteStall } from './paste-stall.js';
import { benchSessionChurn } from './session-churn.js';
import { benchStartup } from './startup.js';
import { benchRelay } from './relay.js';
import { benchSignalCapacity } from './signal-capacity.js';
import { benchWebRtcJoins } from './webrtc-joins.js';
import { benchDeviceLeave } from './device-leave.js';
import { browserUnavailable, CHROMIUM_PATH, launchChromium } from './chromium.js';
import { formatTable, type BenchResult, type BenchRow } from './report.js';
import { HostProcess } from './host-process.js';

/** How long the process may stay alive after the report before the watchdog names what holds it. */
const EXIT_GRACE_MS = 10_000;

interface Bench {
  name: string;
  run: () => Promise<BenchResult>;
}

/** `npm run bench -- --only TEXT`: run only the benchmarks whose name contains TEXT (case-insensitive). */
function onlyFilter(argv: readonly string[]): string | null {
  const at = argv.indexOf('--only');
  return at >= 0 && argv[at + 1] ? argv[at + 1]!.toLowerCase() : null;
}
const ONLY = onlyFilter(process.argv.slice(2));

async function runAll(benches: Bench[], rows: BenchRow[], notes: string[]): Promise<void> {
  for (const bench of benches) {
    if (ONLY !== null && !bench.name.toLowerCase().includes(ONLY)) continue;
    const t0 = performance.now();
    process.stderr.write(`bench: ${bench.name}…`);
    try {
      const result = await bench.run();
      rows.push(...result.rows);
      notes.push(...result.notes);
      process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      process.stderr.write(' failed\n');
      rows.push({ benchmark: bench.name, figure: 'FAILED (see notes)', target: '', met: false });
      notes.push(`${bench.name} failed: ${(err as Error).message}`);
    }
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = loadavg()[0]!;
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  await runAll(
    [
      { name: 'Startup to the QR code', run: benchStartup },
      { name: 'Join, Node client', run: benchJoinNode },
      { name: 'Echo, Node client', run: benchEchoNode },
      { name: 'Throughput', run: benchThroughput },
      { name: 'Host RSS with many devices', run: benchManyDevices },
      { name: 'Chunk → device, Node client', run: benchChunkNode },
      { name: 'Open 10,000 messages, Node client', run: benchHistoryNode },
      { name: 'Host CPU streaming to 10 devices', run: benchStreamCpu },
      { name: 'Server mode, 32 sessions', run: benchServerMode },
      { name: '1 MiB paste', run: benchPasteStall },
      { name: 'Session start/end × 1,000', run: benchSessionChurn },
      { name: 'Through a TURN relay', run: benchRelay },
      { name: 'Signal server capacity', run: benchSignalCapacity },
      { name: 'WebRTC joins under load', run: benchWebRtcJoins },
    ],
    rows,
    notes,
  );

  const unavailable = browserUnavailable();
  if (unavailable) {
    rows.push({ benchmark: 'Chromium benchmarks', figure: 'skipped (see notes)', target: '', met: null });
    notes.push(`Chromium benchmarks skipped: ${unavailable}`);
  } else {
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      notes.push(`Chromium ${browser.version()} (headless, ${CHROMIUM_PATH})`);
      const b = browser;
      await runAll(
        [
          { name: 'Open, Chromium (join, first screen)', run: () => benchOpenChromium(b) },
          { name: 'Echo, Chromium', run: () => benchEchoChromium(b) },
          { name: 'Echo hops, Chromium keyboard', run: () => benchEchoHops(b) },
          { name: 'Burst and memory, Chromium', run: () => benchBurstChromium(b) },
          { name: 'Chunk → device, Chromium', run: () => benchChunkChromium(b) },
          { name: 'Open 10,000 messages, Chromium', run: () => benchHistoryChromium(b) },
          { name: 'Device leaves the list', run: () => benchDeviceLeave(b) },
        ],
        rows,
        notes,
      );
    } catch (err) {
      rows.push({ benchmark: 'Chromium benchmarks', figure: 'FAILED (see notes)', target: '', met: false });
      notes.push(`Chromium could not start: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      await browser?.close();
    }
  }

  const stops = HostProcess.shutdowns;
  if (stops.length > 0) {
    const slowest = Math.max(...stops.map((x) => x.ms));
    const odd = stops.filter((x) => x.killed || x.exit.signal !== null || x.ms > 2000);
    notes.push(
      `hosts stopped with SIGTERM: ${stops.length}, slowest exit ${slowest.toFixed(0)} ms` +
        (odd.length > 0 ? `; not clean: ${odd.map((x) => `'${x.program}' ${x.killed ? 'needed SIGKILL' : JSON.stringify(x.exit)} after ${x.ms.toFixed(0)} ms`).join('; ')}` : ' (all exited by themselves within 2 s)'),
    );
  }
  for (const crash of HostProcess.crashes) notes.push(`a host running '${crash.program}' died from ${crash.signal}`);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;
  console.log(`\ntether bench · loopback · ${cpus().length} × ${cpu} · Node ${process.version} · ${load}\n`);
  if (loadBefore > 1) console.log(`warning: the machine was busy before the bench started (${load}); figures include that contention\n`);
  console.log(formatTable(rows));
  if (notes.length > 0) console.log(`\nnotes:\n${notes.map((n) => `- ${n}`).join('\n')}`);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (rows.some((r) => r.figure.startsWith('FAILED'))) process.exitCode = 1;

  const watchdog = setTimeout(() => {
    process.stderr.write(
      `bench: still running ${EXIT_GRACE_MS / 1000} s after the report; handles keeping it alive: ` +
        `${JSON.stringify(process.getActiveResourcesInfo().filter((r) => r !== 'Timeout'))}\n`,
    );
    process.exit(1);
  }, EXIT_GRACE_MS);
  watchdog.unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
