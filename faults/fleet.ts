/**
 * The fault suite's devices: real SessionClients over node-datachannel in one process, run inside the fault
 * namespace. Commands arrive as JSON lines on stdin; every state change, prompt reply and digest goes out
 * as a JSON line on stdout (with the wall-clock time, to measure recovery). Conversation devices send
 * prompts through the same Outbox the browser uses (its storage in memory).
 */
import { createInterface } from 'node:readline';
import { SessionClient } from '../client/core/session-client.js';
import { MemoryOutboxStorage, Outbox } from '../client/core/outbox.js';
import { MemoryCredentialStore } from '../client/core/credential-store.js';
import { nodeWebRtc } from '../host/node-webrtc.js';
import { digest } from './digest.js';
import { watchNetwork } from '../client/node/network-watch.js';

/** A command from the runner. */
export type FleetCommand =
  /** `keys`: devices opened with the same keys reuse one credential (one paired device, not one per run). */
  | { op: 'open'; name: string; url: string; conversation: boolean; keys?: string }
  | { op: 'close-device'; name: string }
  | { op: 'prompt'; name: string; marker: string }
  | { op: 'digest'; id: number }
  | { op: 'exit' };

/** A line to the runner. */
export type FleetEvent =
  | { ev: 'state'; name: string; state: string; code: string | null; at: number }
  | { ev: 'reset'; name: string; at: number }
  | { ev: 'reply'; name: string; marker: string; ok: boolean; code: string | null; at: number }
  | { ev: 'digest'; id: number; devices: Array<{ name: string; state: string; sv: string; hash: string; outbox: number; sessionId: string }> };

interface Device {
  client: SessionClient;
  outbox: Outbox | null;
}

const devices = new Map<string, Device>();
// Like a browser's `online` event: a link back up makes every device try at once.
watchNetwork(() => {
  for (const d of devices.values()) d.client.nudge();
});
const storage = new MemoryOutboxStorage();
const credentials = new Map<string, MemoryCredentialStore>();
const send = (event: FleetEvent): void => void process.stdout.write(JSON.stringify(event) + '\n');
// The runner is gone (stopped, or Ctrl-C): close the devices and leave quietly.
process.stdout.on('error', () => command({ op: 'exit' }));

function open(name: string, url: string, conversation: boolean, keys?: string): void {
  let stored = keys === undefined ? undefined : credentials.get(keys);
  if (keys !== undefined && !stored) credentials.set(keys, (stored = new MemoryCredentialStore()));
  const client = new SessionClient({ url, wrtc: nodeWebRtc, deviceName: name, deviceKind: 'terminal', ...(stored ? { credentials: stored } : {}) });
  client.on('state', (state, error) => send({ ev: 'state', name, state, code: error?.code ?? null, at: Date.now() }));
  client.on('reset', () => send({ ev: 'reset', name, at: Date.now() }));
  const outbox = conversation ? new Outbox(client, storage) : null;
  devices.set(name, { client, outbox });
  client.start();
}

function command(cmd: FleetCommand): void {
  switch (cmd.op) {
    case 'open':
      open(cmd.name, cmd.url, cmd.conversation, cmd.keys);
      return;
    case 'close-device': {
      const d = devices.get(cmd.name);
      d?.outbox?.close();
      d?.client.close();
      devices.delete(cmd.name);
      return;
    }
    case 'prompt': {
      const d = devices.get(cmd.name);
      if (!d?.outbox) return;
      void d.outbox.add(`echo ${cmd.marker}`).then((reply) =>
        send({ ev: 'reply', name: cmd.name, marker: cmd.marker, ok: reply.ok, code: reply.ok ? null : reply.error.code, at: Date.now() }),
      );
      return;
    }
    case 'digest':
      send({
        ev: 'digest',
        id: cmd.id,
        devices: [...devices].map(([name, d]) => ({ name, state: d.client.state, ...digest(d.client.doc), outbox: d.outbox?.items.length ?? 0, sessionId: d.client.sessionId })),
      });
      return;
    case 'exit':
      for (const d of devices.values()) d.client.close();
      setTimeout(() => process.exit(0), 300);
      return;
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === '') return;
  command(JSON.parse(line) as FleetCommand);
});
process.stdin.on('end', () => command({ op: 'exit' }));
