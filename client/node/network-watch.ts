/**
 * Network-change events for Node clients (`tether attach`, the fault suite's devices), which browsers get
 * as `online`: a link that comes back up is noticed within POLL_MS by reading each interface's operstate
 * from /sys/class/net (Linux; elsewhere this does nothing), so a client retries at once instead of at its
 * next backoff step.
 */
import { readdirSync, readFileSync } from 'node:fs';

const POLL_MS = 250;
const SYS = '/sys/class/net';

function states(): Map<string, string> {
  const found = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(SYS);
  } catch (err) {
    // Not Linux (or no sysfs): no interfaces to watch.
    void err;
    return found;
  }
  for (const name of names) {
    if (name === 'lo') continue;
    try {
      found.set(name, readFileSync(`${SYS}/${name}/operstate`, 'utf8').trim());
    } catch (err) {
      void err; // the interface went away while we looked
    }
  }
  return found;
}

/** Calls `onUp` whenever a network interface comes (back) up; returns a function that stops watching. */
export function watchNetwork(onUp: () => void): () => void {
  let last = states();
  if (last.size === 0) return () => {};
  const timer = setInterval(() => {
    const now = states();
    const cameUp = [...now].some(([name, state]) => state === 'up' && last.get(name) !== 'up');
    last = now;
    if (cameUp) onUp();
  }, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
