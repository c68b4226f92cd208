/**
 * The paired and waiting devices of a server's user, as its session list shows them (`trusted`: device id →
 * entry), so an owner device can change roles, revoke devices and answer waiting ones from the list. Only
 * the host writes it; readers validate each entry and skip what does not match.
 */
import * as z from 'zod';
import type * as Y from 'yjs';
import { RoleSchema } from './roles.js';

/** One paired or waiting device. */
export const TrustedDeviceSchema = z.object({
  deviceId: z.string(),
  name: z.string(),
  kind: z.enum(['browser', 'terminal']),
  role: RoleSchema,
  createdAt: z.number(),
  lastSeen: z.number(),
  /** Connected to the host now. */
  online: z.boolean(),
  /** Waiting for a person to allow it. */
  pending: z.boolean(),
});
export type TrustedDevice = z.infer<typeof TrustedDeviceSchema>;

/** The trusted-devices map of a session list document. */
export function trustedDeviceMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap('trusted');
}

/** Every well-formed entry: waiting devices first, then the most recently seen. */
export function readTrustedDevices(map: Y.Map<unknown>): TrustedDevice[] {
  const out: TrustedDevice[] = [];
  for (const value of map.values()) {
    const parsed = TrustedDeviceSchema.safeParse(value);
    if (parsed.success) out.push(parsed.data);
  }
  return out.sort((a, b) => Number(b.pending) - Number(a.pending) || b.lastSeen - a.lastSeen || a.deviceId.localeCompare(b.deviceId));
}
