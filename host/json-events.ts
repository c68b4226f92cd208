/**
 * `--json`: one JSON object per line on stdout, the contract for scripts and tests (README "--json events"):
 * ready, session-started, session-ended (and session-exited for terminal programs), session-removed,
 * device-joined, device-left, device-waiting, device-paired, device-revoked, error.
 */
import type { SessionServer } from './session-server.js';
import type { HostedSession } from './hosted-session.js';
import { readConversationMeta, readConversationState } from '../protocol/conversation-doc.js';
import { readTerminal } from '../protocol/terminal-doc.js';
import type { TetherError } from '../protocol/errors.js';

/** The `error` event for a failure: code, message, what the agent said, and its login methods when it needs a login. */
export function errorEventLine(err: TetherError, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ event: 'error', code: err.code, message: err.message, detail: err.detail, ...extra }) + '\n';
}

/** The command a session runs, as its document records it. */
function commandOf(session: HostedSession): string {
  return session.kind === 'terminal' ? readTerminal(session.writer.view).command : readConversationMeta(session.writer.view).command;
}

/** Writes the server's events as JSON lines. */
export function attachJsonEvents(server: SessionServer, out: NodeJS.WritableStream): void {
  // `ready` is always the first line: events from starting the first session wait for it.
  let held: string[] | null = [];
  const write = (event: string, fields: object): void => {
    const line = JSON.stringify({ event, ...fields }) + '\n';
    if (held && event !== 'ready') held.push(line);
    else out.write(line);
  };
  server.on('ready', (r) => {
    write('ready', {
      // The session started in the folder, when there is one; else the session list.
      url: r.first?.url ?? r.serverUrl,
      sessionId: r.first?.id ?? null,
      serverUrl: r.serverUrl,
      signal: r.signal,
      listening: r.listening,
      name: r.first?.name ?? r.name,
      command: r.first ? commandOf(r.first.session) : null,
      kind: r.first?.session.kind ?? null,
      spawn: server.spawn,
    });
    for (const line of held ?? []) out.write(line);
    held = null;
  });
  server.on('session-started', (s) => write('session-started', { sessionId: s.id, name: s.name, url: s.url, agent: s.agent, kind: s.session.kind, folder: s.folder, branch: s.worktree?.branch ?? null }));
  server.on('session-ended', (s, e) => {
    const state = s.session.kind === 'conversation' ? readConversationState(s.session.writer.view) : null;
    write('session-ended', {
      sessionId: s.id,
      name: s.name,
      exitCode: e.exitCode,
      signal: e.signal ?? null,
      reason: e.reason,
      code: e.error?.code ?? null,
      detail: e.error?.detail ?? state?.endedDetail ?? null,
      stderrTail: state?.stderrTail ?? null,
      login: state?.login ?? null,
    });
  });
  // The terminal-sharing contract: a terminal program's exit, with its code.
  server.on('session-ended', (s, e) => {
    if (s.session.kind === 'terminal' && (e.exitCode !== null || e.signal)) write('session-exited', { sessionId: s.id, exitCode: e.exitCode, signal: e.signal ?? null });
  });
  server.on('session-removed', (s) => write('session-removed', { sessionId: s.id, name: s.name }));
  server.on('device-joined', (s, d) =>
    write('device-joined', { sessionId: s?.id ?? null, peerId: d.peerId, deviceId: d.deviceId, name: d.name, kind: d.kind, role: d.role, path: d.path ?? null, devices: (s?.session ?? server.list).core.subscriberCount }),
  );
  server.on('device-left', (s, d) => write('device-left', { sessionId: s?.id ?? null, peerId: d.peerId, deviceId: d.deviceId, devices: (s?.session ?? server.list).core.subscriberCount }));
  server.on('warning', (err) => write('error', { code: err.code, message: err.message }));
  // Trust: answer a waiting device with `tether devices allow|deny <deviceId>` (control socket).
  server.trust.on('waiting', (d) => write('device-waiting', { deviceId: d.deviceId, name: d.name, kind: d.kind, role: d.role }));
  server.trust.on('paired', (d) => write('device-paired', { deviceId: d.deviceId, name: d.name, kind: d.kind, role: d.role }));
  server.trust.on('revoked', (d, by) => write('device-revoked', { deviceId: d.deviceId, name: d.name, by: by.deviceId === 'local' || by.deviceId === 'control' ? by.name : by.deviceId }));
}
