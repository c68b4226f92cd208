/**
 * A 1 MiB paste into `cat` (16 `input` intents, sent at once as the browser client sends them): the
 * worst /healthz stall on the host while the paste goes through, and how long the paste takes to
 * reach the program. The program is `tee`, cat that keeps a copy, so the bench knows when all arrived.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostProcess } from './host-process.js';
import { NodeDevice } from './node-device.js';
import type { BenchResult } from './report.js';
import { ms } from './stats.js';
import { withTimeout } from './wait.js';
import { asTyped, pasteText, sendPaste, StallWatch } from '../test/helpers/paste.js';

const PASTE_BYTES = 1024 * 1024;
/** The hang bound the tests assert; the bench reports how far below it the host stays. */
const HANG_BOUND_MS = 1000;
const TIMEOUT_MS = 60_000;

/** Runs the benchmark. */
export async function benchPasteStall(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tether-bench-paste-'));
  const file = join(dir, 'pasted.txt');
  const host = await HostProcess.start(['tee', file], { label: 'tee (paste)' });
  const device = new NodeDevice(host.url, 'bench-paste').start();
  const signal = String(host.events.find((e) => e.event === 'ready')!.signal);
  try {
    await device.until(() => device.live, TIMEOUT_MS, 'live');
    const text = pasteText(PASTE_BYTES);
    const bytes = Buffer.byteLength(text);
    const watch = new StallWatch(`${signal}/healthz`, 20);
    const t0 = performance.now();
    const replies = await withTimeout(sendPaste(device.client, asTyped(text, false)), TIMEOUT_MS, 'the paste\'s replies');
    const acked = performance.now() - t0;
    const refused = replies.filter((r) => !r.ok);
    if (refused.length > 0) throw new Error(`${refused.length} intents refused: ${JSON.stringify(refused[0])}`);
    await withTimeout(
      (async () => {
        while (!(existsSync(file) && statSync(file).size >= bytes)) await new Promise((r) => setTimeout(r, 5));
      })(),
      TIMEOUT_MS,
      'the paste to reach the program',
    );
    const arrived = performance.now() - t0;
    const worst = await watch.stop();
    return {
      rows: [
        {
          benchmark: 'Worst /healthz stall during a 1 MiB paste',
          figure: `${ms(worst)} (${watch.answered} requests, ${watch.failures} failed); paste in ${(arrived / 1000).toFixed(2)} s`,
          target: `< ${HANG_BOUND_MS} ms`,
          met: worst < HANG_BOUND_MS && watch.failures === 0,
        },
      ],
      notes: [`paste (1 MiB into tee): ${replies.length} intents acknowledged in ${ms(acked)}, all ${bytes} bytes at the program after ${ms(arrived)} (${(bytes / 1024 / 1024 / (arrived / 1000)).toFixed(2)} MiB/s)`],
    };
  } finally {
    device.close();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
