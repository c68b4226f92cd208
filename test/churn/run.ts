/**
 * `npm run churn [-- --cycles N] [-- --probe]`: the long device churn (default 10,000 join/leave cycles)
 * against a real streaming host; prints the host's RSS and threads as it goes and the growth after warm-up,
 * and exits 1 if the host died or grew more than 10 MB over the last 90 % of the cycles. With --probe each
 * sample also says where the host's memory is after a forced collection (V8 live data, V8 reserved, the rest).
 */
import { parseArgs } from 'node:util';
import { runChurn, type ChurnSample } from './churn-run.js';

const { values } = parseArgs({ options: { cycles: { type: 'string' }, probe: { type: 'boolean' } } });
const cycles = Number(values.cycles ?? 10_000);
const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
/** The heap split of a probed sample, in one line. */
function split(s: ChurnSample): string {
  const h = s.heap;
  if (!h) return '';
  const old = h.spaces.old_space;
  const code = h.spaces.code_space;
  const outsideV8 = h.anonymous === null ? '?' : (h.anonymous - h.heapTotal).toFixed(1);
  return `; after GC: V8 live ${h.heapUsed} MB (old space ${old?.used ?? '?'} of ${old?.size ?? '?'}, code ${code?.used ?? '?'} of ${code?.size ?? '?'}), V8 reserved ${h.heapTotal} MB, external ${h.external} MB, anonymous outside V8 ${outsideV8} MB`;
}
const result = await runChurn(cycles, {
  sampleEvery: Math.max(1, Math.floor(cycles / 50)),
  warmup: Math.floor(cycles / 10),
  probe: values.probe === true,
  onProgress: (s) => process.stdout.write(`cycle ${s.cycle}: host RSS ${mb(s.rssBytes)} (anonymous ${mb(s.anonBytes)}), ${s.threads} threads${split(s)}\n`),
});
const limit = 10 * 1024 * 1024;
process.stdout.write(
  `\n${result.cycles} cycles in ${result.seconds.toFixed(0)} s; host alive: ${result.hostAlive}; RSS growth over the last ${cycles - Math.floor(cycles / 10)} cycles: ${mb(result.growthBytes)} (limit ${mb(limit)}; anonymous ${mb(result.anonGrowthBytes)}); joins that needed a retry: ${result.retriedJoins}\n`,
);
for (const [reason, count] of [...result.retryReasons].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${count} × ${reason}\n`);
process.exit(result.hostAlive && result.growthBytes <= limit ? 0 : 1);
