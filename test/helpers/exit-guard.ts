/**
 * Loaded with `--import` into every test file's process by `npm test`: a file whose tests have all ended
 * must also exit. Two files (audit-log, conversation-history) were each seen once alive until the 120 s
 * file limit after every test and hook had passed. The CLI exits explicitly once it has shut down
 * (host/main.ts); this does the same for a test file, 10 s after its last test, with the status its tests
 * gave it, and says what was still open: handles JavaScript can see (timers, sockets, servers, child
 * processes), WebRTC connections never closed (host/node-webrtc.ts counts them), or, when there is none of
 * those, a native handle (libdatachannel's threads report to Node through handles JavaScript cannot see).
 * What it names is a lead to follow, not a failure: such a file passed before, once the handle let go.
 */
import { after } from 'node:test';

/** How long a finished test file may take to exit by itself. */
const EXIT_WITHIN_MS = 10_000;

/** `process._getActiveHandles`: Node's list of the handles keeping the loop alive (not in its types). */
type HandleLister = () => object[];

// Only in a test file's own process (node --test starts each with this set), not in the runner.
if (process.env.NODE_TEST_CONTEXT) {
  after(() => {
    const timer = setTimeout(() => {
      const stdio = new Set<unknown>([process.stdin, process.stdout, process.stderr]);
      const listHandles = (process as unknown as { _getActiveHandles: HandleLister })._getActiveHandles;
      // Timers are not handles to Node: they are counted from its resource list (this one is unref'd, so not in it).
      const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate');
      // A WebRTC connection nobody closed is held natively too, but it is ours (host/node-webrtc.ts counts them).
      const peers = (globalThis as Record<symbol, (() => number) | undefined>)[Symbol.for('tether.openPeerConnections')]?.() ?? 0;
      const open = [
        ...listHandles.call(process).filter((h) => !stdio.has(h)).map((h) => h.constructor?.name ?? typeof h),
        ...timers,
        ...(peers > 0 ? [`${peers} WebRTC connection(s) never closed`] : []),
      ];
      const what = open.length > 0 ? `these were still open: ${open.join(', ')}` : `only a native handle kept the process alive (resources: ${process.getActiveResourcesInfo().join(', ')})`;
      process.stderr.write(`exit guard: the tests ended ${EXIT_WITHIN_MS} ms ago; ${what}; exiting\n`);
      process.exit();
    }, EXIT_WITHIN_MS);
    // The guard itself must never keep a file alive that would exit on its own.
    timer.unref();
  });
}
