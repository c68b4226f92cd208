/**
 * Notifications: the kinds a device can ask for, its Web Push subscription as it travels to the host
 * (an intent on a session's companion channel) and the payload the host pushes back through the
 * browser vendor's push service, encrypted for that one device (RFC 8291). Validated on both sides.
 */
import * as z from './zod.js';
import { ID_PATTERN } from './ids.js';
import { lazySchema } from './lazy-schema.js';

/** What a device can be told about: a permission or question waits, a turn ended, a session ended or crashed. */
export const NotifyKindSchema = lazySchema(() => z.enum(['attention', 'turn-ended', 'ended']));
export type NotifyKind = z.infer<typeof NotifyKindSchema>;

/** Every kind, in the order a page lists them. */
export const NOTIFY_KINDS: readonly NotifyKind[] = NotifyKindSchema.options;

/** Longest push endpoint URL accepted from a device. */
export const MAX_ENDPOINT_CHARS = 1024;

/**
 * A browser's push subscription (PushSubscription.toJSON()): where the vendor's push service takes
 * messages for it, and its keys — `p256dh` the browser's ECDH public key (65 bytes), `auth` its 16-byte
 * secret, both base64url. The endpoint must be https.
 */
export const PushSubscriptionSchema = lazySchema(() => z.strictObject({
  endpoint: z.url({ protocol: /^https$/ }).check(z.maxLength(MAX_ENDPOINT_CHARS)),
  keys: z.strictObject({
    p256dh: z.string().check(z.regex(/^[A-Za-z0-9_-]{86,88}={0,2}$/)),
    auth: z.string().check(z.regex(/^[A-Za-z0-9_-]{22,24}={0,2}$/)),
  }),
}));
export type PushSubscriptionInfo = z.infer<typeof PushSubscriptionSchema>;

/** Most sessions a device keeps its own notification choices for. */
export const MAX_NOTIFY_SESSIONS = 256;

/** What a device wants to hear about: by default for every session, and per session where it chose. */
export const NotifyPrefsSchema = lazySchema(() => z.strictObject({
  kinds: z.array(NotifyKindSchema).check(z.maxLength(NOTIFY_KINDS.length)),
  sessions: z.record(z.string().check(z.regex(ID_PATTERN)), z.array(NotifyKindSchema).check(z.maxLength(NOTIFY_KINDS.length))).check(z.refine((s) => Object.keys(s).length <= MAX_NOTIFY_SESSIONS, `at most ${MAX_NOTIFY_SESSIONS} sessions`)),
}));
export type NotifyPrefs = z.infer<typeof NotifyPrefsSchema>;

/** The kinds a device with `prefs` wants for `sessionId`. */
export function kindsFor(prefs: NotifyPrefs, sessionId: string): readonly NotifyKind[] {
  return prefs.sessions[sessionId] ?? prefs.kinds;
}

/** Longest title and body the host pushes (a notification is a glance, and the payload must stay small). */
export const MAX_PUSH_TITLE = 80;
export const MAX_PUSH_BODY = 160;

/** What the service worker receives in a push. */
export const PushPayloadSchema = lazySchema(() => z.strictObject({
  v: z.literal(1),
  kind: NotifyKindSchema,
  title: z.string().check(z.maxLength(MAX_PUSH_TITLE)),
  body: z.string().check(z.maxLength(MAX_PUSH_BODY)),
  /** The session it is about (its routing id), for the page to open. */
  sessionId: z.nullable(z.string().check(z.regex(ID_PATTERN))),
  /** What to bring into view there: 'attention' (the waiting card) or null. */
  focus: z.nullable(z.enum(['attention'])),
}));
export type PushPayload = z.infer<typeof PushPayloadSchema>;

/** A VAPID public key: an uncompressed P-256 point, 65 bytes in base64url. */
export const PUSH_KEY_PATTERN = /^[A-Za-z0-9_-]{87}$/;

/**
 * Device → host, on any channel: where to push to (null: stop pushing to this device) and what it wants
 * to hear about. Sent again on every connection; the host keeps the newest per paired device.
 */
export const NotifyIntentSchema = lazySchema(() => z.strictObject({
  id: z.string().check(z.regex(ID_PATTERN)),
  type: z.literal('notify'),
  subscription: z.nullable(PushSubscriptionSchema),
  prefs: NotifyPrefsSchema,
}));
export type NotifyIntent = z.infer<typeof NotifyIntentSchema>;
