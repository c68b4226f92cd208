/**
 * The devices connected to a session, as every document lists them (`devices`: slot → device, each
 * naming its connection). The host writes each entry from its own record of the device (its paired
 * credential), never from what a device says about itself; readers validate each entry and skip what does
 * not match. A slot is the device id and a number (`<deviceId>:0`, `:1` for a second tab…), not the
 * connection id: a Y.Map keeps a tombstone for every key it ever had, so keys that change with every
 * connection would grow the document with every visit.
 */
import * as z from 'zod';
import type * as Y from 'yjs';
import { RoleSchema } from './roles.js';
import { ConnectionPathSchema } from './ice-servers.js';

/** A device as the host shows it to every other device. */
export const DeviceInfoSchema = z.object({
  /** The connection (peer id) this entry stands for. */
  peerId: z.string(),
  /** Host-assigned device id (the credential's id once paired). */
  deviceId: z.string(),
  name: z.string(),
  kind: z.enum(['browser', 'terminal']),
  role: RoleSchema,
  joinedAt: z.number(),
  /** How the device's connection travels: direct, through a NAT found with STUN, or relayed by TURN. */
  path: ConnectionPathSchema.optional(),
});
export type DeviceInfo = z.infer<typeof DeviceInfoSchema>;

/** The devices map of any session document. */
export function deviceMap(doc: Y.Doc): Y.Map<DeviceInfo> {
  return doc.getMap<DeviceInfo>('devices');
}

/** Every well-formed device entry, as [connection id, device]. */
export function readDevices(devices: Y.Map<unknown>): Array<[string, DeviceInfo]> {
  const out: Array<[string, DeviceInfo]> = [];
  for (const value of devices.values()) {
    const parsed = DeviceInfoSchema.safeParse(value);
    if (parsed.success) out.push([parsed.data.peerId, parsed.data]);
  }
  return out;
}

/** The roster slot of a device's connection: its device id and the lowest number none of its other connections holds. */
export function rosterSlot(deviceId: string, taken: ReadonlySet<string>): string {
  for (let n = 0; ; n++) {
    const slot = `${deviceId}:${n}`;
    if (!taken.has(slot)) return slot;
  }
}

/** Writes a document's device list (each session's writer implements it). */
export interface RosterWriter {
  addDevice(slot: string, device: DeviceInfo): void;
  removeDevice(slot: string): void;
}
