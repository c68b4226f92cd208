/**
 * `npm run faults -- --runs N --seed S [--long] [--max-fault-ms 10000 | --fault-ms N] [--results FILE] [--no-browser] [--probe]`:
 * seeded fault runs against real processes (see fault-env.ts). Run i uses seed S+i; results are appended
 * to FILE as JSON lines, and runs already in FILE are skipped, so a long campaign resumes where it
 * stopped. `--report FILE...` prints the table of earlier results. Exits 1 when anything was lost,
 * doubled, stuck, diverged or left behind. Needs root (network namespaces). `--probe` records the host's V8 live
 * data after a full collection with each run (see test/churn/memory-probe-preload.mjs).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { FaultEnv } from './fault-env.js';
import { runOne, CONV_DEVICES, TERM_DEVICES, type RunResult } from './fault-run.js';
import { FAULT_KINDS, scenarioFor, type FaultKind } from './scenario.js';
import { report } from './report.js';

const { values, positionals } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    long: { type: 'boolean', default: false },
    'max-fault-ms': { type: 'string', default: '10000' },
    'fault-ms': { type: 'string' },
    results: { type: 'string' },
    kinds: { type: 'string' },
    'no-browser': { type: 'boolean', default: false },
    app: { type: 'string' },
    report: { type: 'boolean', default: false },
    probe: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

function readResults(file: string): RunResult[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunResult);
}

const failed = (r: RunResult[]): boolean => r.some((x) => x.lost + x.doubled + x.stuck + x.diverged + x.leftover + (x.crashed ?? 0) > 0);

if (values.report) {
  const all = positionals.flatMap(readResults);
  process.stdout.write(report(all) + '\n');
  process.exit(failed(all) ? 1 : 0);
}

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(values.app ?? join(here, '..'));
const runs = Number(values.runs);
const seed = Number(values.seed);
const kinds = (values.kinds ? values.kinds.split(',') : [...FAULT_KINDS]) as FaultKind[];
const browser = !values['no-browser'] && kinds.includes('page-reload');
const done = values.results ? readResults(values.results) : [];
const doneSeeds = new Set(done.map((r) => r.seed));
const agent = `${process.execPath} --import ${import.meta.resolve('tsx')} ${join(appDir, 'test', 'fixtures', 'scripted-agent.ts')}`;
const tag = `faults-${process.pid}-${Date.now()}`;
const env = new FaultEnv({ appDir, agentCommand: agent, tag, browser, probe: values.probe });
const results: RunResult[] = [];
let stopping = false;
let finishing: Promise<never> | null = null;

/**
 * Stops everything, prints the table and exits — once: a run still under way when Ctrl-C came may fail
 * and ask to finish again, and must not exit the process while the first stop is still ending things.
 */
function finish(code: number): Promise<never> {
  finishing ??= finishOnce(code);
  return finishing;
}

async function finishOnce(code: number): Promise<never> {
  stopping = true;
  await env.stop().catch((err: unknown) => process.stderr.write(`stopping: ${String(err)}\n`));
  // Nothing this suite started may outlive it.
  await new Promise((r) => setTimeout(r, 2000));
  const left = env.taggedProcesses().filter((p) => p !== process.pid);
  const all = [...done, ...results];
  process.stdout.write(`\n${report(all)}\nprocesses left behind at the end: ${left.length}${left.length ? ` (${left.join(' ')})` : ''}\n`);
  process.exit(code || (failed(all) || left.length > 0 ? 1 : 0));
}
// Ctrl-C in a terminal also ends npm and its shell, which closes our stdout: a write then fails with
// EPIPE, which must not crash the runner before it has stopped what it started.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});
process.once('SIGINT', () => void finish(130));
process.once('SIGTERM', () => void finish(143));
// A closed terminal: Chromium's own handlers are off (fault-env.ts), so the runner ends what it started.
process.once('SIGHUP', () => void finish(129));

try {
  await env.start();
  for (const name of TERM_DEVICES) env.fleetSend({ op: 'open', name, url: env.termUrl, conversation: false });
  for (const name of CONV_DEVICES) env.fleetSend({ op: 'open', name, url: env.convUrl, conversation: true });
  for (let i = 0; i < runs && !stopping; i++) {
    const s = seed + i;
    if (doneSeeds.has(s)) continue;
    const sc = scenarioFor(s, { long: values.long, maxFaultMs: Number(values['max-fault-ms']), ...(values['fault-ms'] ? { faultMs: Number(values['fault-ms']) } : {}), kinds: browser ? kinds : kinds.filter((k) => k !== 'page-reload'), convDevices: CONV_DEVICES.length });
    let r: RunResult;
    try {
      r = await runOne(env, sc, values.long);
    } catch (err) {
      // A host that died by itself is a finding, recorded against its seed (a resumed campaign goes on
      // with the next seed on a fresh environment).
      if (!/the host died/.test(String(err))) throw err;
      r = { seed: s, kind: sc.kind, durationMs: sc.durationMs, prompts: 0, lost: 0, doubled: 0, stuck: 0, diverged: 0, leftover: 0, crashed: 1, recoveries: [], hostRssBytes: 0, wallMs: 0, notes: [String(err).slice(0, 2000)] };
      results.push(r);
      if (values.results) appendFileSync(values.results, JSON.stringify(r) + '\n');
      throw err;
    }
    results.push(r);
    if (values.results) appendFileSync(values.results, JSON.stringify(r) + '\n');
    const bad = r.lost + r.doubled + r.stuck + r.diverged + r.leftover > 0;
    process.stdout.write(`seed ${s} ${r.kind} ${r.durationMs} ms: recovery ${r.recoveries.map((x) => x).join(',') || '-'} ms, rss ${(r.hostRssBytes / 1048576).toFixed(0)} MB${r.hostAnonBytes ? ` (anon ${(r.hostAnonBytes / 1048576).toFixed(0)})` : ''}${r.hostV8LiveBytes ? ` V8 live ${(r.hostV8LiveBytes / 1048576).toFixed(1)}` : ''}, ${(r.wallMs / 1000).toFixed(1)} s${bad ? ` PROBLEM lost ${r.lost} doubled ${r.doubled} stuck ${r.stuck} diverged ${r.diverged} leftover ${r.leftover}` : ''}${r.notes.length ? ` [${r.notes.join('; ')}]` : ''}\n`);
  }
  await finish(0);
} catch (err) {
  process.stderr.write(`fault suite failed: ${(err as Error).stack ?? String(err)}\n`);
  await finish(2);
}
