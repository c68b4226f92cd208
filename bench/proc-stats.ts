/**
 * CPU time and memory of a process and of its whole process tree, read from /proc (Linux), so a
 * benchmark can tell the host's own cost from the cost of the agents and shells it runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { processRss } from './host-process.js';

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ is 100 on Linux). */
const USER_HZ = 100;

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces), or null once gone. */
function statFields(pid: number): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return null;
    throw err;
  }
  // Field 3 (state) onwards: index 0 = state, 1 = ppid, 11 = utime, 12 = stime.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds (user + system) a process used so far, or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / USER_HZ : null;
}

/** `pid` and all its descendants that are alive now. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** CPU seconds of each process of a tree (pid → seconds); processes that ended are missing. */
export function treeCpu(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const s = cpuSeconds(pid);
    if (s !== null) out.set(pid, s);
  }
  return out;
}

/** CPU seconds used between two treeCpu readings (processes that started in between count from 0). */
export function cpuUsedBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}

/** Sum of the RSS of the given processes (bytes). Shared pages are counted once per process. */
export function treeRss(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += processRss(pid) ?? 0;
  return total;
}

/** CPU use of one process over a window: call stop() at its end. */
export interface CpuWindow {
  /** Seconds of CPU per second of wall time, as a percentage of one core. */
  stop(): { percent: number; cpuSeconds: number; wallSeconds: number };
}

/** Starts measuring `pid`'s CPU use. */
export function cpuWindow(pid: number): CpuWindow {
  const c0 = cpuSeconds(pid) ?? NaN;
  const t0 = performance.now();
  return {
    stop() {
      const c1 = cpuSeconds(pid) ?? NaN;
      const wallSeconds = (performance.now() - t0) / 1000;
      const cpu = c1 - c0;
      return { percent: (100 * cpu) / wallSeconds, cpuSeconds: cpu, wallSeconds };
    },
  };
}

/** This process's CPU use over a window (process.cpuUsage: microsecond resolution). */
export function ownCpuWindow(): CpuWindow {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop() {
      const d = process.cpuUsage(c0);
      const wallSeconds = (performance.now() - t0) / 1000;
      const cpu = (d.user + d.system) / 1e6;
      return { percent: (100 * cpu) / wallSeconds, cpuSeconds: cpu, wallSeconds };
    },
  };
}

/** Percent with one decimal. */
export function pct(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} %` : 'n/a';
}

/** CPU seconds of each thread of a process, summed by thread name (/proc/<pid>/task/<tid>/stat). */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // the thread ended meanwhile
      throw err;
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / USER_HZ);
  }
  return out;
}

/** The threads that used the most CPU between two threadCpu readings, as "name 1.2 %" over `seconds`. */
export function busiestThreads(before: Map<string, number>, after: Map<string, number>, seconds: number, top = 4): string {
  const used = [...after].map(([name, s]) => [name, s - (before.get(name) ?? 0)] as const).filter(([, s]) => s > 0);
  used.sort((a, b) => b[1] - a[1]);
  return used.length === 0 ? 'none' : used.slice(0, top).map(([name, s]) => `${name} ${pct((100 * s) / seconds)}`).join(', ');
}

/**
 * CPU seconds the whole machine spent busy so far (every core, every process, the kernel included), from
 * /proc/stat: the difference over a run says what the run cost when several processes share the cores.
 */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: everything but idle and iowait is work.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - fields[3]! - fields[4]!) / USER_HZ;
}
