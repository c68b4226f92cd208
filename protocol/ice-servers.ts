/**
 * STUN/TURN servers in the browser's own RTCIceServer shape, as they travel from a config file, a flag,
 * a host's challenge or a signal server's ack to a peer connection: validated and bounded everywhere,
 * since most of those sources are not trusted (they can steer the path, never read it: DTLS holds).
 */
import * as z from './zod.js';
import { lazySchema } from './lazy-schema.js';

/** Most servers one list may hold (a config file, a challenge, an ack). */
export const MAX_ICE_SERVERS = 8;
/** Most URLs one server entry may list. */
export const MAX_ICE_URLS = 4;

/**
 * `stun:`, `turn:` or `turns:` then a host name or IP (IPv6 in brackets), an optional port and, for TURN,
 * an optional `?transport=udp|tcp` (RFC 7064/7065). Nothing else: no user info, no paths, no spaces.
 */
const ICE_URL = /^(?:stun|turns?):(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::\d{1,5})?(?:\?transport=(?:udp|tcp))?$/;

/** One STUN or TURN URL. */
export const IceUrlSchema = lazySchema(() => z.string().check(z.maxLength(300), z.regex(ICE_URL, 'must be stun:HOST[:PORT] or turn:/turns:HOST[:PORT][?transport=udp|tcp]')));

/** True for a TURN URL (which needs a username and credential). */
export function isTurnUrl(url: string): boolean {
  return url.startsWith('turn:') || url.startsWith('turns:');
}

/** Printable ASCII only: these strings reach native WebRTC code, and sometimes a log. */
const printable = lazySchema(() => z.string().check(z.minLength(1), z.maxLength(256), z.regex(/^[\x20-\x7e]+$/, 'must be printable ASCII')));

/** One server: its URLs and, for TURN, the username and credential (RTCIceServer). */
export const IceServerSchema = lazySchema(() => z
  .strictObject({
    urls: z.union([IceUrlSchema, z.array(IceUrlSchema).check(z.minLength(1), z.maxLength(MAX_ICE_URLS))]),
    username: z.optional(printable),
    credential: z.optional(printable),
  })
  .check(z.refine((s) => !urlsOf(s).some(isTurnUrl) || (s.username !== undefined && s.credential !== undefined), {
    message: 'a TURN server needs a username and a credential',
  })));
export type IceServer = z.infer<typeof IceServerSchema>;

/** A bounded list of servers. */
export const IceServersSchema = lazySchema(() => z.array(IceServerSchema).check(z.maxLength(MAX_ICE_SERVERS)));

/** The URLs of a server entry as an array. */
export function urlsOf(server: { urls: string | readonly string[] }): string[] {
  return typeof server.urls === 'string' ? [server.urls] : [...server.urls];
}

/** Joins lists, keeping at most MAX_ICE_SERVERS (earlier lists first). */
export function mergeIceServers(...lists: ReadonlyArray<readonly IceServer[] | undefined>): IceServer[] {
  return lists.flatMap((l) => l ?? []).slice(0, MAX_ICE_SERVERS);
}

/** The valid servers of an untrusted list, or none: a bad list from a peer or server is ignored whole. */
export function parseIceServers(raw: unknown): IceServer[] {
  const parsed = IceServersSchema.safeParse(raw);
  return parsed.success ? parsed.data : [];
}

/** Which candidates carry the data: the host's own address, one found with STUN, or a TURN relay. */
export const ConnectionPathSchema = lazySchema(() => z.enum(['direct', 'stun', 'relay']));
export type ConnectionPath = z.infer<typeof ConnectionPathSchema>;

/** How a device list shows a path. */
export const PATH_LABEL: Readonly<Record<ConnectionPath, string>> = Object.freeze({ direct: 'direct', stun: 'via STUN', relay: 'relayed' });

/** ICE candidate types (RTCIceCandidateType) to the path they mean; prflx is a direct path seen late. */
export function pathOf(localType: string | undefined, remoteType: string | undefined): ConnectionPath {
  const types = [localType, remoteType];
  if (types.includes('relay')) return 'relay';
  if (types.includes('srflx')) return 'stun';
  return 'direct';
}
