/**
 * The devices connected to a session, as every document lists them (`devices`: connection id → device).
 * The host writes each entry from its own record of the device (its paired credential), never from what a
 * device says about itself; readers validate each entry and skip what does not match.
 */
import * as z from 'zod';
import type * as Y from 'yjs';
import { RoleSchema } from './roles.js';
import { ConnectionPathSchema } from './ice-servers.js';

/** A device as the host shows it to every other device. */
export const DeviceInfoSchema = z.object({
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
  for (const [peerId, value] of devices.entries()) {
    const parsed = DeviceInfoSchema.safeParse(value);
    if (parsed.success) out.push([peerId, parsed.data]);
  }
  return out;
}

/** Writes a document's device list (each session's writer implements it). */
export interface RosterWriter {
  addDevice(peerId: string, device: DeviceInfo): void;
  removeDevice(peerId: string): void;
}
