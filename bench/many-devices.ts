/**
 * Host memory with many devices: the host's RSS (a separate process, from /proc) before and after 20
 * Node devices joined one session running /bin/sh, and after they all left again.
 */
import { HostProcess } from './host-process.js';
import { NodeDevice } from './node-device.js';
import type { BenchResult } from './report.js';
import { mib, ms, percentile } from './stats.js';

const DEVICES = 20;
/** Devices joining at once. */
const BATCH = 5;
/** RSS is the median of this many samples, SAMPLE_GAP_MS apart. */
const SAMPLES = 5;
const SAMPLE_GAP_MS = 100;

async function steadyRss(host: HostProcess): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const value = host.rss();
    if (value === null) throw new Error('the host exited');
    values.push(value);
    await new Promise((r) => setTimeout(r, SAMPLE_GAP_MS));
  }
  return percentile(values, 50);
}

/** Runs the benchmark. */
export async function benchManyDevices(): Promise<BenchResult> {
  const host = await HostProcess.start(['/bin/sh']);
  const devices: NodeDevice[] = [];
  let before = NaN;
  let after = NaN;
  let afterLeft = NaN;
  let joinAllMs = NaN;
  const drops: string[] = [];
  let leaveError: string | null = null;
  try {
    before = await steadyRss(host);
    const t0 = performance.now();
    for (let i = 0; i < DEVICES; i += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, DEVICES - i) }, (_, j) => new NodeDevice(host.url, `bench-many-${i + j}`).start());
      devices.push(...batch);
      await Promise.all(batch.map((d) => d.until(() => d.live && d.renderedChars > 0, 25_000, 'first screen')));
    }
    await host.waitForDevices(DEVICES, 10_000);
    joinAllMs = performance.now() - t0;
    after = await steadyRss(host);
    for (const d of devices) drops.push(...d.errors);
    for (const d of devices.splice(0)) d.close();
    try {
      await host.waitForDevices(0, 10_000);
      afterLeft = await steadyRss(host);
    } catch (err) {
      // Keep the figures measured so far; say what went wrong while the devices left.
      leaveError = (err as Error).message;
    }
  } finally {
    for (const d of devices) d.close();
    await host.stop();
  }
  const perDevice = (after - before) / DEVICES;
  return {
    rows: [
      {
        benchmark: `Host RSS, ${DEVICES} Node devices`,
        figure: `${mib(before)} → ${mib(after)} (+${mib(perDevice)}/device)`,
        target: '(reported)',
        met: null,
      },
      {
        benchmark: '  after all left',
        figure: leaveError ? 'FAILED (see notes)' : mib(afterLeft),
        target: '',
        met: leaveError ? false : null,
      },
    ],
    notes: [
      ...(leaveError ? [`many devices: while the ${DEVICES} devices left at once: ${leaveError}`] : []),
      `many devices: ${DEVICES} joined (in batches of ${BATCH}) in ${ms(joinAllMs)}` +
        (drops.length > 0 ? `; client errors along the way: ${drops.join(', ')}` : ''),
    ],
  };
}
