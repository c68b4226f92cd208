/** The only writer of a server's session list document (protocol/session-list-doc.ts). */
import * as Y from 'yjs';
import { sessionListDocView, type AgentSessionList, type ListedSession, type SessionListDocView, type SpawnMode, type StartableAgent } from '../protocol/session-list-doc.js';
import type { DeviceInfo } from '../protocol/device-roster.js';
import { trustedDeviceMap, type TrustedDevice } from '../protocol/trusted-devices.js';

/** Writes the session list. */
export class SessionListWriter {
  readonly view: SessionListDocView;

  constructor(
    readonly doc: Y.Doc,
    meta: { name: string; hostname: string; folder: string; capacity: number; spawnMode: SpawnMode; agents: StartableAgent[]; defaultAgent: string },
  ) {
    this.view = sessionListDocView(doc);
    doc.transact(() => {
      this.view.meta.set('kind', 'session-list');
      for (const [k, v] of Object.entries(meta)) this.view.meta.set(k, v);
    });
  }

  setSpawnMode(mode: SpawnMode): void {
    this.view.meta.set('spawnMode', mode);
  }

  /** The startable agents, when they changed (an agent was installed or removed). */
  setAgents(agents: StartableAgent[]): void {
    if (JSON.stringify(this.view.meta.get('agents')) !== JSON.stringify(agents)) this.view.meta.set('agents', agents);
  }

  /** What the host learned about an agent's earlier sessions. */
  setAgentSessions(agent: string, list: AgentSessionList): void {
    this.view.agentSessions.set(agent, list);
  }

  /** Adds a session row. */
  add(session: ListedSession): void {
    const row = new Y.Map<unknown>();
    this.doc.transact(() => {
      for (const [k, v] of Object.entries(session)) row.set(k, v);
      this.view.sessions.set(session.id, row);
    });
  }

  /** Updates fields of a session row that changed. */
  update(id: string, fields: Partial<ListedSession>): void {
    const row = this.view.sessions.get(id);
    if (!row) return;
    this.doc.transact(() => {
      for (const [k, v] of Object.entries(fields)) {
        const old = row.get(k);
        if (JSON.stringify(old) !== JSON.stringify(v)) row.set(k, v);
      }
    });
  }

  remove(id: string): void {
    this.view.sessions.delete(id);
  }

  addDevice(slot: string, device: DeviceInfo): void {
    this.view.devices.set(slot, device);
  }

  /** Shows the user's paired and waiting devices (only what changed is written). */
  setTrustedDevices(devices: TrustedDevice[]): void {
    const map = trustedDeviceMap(this.doc);
    const ids = new Set(devices.map((d) => d.deviceId));
    this.doc.transact(() => {
      for (const id of [...map.keys()]) if (!ids.has(id)) map.delete(id);
      for (const d of devices) {
        const entry: TrustedDevice = { deviceId: d.deviceId, name: d.name, kind: d.kind, role: d.role, createdAt: d.createdAt, lastSeen: d.lastSeen, online: d.online, pending: d.pending };
        if (JSON.stringify(map.get(d.deviceId)) !== JSON.stringify(entry)) map.set(d.deviceId, entry);
      }
    });
  }

  removeDevice(slot: string): void {
    if (this.view.devices.has(slot)) this.view.devices.delete(slot);
  }
}
