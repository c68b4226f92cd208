/**
 * A device connected to a session, as the host shows it to every device in its presence frames
 * (protocol/presence.ts). The host makes each entry from its own record of the device (its paired
 * credential), never from what a device says about itself.
 */
import * as z from './zod.js';
import { RoleSchema } from './roles.js';
import { ConnectionPathSchema } from './ice-servers.js';
import { MAX_NAME_CHARS } from './messages.js';
import { lazySchema } from './lazy-schema.js';

/** A device as the host shows it to every other device. */
export const DeviceInfoSchema = lazySchema(() => z.object({
  /** The connection (peer id) this entry stands for. */
  peerId: z.string().check(z.maxLength(64)),
  /** Host-assigned device id (the credential's id once paired). */
  deviceId: z.string().check(z.maxLength(64)),
  name: z.string().check(z.maxLength(MAX_NAME_CHARS)),
  kind: z.enum(['browser', 'terminal']),
  role: RoleSchema,
  joinedAt: z.number(),
  /** How the device's connection travels: direct, through a NAT found with STUN, or relayed by TURN. */
  path: z.optional(ConnectionPathSchema),
}));
export type DeviceInfo = z.infer<typeof DeviceInfoSchema>;
