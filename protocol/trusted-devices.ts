/**
 * The paired and waiting devices of a server's user, as the session list's presence frames show them to
 * owner devices (protocol/presence.ts), so an owner can change roles, revoke devices and answer waiting
 * ones from the list.
 */
import * as z from './zod.js';
import { RoleSchema } from './roles.js';
import { MAX_NAME_CHARS } from './messages.js';
import { lazySchema } from './lazy-schema.js';

/** One paired or waiting device. */
export const TrustedDeviceSchema = lazySchema(() => z.object({
  deviceId: z.string().check(z.maxLength(64)),
  name: z.string().check(z.maxLength(MAX_NAME_CHARS)),
  kind: z.enum(['browser', 'terminal']),
  role: RoleSchema,
  createdAt: z.number(),
  lastSeen: z.number(),
  /** Connected to the host now. */
  online: z.boolean(),
  /** Waiting for a person to allow it. */
  pending: z.boolean(),
}));
export type TrustedDevice = z.infer<typeof TrustedDeviceSchema>;

/** Waiting devices first, then the most recently seen. */
export function sortTrustedDevices(devices: readonly TrustedDevice[]): TrustedDevice[] {
  return [...devices].sort((a, b) => Number(b.pending) - Number(a.pending) || b.lastSeen - a.lastSeen || a.deviceId.localeCompare(b.deviceId));
}
