/**
 * Full joins under load: 50 Node devices (real WebRTC) start joining one host (real CLI, `cat`) at the
 * same moment; each is timed from start to live. What a signal server and a host see when a whole team
 * opens the link at once.
 */
import { HostProcess } from './host-process.js';
import { NodeDevice } from './node-device.js';
import type { BenchResult } from './report.js';
import { ms, summarize } from './stats.js';

const DEVICES = 50;
const JOIN_TIMEOUT_MS = 60_000;

/** Runs the benchmark. */
export async function benchWebRtcJoins(): Promise<BenchResult> {
  const host = await HostProcess.start(['cat']);
  const devices: NodeDevice[] = [];
  const times: number[] = [];
  let all = Number.NaN;
  try {
    const t0 = performance.now();
    for (let i = 0; i < DEVICES; i++) devices.push(new NodeDevice(host.url, `bench-team-${i}`).start());
    await Promise.all(devices.map(async (d) => {
      await d.until(() => d.live, JOIN_TIMEOUT_MS, 'live');
      times.push(performance.now() - t0);
    }));
    all = performance.now() - t0;
  } finally {
    for (const d of devices) d.close();
    await host.stop();
  }
  const t = summarize(times);
  const retried = devices.filter((d) => d.errors.length > 0).length;
  return {
    rows: [{ benchmark: `WebRTC joins, ${DEVICES} devices at once`, figure: `p50 ${ms(t.p50)} · p99 ${ms(t.p99)} · all ${ms(all)}`, target: 'reported', met: null }],
    notes: retried > 0 ? [`webrtc joins: ${retried} device(s) retried (${[...new Set(devices.flatMap((d) => d.errors))].join(', ')})`] : [],
  };
}
