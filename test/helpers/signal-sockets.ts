/**
 * Drives a real signal server from tests: starts one on loopback port 0, opens real socket.io clients
 * (optionally with browser-like headers such as Origin or proxy headers) and sends acked envelopes.
 */
import { newId } from '../../protocol/ids.js';
import { io as ioClient, type Socket } from 'socket.io-client';
import { pino, type Logger } from 'pino';
import { createSignalServer, type SignalServer, type SignalServerConfig } from '../../signal/signal-server.js';
import { SignalEvents, type SignalAck } from '../../protocol/signaling.js';
import { newKey } from '../../protocol/ids.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { waitFor } from './wait-for.js';

/** A started server, the sockets opened against it, and one close for all. */
export interface SignalFixture {
  server: SignalServer;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Opens a socket and waits until it is connected. */
  open(headers?: Record<string, string>): Promise<Socket>;
  /** Tries to connect; resolves 'connected' or the connect error's message. */
  attempt(headers: Record<string, string>): Promise<'connected' | string>;
  close(): Promise<void>;
}

/** Starts a signal server with `config` on 127.0.0.1:0 (silent logs unless a logger is given). */
export async function startSignalFixture(config: Partial<SignalServerConfig> & { logger?: Logger } = {}): Promise<SignalFixture> {
  const server = createSignalServer({ port: 0, bind: '127.0.0.1', clientDir: null, logger: pino({ level: 'silent' }), ...config });
  await server.start();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const sockets: Socket[] = [];
  const make = (headers?: Record<string, string>): Socket => {
    const s = ioClient(origin, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers });
    sockets.push(s);
    return s;
  };
  return {
    server,
    origin,
    async open(headers) {
      const s = make(headers);
      await waitFor(() => s.connected, 5000, 'socket connects');
      return s;
    },
    attempt(headers) {
      const s = make(headers);
      return new Promise((resolve) => {
        s.once('connect', () => resolve('connected'));
        s.once('connect_error', (err: Error & { description?: unknown }) => resolve(err.message));
      });
    },
    async close() {
      for (const s of sockets) s.disconnect();
      await server.close();
    },
  };
}

/** Emits `event` with `msg` and waits (bounded) for the ack. */
export function ask(s: Socket, event: string, msg: unknown): Promise<SignalAck> {
  return s.timeout(5000).emitWithAck(event, msg) as Promise<SignalAck>;
}

/** The ack's error code, or null when it succeeded. */
export function code(ack: SignalAck): string | null {
  return ack.ok ? null : ack.error.code;
}

/** `host:register` for `sessionId` proving ownership with `owner` (a fresh secret by default). */
export function register(s: Socket, sessionId: string, owner: string = newKey()): Promise<SignalAck> {
  return ask(s, SignalEvents.hostRegister, { v: PROTOCOL_VERSION, sessionId, owner });
}

/** `client:join` of `sessionId` as `peerId`. */
export function join(s: Socket, sessionId: string, peerId: string): Promise<SignalAck> {
  return ask(s, SignalEvents.clientJoin, { v: PROTOCOL_VERSION, sessionId, peerId });
}

/** A well-formed (not really signed) offer or answer envelope: the server relays payloads opaquely. */
export function offer(sessionId: string, peerId: string, kind: 'offer' | 'answer' = 'offer'): { sessionId: string; peerId: string; payload: Record<string, unknown> } {
  const mac = 'A'.repeat(43);
  const payload = kind === 'offer' ? { kind, sdp: 'v=0', nonce: newId(), auth: { method: 'token', tokenId: newId(), mac } } : { kind, sdp: 'v=0', mac };
  return { sessionId, peerId, payload };
}
