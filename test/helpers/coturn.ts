/**
 * A real coturn (Debian's `turnserver`) for tests and benchmarks: written config in a temp folder, one
 * address, a free port picked first (turnserver cannot take port 0), REST credentials from a shared
 * secret (`use-auth-secret`), no TLS, no CLI, no persistence. Ready once it answers a STUN binding request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait-for.js';
import { freePort } from './free-port.js';

/** A running coturn. */
export interface Coturn {
  address: string;
  port: number;
  /** The shared secret, and a file holding it (for --turn-secret). */
  secret: string;
  secretFile: string;
  /** Everything it logged. */
  log(): string;
  stop(): Promise<void>;
}

/** True when a STUN binding request to address:port gets any answer within 300 ms. */
function answersStun(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0);
    request.writeUInt32BE(0x2112a442, 4);
    randomBytes(12).copy(request, 8);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 300);
    s.once('message', () => done(true));
    s.once('error', () => done(false));
    s.send(request, port, address);
  });
}

/** Starts coturn on `address` (default loopback); relay ports come from a random range of 200. */
export async function startCoturn(address = '127.0.0.1'): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-coturn-'));
  const port = await freePort(address);
  const secret = randomBytes(24).toString('base64url');
  const secretFile = join(dir, 'turn-secret');
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  const minPort = 20000 + Math.floor(Math.random() * 200) * 200;
  writeFileSync(
    join(dir, 'turnserver.conf'),
    [
      `listening-ip=${address}`,
      `listening-port=${port}`,
      `relay-ip=${address}`,
      `min-port=${minPort}`,
      `max-port=${minPort + 199}`,
      'realm=tether.test',
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      'fingerprint',
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-multicast-peers',
      // Every address in these tests is loopback or a private test network.
      'allow-loopback-peers',
      `pidfile=${join(dir, 'turnserver.pid')}`,
      `userdb=${join(dir, 'turndb')}`,
      'log-file=stdout',
      'simple-log',
      'no-software-attribute',
    ].join('\n') + '\n',
  );
  const child: ChildProcess = spawn('turnserver', ['-c', join(dir, 'turnserver.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(async () => child.exitCode !== null || (await answersStun(address, port)), 10_000, 'coturn answers STUN');
    if (child.exitCode !== null) throw new Error(`turnserver exited: ${output.slice(-2000)}`);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    address,
    port,
    secret,
    secretFile,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
