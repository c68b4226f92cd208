/**
 * A stand-in for a browser vendor's push service, for tests (there is no internet here): an HTTPS
 * server with a test certificate that records each push, plus a subscription with fabricated keys, as a
 * browser would make — its ECDH key pair and auth secret — so the test can decrypt what the host sent
 * (RFC 8291) and check its VAPID signature (RFC 8292).
 */
import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
// http_ece has no types: decrypt(buffer, { version, privateKey, authSecret }) → Buffer.
// @ts-expect-error untyped CommonJS module
import ece from 'http_ece';
import { makeTestCertificates } from './test-tls.js';
import type { PushSubscriptionInfo } from '../../protocol/push.js';

/** One push as the service received it. */
export interface ReceivedPush {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A browser's side of one subscription. */
export interface FakeSubscriber {
  subscription: PushSubscriptionInfo;
  /** Decrypts a push body sent to this subscription. */
  decrypt(body: Buffer): string;
}

export interface PushService {
  origin: string;
  /** An agent that trusts the service's certificate (what the host's push requests use in tests). */
  agent: Agent;
  received: ReceivedPush[];
  /** The status the service answers for `path` (201 unless set: 410 says the subscription is gone). */
  answer: Map<string, number>;
  subscriber(path: string): FakeSubscriber;
  close(): Promise<void>;
}

export async function startPushService(): Promise<PushService> {
  const certs = makeTestCertificates();
  const received: ReceivedPush[] = [];
  const answer = new Map<string, number>();
  const server: Server = createServer({ cert: readFileSync(certs.cert), key: readFileSync(certs.key) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(answer.get(path) ?? 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent({ ca: readFileSync(certs.ca), keepAlive: false });
  return {
    origin,
    agent,
    received,
    answer,
    subscriber(path: string): FakeSubscriber {
      const ecdh: ECDH = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16).toString('base64url');
      return {
        subscription: { endpoint: `${origin}${path}`, keys: { p256dh: ecdh.getPublicKey('base64url'), auth } },
        decrypt: (body) => (ece.decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }) as Buffer).toString('utf8'),
      };
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Checks a push's VAPID Authorization header (`vapid t=<JWT>, k=<public key>`): the key is `publicKey`,
 * the JWT is ES256-signed by it and its audience is the push service's origin. Returns its claims.
 */
export function verifyVapid(header: string | string[] | undefined, publicKey: string, audience: string): { aud: string; exp: number; sub: string } {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(String(header));
  if (!match) throw new Error(`not a VAPID Authorization header: ${String(header)}`);
  const [, jwt, key] = match as unknown as [string, string, string];
  if (key !== publicKey) throw new Error(`signed with another key: ${key}`);
  const [head, claims, signature] = jwt.split('.') as [string, string, string];
  const point = Buffer.from(publicKey, 'base64url');
  const jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') };
  const ok = verify('sha256', Buffer.from(`${head}.${claims}`), { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!ok) throw new Error('the VAPID signature does not verify');
  const parsed = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { aud: string; exp: number; sub: string };
  if (parsed.aud !== audience) throw new Error(`audience ${parsed.aud}, expected ${audience}`);
  return parsed;
}
