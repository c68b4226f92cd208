/**
 * Join, Node client: time from creating a SessionClient with the link to its first screen (state
 * 'live' and the shell's prompt rendered), over repeated joins against one host running /bin/sh.
 * Each join's WebRTC milestones are recorded too (webrtc-timeline.ts), to show where the time goes.
 */
import { HostProcess } from './host-process.js';
import { NodeDevice } from './node-device.js';
import type { BenchResult } from './report.js';
import { ms, percentile, summarize } from './stats.js';
import { timedWrtc, type PcTimeline } from './webrtc-timeline.js';
import { nodeWebRtc } from '../host/node-webrtc.js';

/** The signal server allows 30 joins per address per 10 s: stay within it so no join is throttled. */
const JOINS = 30;
const TARGET_P50_MS = 150;
/** A join that hits a retry can take the client's 15 s connect timeout and more. */
const JOIN_TIMEOUT_MS = 25_000;

interface JoinPhases {
  signal: number;
  gather: number;
  answerIce: number;
  dtls: number;
  channelSync: number;
  render: number;
}

/** Median of each phase, as one line. */
function formatPhases(phases: JoinPhases[]): string {
  const med = (k: keyof JoinPhases): string => ms(percentile(phases.map((p) => p[k]), 50));
  return (
    `signaling join ${med('signal')} → ICE gathering (offer) ${med('gather')} → answer + ICE connected ${med('answerIce')} → ` +
    `DTLS ${med('dtls')} → data channel, hello, sync ${med('channelSync')} → first output ${med('render')}`
  );
}

/** Runs the benchmark. */
export async function benchJoinNode(): Promise<BenchResult> {
  const host = await HostProcess.start(['/bin/sh']);
  const samples: number[] = [];
  const phases: JoinPhases[] = [];
  const notes: string[] = [];
  try {
    for (let i = 0; i < JOINS; i++) {
      const pcs: PcTimeline[] = [];
      let liveAt = 0;
      const t0 = performance.now();
      const device = new NodeDevice(host.url, `bench-join-${i}`, timedWrtc(nodeWebRtc, (t) => pcs.push(t))).start();
      device.client.on('state', (state) => {
        if (state === 'live') liveAt ||= performance.now();
      });
      try {
        await device.until(() => device.live && device.renderedChars > 0, JOIN_TIMEOUT_MS, `first screen (join ${i + 1})`);
        const t1 = performance.now();
        samples.push(t1 - t0);
        const pc = pcs[pcs.length - 1];
        if (pcs.length === 1 && pc?.gathered && pc.iceConnected && pc.connected) {
          phases.push({
            signal: pc.created - t0,
            gather: pc.gathered - pc.created,
            answerIce: pc.iceConnected - pc.gathered,
            dtls: pc.connected - pc.iceConnected,
            channelSync: liveAt - pc.connected,
            render: t1 - liveAt,
          });
        }
        if (device.errors.length > 0) {
          notes.push(`join ${i + 1} took ${ms(t1 - t0)} and ${pcs.length} connection attempts; the client reported ${device.errors.join(', ')}`);
        }
      } finally {
        device.close();
      }
      await host.waitForDevices(0, 5000);
    }
  } finally {
    await host.stop();
  }
  const s = summarize(samples);
  return {
    rows: [
      {
        benchmark: `Join, Node client (n=${s.n})`,
        figure: `p50 ${ms(s.p50)} · p95 ${ms(s.p95)}`,
        target: `p50 ≤ ${TARGET_P50_MS} ms`,
        met: s.p50 <= TARGET_P50_MS,
      },
    ],
    notes: [
      `join (Node): first ${ms(samples[0] ?? NaN)}, min ${ms(s.min)}, max ${ms(s.max)}`,
      `join (Node) phases, medians of ${phases.length} single-attempt joins: ${formatPhases(phases)}`,
      ...notes,
    ],
  };
}
