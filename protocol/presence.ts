/**
 * Presence: who is connected right now, and (on the session list) which devices the host trusts. The host
 * sends it on each session channel as a `presence` frame whenever it changes — never written into the
 * session documents. A Y.Map keeps a deleted item for every value it ever held, so presence kept in the
 * documents grew them (and the host's memory, and every replica) with every visit of every device; as a
 * message it costs nothing once sent. Each frame is the whole current state: a device keeps the last one.
 */
import * as z from './zod.js';
import { ID_PATTERN } from './ids.js';
import { DeviceInfoSchema, type DeviceInfo } from './device-roster.js';
import { TrustedDeviceSchema, type TrustedDevice } from './trusted-devices.js';
import { MAX_NAME_CHARS } from './messages.js';
import { lazySchema } from './lazy-schema.js';

/** Most connected devices one presence frame lists (the earliest joined first; more are left out). */
export const MAX_PRESENCE_DEVICES = 512;
/** Most trusted and waiting devices it lists (the host pairs at most 256 and holds 64 waiting; past this the least recently seen are left out). */
export const MAX_PRESENCE_TRUSTED = 512;
/** Most session rows it names devices for. */
export const MAX_PRESENCE_ROWS = 1024;

const id = lazySchema(() => z.string().check(z.regex(ID_PATTERN)));

/** Host → device, on a session channel: the session's presence now. */
export const PresenceSchema = lazySchema(() => z.strictObject({
  /** The devices connected to this session (each tab or terminal of a device is one entry). */
  devices: z.array(DeviceInfoSchema).check(z.maxLength(MAX_PRESENCE_DEVICES)),
  /** Session list, owner devices only: every paired and waiting device of the host's user. */
  trusted: z.optional(z.array(TrustedDeviceSchema).check(z.maxLength(MAX_PRESENCE_TRUSTED))),
  /** Session list: the names of the devices connected to each session that has any. */
  rows: z.optional(z.array(z.strictObject({ sessionId: id, devices: z.array(z.string().check(z.maxLength(MAX_NAME_CHARS))).check(z.maxLength(MAX_PRESENCE_DEVICES)) })).check(z.maxLength(MAX_PRESENCE_ROWS))),
}));
export type Presence = z.infer<typeof PresenceSchema>;

/** Nobody connected (what a device shows before the host's first presence frame). */
export const NO_PRESENCE: Presence = Object.freeze({ devices: [] }) as Presence;

export type { DeviceInfo, TrustedDevice };
