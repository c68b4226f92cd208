// Loaded into a benchmark's host with `node --import`: collects the host's echo hops (host/echo-trace.ts)
// in memory and writes them as JSON to TETHER_ECHO_TRACE_FILE when the host exits, so tracing adds no
// file writes while keystrokes are timed. Plain JavaScript: the host runs compiled code, without tsx.
import diagnostics_channel from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const file = process.env.TETHER_ECHO_TRACE_FILE;
if (file) {
  const events = [];
  diagnostics_channel.subscribe('tether:echo-trace', (event) => {
    if (events.length < 200_000) events.push(event);
  });
  process.on('exit', () => writeFileSync(file, JSON.stringify(events)));
}
