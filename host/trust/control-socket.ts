/**
 * The local control socket: how `tether devices …` in another terminal reaches running hosts of the same
 * user. Each host listens on `<state dir>/control-<pid>.sock` (mode 0600, in the 0700 state folder, so
 * only the user can open it). One JSON request per line, validated and bounded; one JSON reply per line.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmodSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import * as z from '../../protocol/zod.js';
import { TetherError, type ErrorCode } from '../../protocol/errors.js';
import { ID_PATTERN } from '../../protocol/ids.js';
import { DisplayNameSchema } from '../../protocol/messages.js';
import { RoleSchema } from '../../protocol/roles.js';
import { CONTROL_ACTOR, type DeviceSummary, type DeviceTrust } from './device-trust.js';

/** Longest request line. */
const MAX_LINE_BYTES = 4096;
/** Most connections served at once, and how long one may stay idle. */
const MAX_CONNECTIONS = 16;
const IDLE_MS = 5_000;
/** Unix socket paths longer than this do not fit in sockaddr_un. */
const MAX_SOCKET_PATH = 103;

/** One request to a running host. */
export const ControlRequestSchema = z.discriminatedUnion('action', [
  z.strictObject({ v: z.literal(1), action: z.literal('list') }),
  z.strictObject({ v: z.literal(1), action: z.literal('revoke'), deviceId: z.string().check(z.regex(ID_PATTERN)) }),
  z.strictObject({ v: z.literal(1), action: z.literal('revoke-all') }),
  z.strictObject({ v: z.literal(1), action: z.literal('rename'), deviceId: z.string().check(z.regex(ID_PATTERN)), name: DisplayNameSchema }),
  z.strictObject({ v: z.literal(1), action: z.literal('role'), deviceId: z.string().check(z.regex(ID_PATTERN)), role: RoleSchema }),
  z.strictObject({ v: z.literal(1), action: z.literal('allow'), deviceId: z.string().check(z.regex(ID_PATTERN)), view: z.boolean() }),
  z.strictObject({ v: z.literal(1), action: z.literal('deny'), deviceId: z.string().check(z.regex(ID_PATTERN)) }),
]);
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

/** A host's reply. */
export type ControlReply = { ok: true; devices?: DeviceSummary[] } | { ok: false; error: { code: ErrorCode; message: string } };

/** The socket path of the process `pid` in `stateDir`. */
export function controlSocketPath(stateDir: string, pid = process.pid): string {
  return join(stateDir, `control-${pid}.sock`);
}

/** Carries out one request on this host's devices. */
export function handleControlRequest(trust: DeviceTrust, request: ControlRequest): ControlReply {
  let err: TetherError | null = null;
  switch (request.action) {
    case 'list':
      return { ok: true, devices: trust.list() };
    case 'revoke':
      err = trust.revoke(request.deviceId, CONTROL_ACTOR);
      break;
    case 'revoke-all':
      err = trust.revokeAll(CONTROL_ACTOR);
      break;
    case 'rename':
      err = trust.rename(request.deviceId, request.name, CONTROL_ACTOR);
      break;
    case 'role':
      err = trust.setRole(request.deviceId, request.role, CONTROL_ACTOR);
      break;
    case 'allow':
      err = trust.answer(request.deviceId, request.view ? 'view' : 'allow', CONTROL_ACTOR);
      break;
    case 'deny':
      err = trust.answer(request.deviceId, 'deny', CONTROL_ACTOR);
      break;
  }
  return err ? { ok: false, error: err.toJSON() } : { ok: true };
}

/** Decodes one request line; a bad one is CONTROL_INVALID. */
export function decodeControlRequest(line: string): ControlRequest | TetherError {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    // Not JSON: the same answer as any other malformed request.
    return new TetherError('CONTROL_INVALID', 'a request is one JSON object per line');
  }
  const parsed = ControlRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return new TetherError('CONTROL_INVALID', issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : 'bad request');
  }
  return parsed.data;
}

/** Listens on this process's control socket; resolves with a close function (null when it cannot listen). */
export async function startControlSocket(stateDir: string, trust: DeviceTrust, log: Logger): Promise<(() => Promise<void>) | null> {
  const path = controlSocketPath(stateDir);
  if (path.length > MAX_SOCKET_PATH) {
    log.warn({ path }, 'the state folder path is too long for a control socket; tether devices cannot reach this host');
    return null;
  }
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    if (sockets.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.length > MAX_LINE_BYTES && !buffer.includes('\n')) {
        socket.end(JSON.stringify({ ok: false, error: new TetherError('CONTROL_INVALID', `a request line is at most ${MAX_LINE_BYTES} bytes`).toJSON() }) + '\n');
        return;
      }
      let at: number;
      while ((at = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 1);
        const request = decodeControlRequest(line);
        const reply: ControlReply = request instanceof TetherError ? { ok: false, error: request.toJSON() } : handleControlRequest(trust, request);
        if (request instanceof TetherError) log.warn({ code: request.code }, `control socket: ${request.message}`);
        socket.write(JSON.stringify(reply) + '\n');
      }
    });
  });
  removeQuietly(path);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    chmodSync(path, 0o600);
  } catch (err) {
    log.warn({ err: String(err), path }, 'cannot listen on the control socket; tether devices cannot reach this host');
    return null;
  }
  // Changes made here reach the user's other running hosts too.
  trust.shareWithOtherHosts = (request) => {
    void askRunningHosts(stateDir, request, 3000, process.pid).catch((err: unknown) => log.warn({ err: String(err) }, 'could not tell other hosts'));
  };
  return async () => {
    trust.shareWithOtherHosts = null;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    removeQuietly(path);
  };
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    // Nothing to remove is the usual case.
    void err;
  }
}

/** Sends `request` to one host's socket; null when nothing listens there (a stale socket is removed). */
function ask(path: string, request: ControlRequest, timeoutMs: number): Promise<ControlReply | null> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let buffer = '';
    const done = (reply: ControlReply | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const at = buffer.indexOf('\n');
      if (at < 0) return;
      try {
        done(JSON.parse(buffer.slice(0, at)) as ControlReply);
      } catch {
        // A host that answers garbage is not one we can use.
        done(null);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') removeQuietly(path);
      done(null);
    });
  });
}

/** Sends `request` to every running host of the user (but `exceptPid`); the replies of those that answered. */
export async function askRunningHosts(stateDir: string, request: ControlRequest, timeoutMs = 3000, exceptPid: number | null = null): Promise<ControlReply[]> {
  let names: string[];
  try {
    names = readdirSync(stateDir).filter((n) => /^control-\d+\.sock$/.test(n) && n !== `control-${exceptPid}.sock`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const replies = await Promise.all(names.map((n) => ask(join(stateDir, n), request, timeoutMs)));
  return replies.filter((r): r is ControlReply => r !== null);
}
