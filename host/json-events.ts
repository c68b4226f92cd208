/**
 * `--json`: one JSON object per line on stdout, the contract for scripts and tests (see README):
 * ready, device-joined, device-left, session-exited, agent-exited.
 */
import type { RemoteControl } from './remote-control.js';

/** Writes the host's events as JSON lines. */
export function attachJsonEvents(host: RemoteControl, out: NodeJS.WritableStream): void {
  const write = (event: string, fields: object): void => {
    out.write(JSON.stringify({ event, ...fields }) + '\n');
  };
  host.on('ready', (r) => write('ready', { sessionId: r.sessionId, url: r.url, signal: r.signal, name: r.name, command: r.command, kind: r.kind }));
  host.on('device-joined', (d) => write('device-joined', d));
  host.on('device-left', (d) => write('device-left', d));
  host.on('session-exited', (e) => write('session-exited', { exitCode: e.exitCode, signal: e.signal }));
  host.on('agent-exited', (e) => write('agent-exited', { exitCode: e.code, signal: e.signal, stderrTail: e.stderrTail }));
}
