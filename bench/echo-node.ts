/**
 * Keystroke→echo round trip, Node client: one character sent as an `input` intent to a host running
 * `cat` (the PTY's line discipline echoes it at once), timed until the echo is rendered from the
 * replica. Also times the intent's reply, which makes the same round trip without output batching.
 */
import { HostProcess } from './host-process.js';
import { NodeDevice } from './node-device.js';
import type { BenchResult } from './report.js';
import { ms, summarize } from './stats.js';
import { withTimeout } from './wait.js';

const WARMUP = 20;
const KEYSTROKES = 300;
const TARGET_P50_MS = 3;
const TARGET_P99_MS = 10;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** Long enough to ride out a reconnect (the client's connect timeout is 15 s). */
const KEYSTROKE_TIMEOUT_MS = 25_000;

/** Echo and reply times of `keystrokes` keys typed into `cat` by a live device, and the disrupted ones. */
export async function measureEcho(device: NodeDevice, keystrokes = KEYSTROKES): Promise<{ echo: number[]; ack: number[]; disrupted: number[] }> {
  const echo: number[] = [];
  const ack: number[] = [];
  /** Keystrokes during which the connection dropped: reported, not mixed into the percentiles. */
  const disrupted: number[] = [];
  for (let i = 0; i < WARMUP + keystrokes; i++) {
    // No newline is sent: 320 characters stay well within the line discipline's 4 KiB line buffer.
    const ch = LETTERS[i % LETTERS.length]!;
    const mark = device.renderedChars;
    const errorsBefore = device.errors.length;
    const t0 = performance.now();
    let tAck = 0;
    const reply = device.client.sendIntent({ type: 'input', data: ch }).then((r) => {
      tAck = performance.now();
      return r;
    });
    await device.until(() => device.textSince(mark).includes(ch), KEYSTROKE_TIMEOUT_MS, `echo of keystroke ${i}`);
    const tEcho = performance.now();
    const r = await withTimeout(reply, KEYSTROKE_TIMEOUT_MS, `the reply to keystroke ${i}`);
    if (!r.ok) throw new Error(`input intent rejected: ${r.error.code}`);
    if (device.errors.length > errorsBefore) {
      disrupted.push(tEcho - t0);
    } else if (i >= WARMUP) {
      echo.push(tEcho - t0);
      ack.push(tAck - t0);
    }
  }
  return { echo, ack, disrupted };
}

/** Runs the benchmark. */
export async function benchEchoNode(): Promise<BenchResult> {
  const host = await HostProcess.start(['cat']);
  const device = new NodeDevice(host.url, 'bench-echo').start();
  let echo: number[] = [];
  let ack: number[] = [];
  let disrupted: number[] = [];
  try {
    await device.until(() => device.live, KEYSTROKE_TIMEOUT_MS, 'live');
    ({ echo, ack, disrupted } = await measureEcho(device));
  } finally {
    device.close();
    await host.stop();
  }
  const e = summarize(echo);
  const a = summarize(ack);
  return {
    rows: [
      {
        benchmark: `Echo, Node client (n=${e.n})`,
        figure: `p50 ${ms(e.p50)} · p99 ${ms(e.p99)}`,
        target: `p50 ≤ ${TARGET_P50_MS} ms · p99 ≤ ${TARGET_P99_MS} ms`,
        met: e.p50 <= TARGET_P50_MS && e.p99 <= TARGET_P99_MS,
      },
      {
        benchmark: '  intent→reply RTT, Node (diagnostic)',
        figure: `p50 ${ms(a.p50)} · p99 ${ms(a.p99)}`,
        target: '',
        met: null,
      },
    ],
    notes: [
      `echo (Node): min ${ms(e.min)}, mean ${ms(e.mean)}, max ${ms(e.max)}; reply RTT min ${ms(a.min)}, max ${ms(a.max)}`,
      ...(disrupted.length > 0
        ? [`echo (Node): the connection dropped during ${disrupted.length} keystroke(s) (client errors: ${device.errors.join(', ')}); their echo took ${disrupted.map(ms).join(', ')} and is left out of the percentiles`]
        : []),
    ],
  };
}
