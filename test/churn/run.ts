/**
 * `npm run churn [-- --cycles N]`: the long device churn (default 10,000 join/leave cycles) against a real
 * streaming host; prints the host's RSS and threads as it goes and the growth after warm-up, and exits 1 if
 * the host died or grew more than 10 MB over the last 90 % of the cycles.
 */
import { parseArgs } from 'node:util';
import { runChurn } from './churn-run.js';

const { values } = parseArgs({ options: { cycles: { type: 'string' } } });
const cycles = Number(values.cycles ?? 10_000);
const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
const result = await runChurn(cycles, {
  sampleEvery: Math.max(1, Math.floor(cycles / 50)),
  warmup: Math.floor(cycles / 10),
  onProgress: (s) => process.stdout.write(`cycle ${s.cycle}: host RSS ${mb(s.rssBytes)} (anonymous ${mb(s.anonBytes)}), ${s.threads} threads\n`),
});
const limit = 10 * 1024 * 1024;
process.stdout.write(
  `\n${result.cycles} cycles in ${result.seconds.toFixed(0)} s; host alive: ${result.hostAlive}; RSS growth over the last ${cycles - Math.floor(cycles / 10)} cycles: ${mb(result.growthBytes)} (limit ${mb(limit)}); joins that needed a retry: ${result.retriedJoins}\n`,
);
process.exit(result.hostAlive && result.growthBytes <= limit ? 0 : 1);
