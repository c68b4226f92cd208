/**
 * An in-process tether host for integration tests: the real remote-control factory with its embedded
 * signal server on port 0, a real PTY, real WebRTC; plus Node clients that render output exactly as
 * `tether attach` does.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { SessionServer } from '../../host/session-server.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import type { TerminalSession } from '../../host/terminal-session.js';
import type { ConversationSession } from '../../host/conversation-session.js';
import { clientDir } from '../../host/package-paths.js';
import { SessionClient, type SessionClientOptions } from '../../client/core/session-client.js';
import { OutputCursor } from '../../protocol/terminal-doc.js';
import { newId } from '../../protocol/ids.js';
import { waitFor } from './wait-for.js';

/** The session link a test host serves. */
export interface TestReady {
  url: string;
  sessionId: string;
  signal: string;
  /** The server's session list link. */
  serverUrl: string;
}

/** A started host and what the tests need from it. */
export interface TestHost {
  host: SessionServer;
  /** The host's session, when it is a terminal (throws otherwise). */
  terminal: TerminalSession;
  /** The host's session, when it is a conversation (throws otherwise). */
  conversation: ConversationSession;
  ready: TestReady;
  /** Every log line (parsed pino JSON) the host wrote. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Starts a one-session server (`--spawn session`) running `command` (argv after `--`, or ['--agent', X]) on loopback, port 0. */
export async function startTestHost(command: string[], options: { scrollbackChars?: number; cwd?: string; flags?: string[] } = {}): Promise<TestHost> {
  const programArgs = command[0] === '--agent' ? command : ['--', ...command];
  const config = parseCli(['remote-control', 'test', '--local', '--port', '0', '--spawn', 'session', ...(options.flags ?? []), ...programArgs], { ...process.env, PS1: '$ ' }, options.cwd ?? process.cwd()) as RemoteControlCommand;
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const host = new SessionServer(config, { log, wrtc: nodeWebRtc, clientDir: clientDir(), scrollbackChars: options.scrollbackChars });
  const started = await host.start();
  const first = started.first!;
  const ready: TestReady = { url: first.url, sessionId: first.id, signal: started.signal, serverUrl: started.serverUrl };
  return {
    host,
    ready,
    logs,
    get terminal(): TerminalSession {
      if (first.session.kind !== 'terminal') throw new Error('not a terminal session');
      return first.session;
    },
    get conversation(): ConversationSession {
      if (first.session.kind !== 'conversation') throw new Error('not a conversation session');
      return first.session;
    },
    close: () => host.close(),
  };
}

/** A Node client plus everything it rendered. */
export interface TestClient {
  client: SessionClient;
  /** Output written so far, in order, exactly as a terminal would receive it. */
  text(): string;
  /** How many times the renderer was told to reset the screen. */
  resets(): number;
  close(): void;
}

/** Creates and starts a Node client (does not wait for it to connect). */
export function openClient(url: string, name = 'test client', extra: Pick<SessionClientOptions, 'iceTransportPolicy' | 'iceServers' | 'credentials'> = {}): TestClient {
  const client = new SessionClient({ url, wrtc: nodeWebRtc, deviceName: name, deviceKind: 'terminal', backoffInitialMs: 50, backoffMaxMs: 500, ...extra });
  let cursor = new OutputCursor();
  let out = '';
  let resets = 0;
  const render = (): void => {
    const next = cursor.next(client.view);
    if (next.reset) {
      resets++;
      out = '';
    }
    out += next.text;
  };
  client.doc.on('update', render);
  // A replica ahead of a restarted host is replaced: render the new one from the start.
  client.on('reset', () => {
    cursor = new OutputCursor();
    resets++;
    out = '';
    client.doc.on('update', render);
  });
  client.start();
  return { client, text: () => out, resets: () => resets, close: () => client.close() };
}

/**
 * Where a client stands, for a failure to explain itself: the session's state, its connection (hello
 * seen? which peer? bytes heard), the session's channel (opened? role) and, given the host, the end of
 * its log.
 */
export function describeClient(c: TestClient, host?: TestHost): string {
  const { client } = c;
  const conn = client.connection;
  const err = client.error ?? conn.error;
  const tail = host ? host.logs.slice(-12).map((l) => `${String(l.msg)}${l.code ? ` (${String(l.code)})` : ''}${l.err ? `: ${String(l.err)}` : ''}`).join(' | ') : '';
  return (
    `the device is ${client.state}${err ? ` (${err.code}: ${err.message})` : ''}; its connection is ${conn.state} ` +
    `(host hello ${conn.hostHello ? 'seen' : 'not seen'}, peer ${conn.peerId ?? 'none'}, ${conn.bytesIn} bytes in); ` +
    `the session: role ${client.role ?? 'none (not opened)'}, ${c.text().length} chars of output` +
    (host ? `; the host's last log lines: ${tail || '(none)'}` : '')
  );
}

/** Opens a client and waits until it is live. */
export async function joinClient(url: string, name?: string, extra: Pick<SessionClientOptions, 'iceTransportPolicy' | 'iceServers' | 'credentials'> = {}): Promise<TestClient> {
  const c = openClient(url, name, extra);
  await waitFor(() => c.client.state === 'live' || c.client.state === 'failed', 15_000, `${name ?? 'client'} to connect`).catch((err: unknown) => {
    const state = `it is ${c.client.state}; last error ${c.client.error?.code ?? 'none'}: ${c.client.error?.message ?? ''}`;
    c.close();
    throw new Error(`${(err as Error).message} (${state})`);
  });
  if (c.client.state !== 'live') {
    const failure = `client failed: ${c.client.error?.code} ${c.client.error?.message}`;
    c.close(); // a failed client still holds its signaling socket: the test file would never end
    throw new Error(failure);
  }
  return c;
}
