/**
 * An in-process server with the user's real device trust: a file trust store in a fresh state folder,
 * optional confirmation and audit log, plus Node devices that keep their credentials in a store the test
 * holds (so a device can come back without a token, as a bookmarked page does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { SessionServer } from '../../host/session-server.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { clientDir } from '../../host/package-paths.js';
import { openDeviceTrust } from '../../host/trust/open-device-trust.js';
import type { DeviceTrust } from '../../host/trust/device-trust.js';
import { SessionClient } from '../../client/core/session-client.js';
import { MemoryCredentialStore, type CredentialStore } from '../../client/core/credential-store.js';
import { waitFor } from './wait-for.js';

/** A started server with its trust. */
export interface TrustHost {
  server: SessionServer;
  trust: DeviceTrust;
  stateDir: string;
  /** The link of the session started in the folder, and the session list's link. */
  url: string;
  serverUrl: string;
  close(): Promise<void>;
}

/** A fresh state folder, removed by `removeStateDirs`. */
const dirs: string[] = [];
export function tempStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tether-trust-'));
  dirs.push(dir);
  return dir;
}
export function removeStateDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Starts `tether remote-control` in process with `args` (before `--`) and `program` (after it, or --agent), in `cwd`. */
export async function startTrustHost(args: string[], program: string[] = ['--', '/bin/sh'], stateDir = tempStateDir(), cwd = process.cwd()): Promise<TrustHost> {
  const config = parseCli(['remote-control', 'trust', '--local', '--port', '0', '--state-dir', stateDir, ...args, ...program], { ...process.env, SHELL: '/bin/sh', PS1: '$ ' }, cwd) as RemoteControlCommand;
  const log = pino({ level: 'silent' });
  const trust = openDeviceTrust(config, log);
  const server = new SessionServer(config, { log, wrtc: nodeWebRtc, clientDir: clientDir(), trust });
  const ready = await server.start();
  return {
    server,
    trust,
    stateDir,
    url: ready.first?.url ?? ready.serverUrl,
    serverUrl: ready.serverUrl,
    close: async () => {
      await server.close();
      trust.audit?.close();
    },
  };
}

/** A Node device with its own credential store. */
export interface TrustDevice {
  client: SessionClient;
  credentials: CredentialStore;
  close(): void;
}

/** Opens `url` as a device named `name` keeping credentials in `credentials` (a fresh store when omitted). */
export function openDevice(url: string, name: string, credentials: CredentialStore = new MemoryCredentialStore()): TrustDevice {
  const client = new SessionClient({ url, wrtc: nodeWebRtc, deviceName: name, deviceKind: 'terminal', credentials, backoffInitialMs: 50, backoffMaxMs: 500 });
  client.start();
  return { client, credentials, close: () => client.close() };
}

/** Opens a device and waits until it is live. */
export async function joinDevice(url: string, name: string, credentials?: CredentialStore): Promise<TrustDevice> {
  const d = openDevice(url, name, credentials);
  await waitFor(() => d.client.state === 'live' || d.client.state === 'failed', 15_000, `${name} to connect`);
  if (d.client.state !== 'live') throw new Error(`${name} failed: ${d.client.error?.code} ${d.client.error?.message}`);
  return d;
}

/** The link without its token (a bookmark of the page). */
export function withoutToken(url: string): string {
  return url.replace(/#.*$/, '');
}
