// Loaded into the churn's or fault suite's host with `node --import` (`npm run churn -- --probe`, `npm run faults -- --probe`): on SIGUSR2 it collects
// garbage (the host runs with --expose-gc) and appends one JSON line to TETHER_MEMORY_PROBE_FILE with where
// the host's memory is: V8's heap by space, memory outside V8 (external, array buffers) and anonymous RSS.
// Live data versus garbage versus V8's reserved pages versus native memory is what tells a leak from slack.
// Plain JavaScript: the host runs compiled code, without tsx.
import { appendFileSync, readFileSync } from 'node:fs';
import v8 from 'node:v8';

const file = process.env.TETHER_MEMORY_PROBE_FILE;
if (file) {
  const mb = (bytes) => Math.round((bytes / 1048576) * 100) / 100;
  const anonymous = () => {
    const m = /^Anonymous:\s+(\d+) kB/m.exec(readFileSync(`/proc/${process.pid}/smaps_rollup`, 'utf8'));
    return m ? mb(Number(m[1]) * 1024) : null;
  };
  process.on('SIGUSR2', () => {
    const heapUsedBeforeGc = mb(process.memoryUsage().heapUsed);
    // Twice: the first full collection can leave weakly held objects for the second.
    globalThis.gc?.();
    globalThis.gc?.();
    const u = process.memoryUsage();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: mb(s.space_size), used: mb(s.space_used_size) }]));
    const line = { heapUsedBeforeGc, heapUsed: mb(u.heapUsed), heapTotal: mb(u.heapTotal), external: mb(u.external), arrayBuffers: mb(u.arrayBuffers), rss: mb(u.rss), anonymous: anonymous(), spaces };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
}
