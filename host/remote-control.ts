/**
 * `tether remote-control`: one shared terminal session, served through the embedded signal server
 * (or a standalone one with --signal). A factory, createRemoteControl(config) → { start, close, address },
 * that reports what happens as events; main.ts turns them into the status screen or --json lines.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { newId, newKey } from '../protocol/ids.js';
import { formatSessionUrl } from '../protocol/session-url.js';
import type { ClientHello } from '../protocol/messages.js';
import type { SignalServer } from '../signal/signal-server.js';
import type { RemoteControlCommand } from './cli-args.js';
import { HostSignalLink } from './signal-link.js';
import { TerminalSession } from './terminal-session.js';
import { linkOrigin, selfOrigin } from './lan-address.js';
import { startSignalServer } from './start-signal-server.js';
import type { PtyExit } from './pty-process.js';

/** What `ready` reports. */
export interface ReadyInfo {
  sessionId: string;
  /** The session link (contains the key: show it only to the user). */
  url: string;
  /** The signal server's origin. */
  signal: string;
  name: string;
  command: string;
}

interface RemoteControlEvents {
  ready: [ReadyInfo];
  'device-joined': [{ peerId: string; deviceId: string; name: string; kind: ClientHello['deviceKind']; devices: number }];
  'device-left': [{ peerId: string; devices: number }];
  'session-exited': [PtyExit];
}

/** Runtime dependencies (injected so tests and benchmarks can share them). */
export interface RemoteControlDeps {
  log: Logger;
  wrtc: object | undefined;
  clientDir: string | null;
  iceServers?: RTCIceServer[];
  scrollbackChars?: number;
}

/** A running remote-control host. */
export interface RemoteControl extends EventEmitter<RemoteControlEvents> {
  start(): Promise<ReadyInfo>;
  close(): Promise<void>;
  /** The embedded signal server's address, or null with --signal. */
  address(): { host: string; port: number } | null;
  /** The embedded signal server (null with --signal or before start). */
  signalServer(): SignalServer | null;
  readonly session: TerminalSession;
}

/** Creates the host for one shared terminal. Nothing runs until start(). */
export function createRemoteControl(config: RemoteControlCommand, deps: RemoteControlDeps): RemoteControl {
  const sessionId = newId();
  const key = newKey();
  const name = config.name ?? `${hostname()}-terminal`;
  const log = deps.log.child({ sessionId });
  const session = new TerminalSession({
    sessionId,
    key,
    name,
    command: config.program,
    cwd: config.cwd,
    env: config.env,
    cols: config.cols,
    rows: config.rows,
    scrollbackChars: deps.scrollbackChars,
    wrtc: deps.wrtc,
    iceServers: deps.iceServers ?? [],
    log,
  });
  let server: SignalServer | null = null;
  let link: HostSignalLink | null = null;
  let closing: Promise<void> | null = null;

  const emitter = new EventEmitter<RemoteControlEvents>() as RemoteControl;
  session.on('device-joined', (peerId, hello) =>
    emitter.emit('device-joined', { peerId, deviceId: hello.deviceId, name: hello.deviceName, kind: hello.deviceKind, devices: session.peers.joinedCount }),
  );
  session.on('device-left', (peerId) => emitter.emit('device-left', { peerId, devices: session.peers.joinedCount }));
  session.on('exited', (exit) => emitter.emit('session-exited', exit));

  Object.assign(emitter, {
    session,
    address: () => (server ? server.address() : null),
    signalServer: () => server,
    async start(): Promise<ReadyInfo> {
      let publicOrigin: string;
      let connectTo: string;
      if (config.signalUrl) {
        publicOrigin = config.signalUrl;
        connectTo = config.signalUrl;
      } else {
        server = await startSignalServer({ port: config.port, portExplicit: config.portExplicit, bind: config.bind, clientDir: deps.clientDir, log });
        const { port } = server.address();
        publicOrigin = linkOrigin(config.bind, port, config.publicUrl);
        connectTo = selfOrigin(config.bind, port);
      }
      link = new HostSignalLink(connectTo, log.child({ component: 'signal-link' }));
      await link.connect();
      session.start();
      await link.register(session);
      const info: ReadyInfo = { sessionId, url: formatSessionUrl(publicOrigin, sessionId, key), signal: publicOrigin, name, command: config.program.display };
      emitter.emit('ready', info);
      return info;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        link?.unregister(sessionId);
        await session.close();
        link?.close();
        await server?.close();
      })();
      return closing;
    },
  });
  return emitter;
}
