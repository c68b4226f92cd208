/**
 * The signaling protocol between hosts, clients and the signal server (socket.io events).
 * The server validates every envelope with these schemas and relays payloads opaquely:
 * it never parses SDP, and payload authenticity is checked end to end (auth.ts).
 */
import * as z from './zod.js';
import { ID_PATTERN, KEY_PATTERN } from './ids.js';
import { MAC_PATTERN, SIGNATURE_PATTERN } from './auth.js';
import { errorCodeSchema } from './error-code-schema.js';
import { IceServersSchema } from './ice-servers.js';
import { lazySchema } from './lazy-schema.js';

/** Largest SDP accepted in an offer or answer (a data-channel SDP is ~1–3 KiB). */
export const MAX_SDP_BYTES = 16 * 1024;
/** Largest socket.io message the signal server accepts. */
export const MAX_ENVELOPE_BYTES = 32 * 1024;

/** socket.io event names. */
export const SignalEvents = {
  /** host → server: serve a session. Ack: SignalAck. */
  hostRegister: 'host:register',
  /** host → server: stop serving a session. */
  hostUnregister: 'host:unregister',
  /** client → server: join a session as a peer. Ack: SignalAck. */
  clientJoin: 'client:join',
  /** host → server → client: a payload for one peer. */
  toPeer: 'signal:to-peer',
  /** client → server → host: a payload from one peer. */
  toHost: 'signal:to-host',
  /** server → host: a payload from a peer (relayed `toHost`). */
  fromPeer: 'signal:from-peer',
  /** server → client: a payload from the host (relayed `toPeer`). */
  fromHost: 'signal:from-host',
  /** server → host: a peer's signaling connection left. */
  peerLeft: 'peer:left',
  /** server → client: the session's host left the signal server. */
  hostLeft: 'host:left',
  /** server → anyone: an envelope was rejected (events without an ack). */
  signalError: 'signal:error',
  /**
   * server → client: a host registered the session this socket last failed to join (SESSION_UNKNOWN):
   * try again now. Advice only, like anything the signal server says.
   */
  sessionBack: 'session:back',
  /** host → server: the STUN/TURN servers this server hands out (fresh TURN credentials). Ack: SignalAck. */
  iceServers: 'ice:servers',
} as const;

const id = lazySchema(() => z.string().check(z.regex(ID_PATTERN, 'must be a 128-bit base64url id')));
const sdp = lazySchema(() => z.string().check(z.minLength(1), z.maxLength(MAX_SDP_BYTES)));
const mac = lazySchema(() => z.string().check(z.regex(MAC_PATTERN, 'must be a base64url HMAC-SHA256')));
const signature = lazySchema(() => z.string().check(z.regex(SIGNATURE_PATTERN, 'must be a base64url P-256 signature')));

/** Device → host: "I want to connect": the host answers with a fresh nonce. */
export const KnockSchema = lazySchema(() => z.strictObject({ kind: z.literal('knock') }));

/**
 * Host → device: the nonce this attempt's offer must be bound to, which host key answers, and the host's
 * STUN/TURN servers (the device makes the offer, so it needs them before it builds its connection).
 * Not authenticated: a server that swaps them can steer the path, never read it (DTLS, MAC'd SDPs).
 */
export const ChallengeSchema = lazySchema(() => z.strictObject({ kind: z.literal('challenge'), nonce: id, hostKeyId: id, iceServers: z.optional(IceServersSchema) }));

/** How a device proves it may connect: a pairing token from the link, or its paired credential. */
export const OfferAuthSchema = lazySchema(() => z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('token'), tokenId: id, mac }),
  z.strictObject({ method: z.literal('device'), credentialId: id, sig: signature }),
]));
export type OfferAuth = z.infer<typeof OfferAuthSchema>;

/** Device → host: the offer, bound to the challenge's nonce. */
export const OfferSchema = lazySchema(() => z.strictObject({ kind: z.literal('offer'), sdp, nonce: id, auth: OfferAuthSchema }));

/** Host → device: the answer, with a MAC (token method) or the host key's signature (device method). */
export const AnswerSchema = lazySchema(() => z.strictObject({ kind: z.literal('answer'), sdp, mac: z.optional(mac), sig: z.optional(signature) }));

/**
 * Host → device: the offer was refused. Authenticated (mac or sig over the code) when the host still knows
 * the token or the device; otherwise only advice, which a device never treats as final.
 */
export const RejectSchema = lazySchema(() => z.strictObject({
  kind: z.literal('reject'),
  code: errorCodeSchema('unknown error code'),
  message: z.string().check(z.maxLength(500)),
  nonce: z.optional(id),
  mac: z.optional(mac),
  sig: z.optional(signature),
}));

/** What travels between host and peer through the server. */
export const SignalPayloadSchema = lazySchema(() => z.discriminatedUnion('kind', [KnockSchema, ChallengeSchema, OfferSchema, AnswerSchema, RejectSchema]));
export type SignalPayload = z.infer<typeof SignalPayloadSchema>;

/**
 * `host:register`. `owner` is a 256-bit secret the host keeps per session (base64url, never shown to
 * anyone); the server stores only its SHA-256. Registering again with the same secret from a new
 * connection takes the session over at once (a restarted host need not wait for its old connection to
 * time out); any other secret gets SESSION_TAKEN while the session is registered and for a while after.
 */
export const HostRegisterSchema = lazySchema(() => z.strictObject({
  v: z.int().check(z.positive()),
  sessionId: id,
  owner: z.string().check(z.regex(KEY_PATTERN, 'must be a 256-bit base64url secret')),
}));
export type HostRegister = z.infer<typeof HostRegisterSchema>;

/** `host:unregister`: only the connection that serves the session may send it, so it needs no secret. */
export const HostUnregisterSchema = lazySchema(() => z.strictObject({ v: z.int().check(z.positive()), sessionId: id }));
export type HostUnregister = z.infer<typeof HostUnregisterSchema>;

/** `client:join`: the client picks its own random peer id (it is part of the MAC). */
export const ClientJoinSchema = lazySchema(() => z.strictObject({ v: z.int().check(z.positive()), sessionId: id, peerId: id }));
export type ClientJoin = z.infer<typeof ClientJoinSchema>;

/** `signal:to-peer` (host → server) and `signal:from-peer` (server → host). */
export const PeerEnvelopeSchema = lazySchema(() => z.strictObject({ sessionId: id, peerId: id, payload: SignalPayloadSchema }));
export type PeerEnvelope = z.infer<typeof PeerEnvelopeSchema>;

/** `signal:to-host` (client → server) and `signal:from-host` (server → client). */
export const HostEnvelopeSchema = PeerEnvelopeSchema;

/** `peer:left`. */
export const PeerLeftSchema = lazySchema(() => z.strictObject({ sessionId: id, peerId: id }));

/** `host:left`. */
export const HostLeftSchema = lazySchema(() => z.strictObject({ sessionId: id }));

/**
 * `signal:error`: an envelope without an ack was refused (`event` names it), or — with `sessionId` —
 * the server dropped this connection's registration of that session because another connection
 * proved ownership (`SESSION_TAKEN`). Advice from an untrusted server, like everything it says.
 */
export const SignalErrorSchema = lazySchema(() => z.strictObject({
  event: z.string().check(z.maxLength(64)),
  code: z.string().check(z.maxLength(64)),
  message: z.string().check(z.maxLength(500)),
  sessionId: z.optional(id),
}));
export type SignalError = z.infer<typeof SignalErrorSchema>;

/** `ice:servers`: a host asks for the servers (and fresh TURN credentials) this signal server hands out. */
export const IceServersRequestSchema = lazySchema(() => z.strictObject({ v: z.int().check(z.positive()) }));

/**
 * Ack of register/join/ice:servers: ok, or an error with a registry code. A join's and an ice:servers ack
 * carry the servers the signal server hands out (TURN credentials it minted, valid `iceTtlSeconds`).
 */
export const SignalAckSchema = lazySchema(() => z.union([
  z.strictObject({ ok: z.literal(true), iceServers: z.optional(IceServersSchema), iceTtlSeconds: z.optional(z.int().check(z.positive())) }),
  z.strictObject({
    ok: z.literal(false),
    error: z.strictObject({ code: z.string(), message: z.string() }),
  }),
]));
export type SignalAck = z.infer<typeof SignalAckSchema>;

/** Server → client: the session is served again (see SignalEvents.sessionBack). */
export const SessionBackSchema = lazySchema(() => z.strictObject({ sessionId: id }));
export type SessionBack = z.infer<typeof SessionBackSchema>;
