/**
 * `tether remote-control`: one shared session — a terminal program or an ACP agent — served through the
 * embedded signal server (or a standalone one with --signal). A factory, createRemoteControl(config) →
 * { start, close, address }, that reports what happens as events; main.ts turns them into the status
 * screen or --json lines.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { newId, newKey } from '../protocol/ids.js';
import type { ClientHello } from '../protocol/messages.js';
import type { SignalServer } from '../signal/signal-server.js';
import type { RemoteControlCommand } from './cli-args.js';
import { createHostedSession, type HostedSession, type SessionDeps } from './hosted-session.js';
import { Sharing } from './sharing.js';
import type { PtyExit } from './pty-process.js';
import type { AgentExit } from './acp-agent.js';

/** What `ready` reports. */
export interface ReadyInfo {
  sessionId: string;
  /** The session link (contains the key: show it only to the user). */
  url: string;
  /** The signal server's origin. */
  signal: string;
  name: string;
  command: string;
  kind: 'terminal' | 'conversation';
}

/** A device as events report it. */
export interface DeviceEvent {
  peerId: string;
  deviceId: string;
  name: string;
  kind: ClientHello['deviceKind'];
  devices: number;
}

interface RemoteControlEvents {
  ready: [ReadyInfo];
  'device-joined': [DeviceEvent];
  'device-left': [{ peerId: string; devices: number }];
  /** A terminal program exited (the host then exits). */
  'session-exited': [PtyExit];
  /** An agent exited or crashed (the conversation stays readable). */
  'agent-exited': [AgentExit];
}

/** Runtime dependencies (injected so tests and benchmarks can share them). */
export interface RemoteControlDeps extends SessionDeps {
  clientDir: string | null;
}

/** A running remote-control host. */
export interface RemoteControl extends EventEmitter<RemoteControlEvents> {
  start(): Promise<ReadyInfo>;
  close(): Promise<void>;
  /** The embedded signal server's address, or null with --signal. */
  address(): { host: string; port: number } | null;
  /** The embedded signal server (null with --signal or before start). */
  signalServer(): SignalServer | null;
  readonly session: HostedSession;
}

/** Creates the host for one shared session. Nothing runs until start(). */
export function createRemoteControl(config: RemoteControlCommand, deps: RemoteControlDeps): RemoteControl {
  const sessionId = newId();
  const key = newKey();
  const kind = config.program.kind === 'acp' ? 'conversation' : 'terminal';
  const name = config.name ?? `${hostname()}-${kind === 'terminal' ? 'terminal' : config.program.label}`;
  const session = createHostedSession(config, deps, { sessionId, key, name });
  const sharing = new Sharing(config, session, deps.clientDir, deps.log.child({ sessionId }));
  let closing: Promise<void> | null = null;

  const emitter = new EventEmitter<RemoteControlEvents>() as RemoteControl;
  session.on('device-joined', (peerId: string, hello: ClientHello) =>
    emitter.emit('device-joined', { peerId, deviceId: hello.deviceId, name: hello.deviceName, kind: hello.deviceKind, devices: session.peers.joinedCount }),
  );
  session.on('device-left', (peerId: string) => emitter.emit('device-left', { peerId, devices: session.peers.joinedCount }));
  if (session.kind === 'terminal') session.on('exited', (exit) => emitter.emit('session-exited', exit));
  else session.on('agent-exited', (exit) => emitter.emit('agent-exited', exit));

  Object.assign(emitter, {
    session,
    address: () => sharing.signalServer?.address() ?? null,
    signalServer: () => sharing.signalServer,
    async start(): Promise<ReadyInfo> {
      await session.start();
      const share = await sharing.start();
      const info: ReadyInfo = { sessionId, url: share.url, signal: share.signal, name, command: config.program.display, kind };
      emitter.emit('ready', info);
      return info;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await sharing.stop();
        await session.close();
      })();
      return closing;
    },
  });
  return emitter;
}
