/**
 * Opening milestones (signaling socket open, challenge, offer, answer, data channel, hello, first sync,
 * view code, view built) as performance marks named `tether:<name>`, so a benchmark can show where the
 * time to the first screen goes. Each name is marked once per process: reconnects add nothing.
 */

const marked = new Set<string>();

/** Marks `tether:<name>` the first time it is reached in this process (page). */
export function milestone(name: string): void {
  if (marked.has(name)) return;
  marked.add(name);
  // Absent from very old runtimes: the milestone is only lost.
  globalThis.performance?.mark?.(`tether:${name}`);
}
