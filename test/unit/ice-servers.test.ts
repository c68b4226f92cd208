/**
 * STUN/TURN servers at every boundary: the schema (tables of valid and invalid entries), the challenge
 * and ack that carry them, coturn's REST credentials, the path names, and the flags and config file.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IceServersSchema, MAX_ICE_SERVERS, parseIceServers, pathOf } from '../../protocol/ice-servers.js';
import { ChallengeSchema, SignalAckSchema } from '../../protocol/signaling.js';
import { createIceProvider, mintTurnCredentials } from '../../signal/ice-provider.js';
import { parseCli, type RemoteControlCommand, type SignalCommand } from '../../host/cli-args.js';
import { TetherError } from '../../protocol/errors.js';
import { newId } from '../../protocol/ids.js';

const dir = mkdtempSync(join(tmpdir(), 'relay-ice-'));
const secretFile = join(dir, 'secret');
writeFileSync(secretFile, 'not-a-real-secret\n');
const env = { HOME: dir, SHELL: '/bin/sh' };
const rc = (...argv: string[]): RemoteControlCommand => parseCli(['remote-control', ...argv], env, '/') as RemoteControlCommand;
const signal = (...argv: string[]): SignalCommand => parseCli(['signal', ...argv], env, '/') as SignalCommand;
after(() => rmSync(dir, { recursive: true, force: true }));

function badFlag(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof TetherError && err.code === 'BAD_FLAG' && pattern.test(err.message));
}

describe('ICE server schema', () => {
  const valid: unknown[] = [
    { urls: 'stun:stun.example.com' },
    { urls: 'stun:192.0.2.1:3478' },
    { urls: ['stun:[2001:db8::1]:3478', 'stun:stun.example.com'] },
    { urls: 'turn:turn.example.com:3478?transport=udp', username: '1700000000:tether', credential: 'abc+/=' },
    { urls: 'turns:turn.example.com:5349?transport=tcp', username: 'u', credential: 'c' },
  ];
  const invalid: Array<[string, unknown]> = [
    ['http URL', { urls: 'https://example.com' }],
    ['user info', { urls: 'turn:user:pass@example.com', username: 'u', credential: 'c' }],
    ['spaces', { urls: 'stun:example.com evil' }],
    ['TURN without credentials', { urls: 'turn:example.com' }],
    ['control character in username', { urls: 'turn:example.com', username: 'u\x1b[2J', credential: 'c' }],
    ['long credential', { urls: 'turn:example.com', username: 'u', credential: 'c'.repeat(257) }],
    ['unknown field', { urls: 'stun:example.com', credentialType: 'oauth' }],
    ['five URLs', { urls: Array.from({ length: 5 }, (_, i) => `stun:s${i}.example.com`) }],
  ];
  it('accepts the RTCIceServer shapes browsers take', () => {
    for (const s of valid) assert.equal(IceServersSchema.safeParse([s]).success, true, JSON.stringify(s));
  });
  it('refuses anything else, and more than a few servers', () => {
    for (const [what, s] of invalid) assert.equal(IceServersSchema.safeParse([s]).success, false, what);
    const many = Array.from({ length: MAX_ICE_SERVERS + 1 }, () => ({ urls: 'stun:example.com' }));
    assert.equal(IceServersSchema.safeParse(many).success, false);
    assert.deepEqual(parseIceServers(many), [], 'an untrusted list that is not valid is ignored whole');
  });
  it('a challenge and an ack may carry them, bounded', () => {
    const base = { kind: 'challenge', nonce: newId(), hostKeyId: newId() };
    assert.equal(ChallengeSchema.safeParse(base).success, true);
    assert.equal(ChallengeSchema.safeParse({ ...base, iceServers: [valid[3]] }).success, true);
    assert.equal(ChallengeSchema.safeParse({ ...base, iceServers: [{ urls: 'turn:x' }] }).success, false);
    assert.equal(SignalAckSchema.safeParse({ ok: true, iceServers: [valid[0]], iceTtlSeconds: 3600 }).success, true);
    assert.equal(SignalAckSchema.safeParse({ ok: true, iceServers: [{ urls: 'ftp:x' }] }).success, false);
  });
  it('names the path from the selected pair\'s candidate types', () => {
    assert.equal(pathOf('host', 'host'), 'direct');
    assert.equal(pathOf('prflx', 'host'), 'direct');
    assert.equal(pathOf('srflx', 'host'), 'stun');
    assert.equal(pathOf('host', 'relay'), 'relay');
    assert.equal(pathOf('srflx', 'relay'), 'relay');
  });
});

describe('TURN credentials (coturn use-auth-secret)', () => {
  it('username is the expiry time, credential base64 HMAC-SHA1 of it', () => {
    const now = Date.UTC(2030, 0, 1);
    const { username, credential } = mintTurnCredentials('s3cret', 3600, now);
    assert.equal(username, `${now / 1000 + 3600}:tether`);
    assert.equal(credential, createHmac('sha1', 's3cret').update(username).digest('base64'));
  });
  it('a provider hands out STUN as is and fresh TURN credentials each time', () => {
    let t = 1_000_000_000_000;
    const provider = createIceProvider({ servers: [{ urls: 'stun:s.example.com' }], turn: { urls: ['turn:t.example.com:3478'], secret: 'k', ttlSeconds: 600 } }, () => t);
    const a = provider!.issue()!;
    t += 5000;
    const b = provider!.issue()!;
    assert.deepEqual(a.iceServers[0], { urls: ['stun:s.example.com'] });
    assert.equal(a.iceTtlSeconds, 600);
    assert.notEqual(a.iceServers[1]!.username, b.iceServers[1]!.username);
    assert.equal(IceServersSchema.safeParse(a.iceServers).success, true);
    assert.equal(createIceProvider({ servers: [] }), null);
  });
});

describe('STUN/TURN flags and the config file', () => {
  it('stun: URLs and the config file\'s servers reach the host; turn: URLs are minted with --turn-secret', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ iceServers: [{ urls: 'turn:t.example.com', username: 'u', credential: 'c' }] }));
    const cmd = rc('--ice-server', 'stun:s.example.com:3478', '--config', join(dir, 'config.json'), '--ice-server', 'turn:127.0.0.1:3478', '--turn-secret', secretFile, '--turn-ttl', '2h', '--ice-transport', 'relay');
    assert.deepEqual(cmd.iceServers, [{ urls: 'stun:s.example.com:3478' }, { urls: 'turn:t.example.com', username: 'u', credential: 'c' }]);
    assert.deepEqual(cmd.turn, { urls: ['turn:127.0.0.1:3478'], secret: 'not-a-real-secret', ttlSeconds: 7200 });
    assert.equal(cmd.iceTransportPolicy, 'relay');
    const sig = signal('--ice-server', 'stun:s.example.com', '--ice-server', 'turns:t.example.com:5349', '--turn-secret', secretFile);
    assert.deepEqual(sig.ice.servers, [{ urls: 'stun:s.example.com' }]);
    assert.deepEqual(sig.ice.turn?.urls, ['turns:t.example.com:5349']);
  });
  it('refuses what cannot work, with one line', () => {
    badFlag(() => rc('--ice-server', 'turn:t.example.com'), /needs credentials/);
    badFlag(() => rc('--ice-server', 'http://x'), /--ice-server must be/);
    badFlag(() => rc('--turn-secret', secretFile), /at least one --ice-server turn:/);
    badFlag(() => rc('--signal', 'https://sig.example.com', '--ice-server', 'turn:t', '--turn-secret', secretFile), /standalone/);
    badFlag(() => rc('--ice-server', 'turn:t', '--turn-secret', join(dir, 'missing')), /cannot read/);
    badFlag(() => rc('--ice-transport', 'tcp'), /all or relay/);
    badFlag(() => rc('--ice-server', 'turn:t', '--turn-secret', secretFile, '--turn-ttl', '5s'), /60s to 30d/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ iceServers: [{ urls: 'turn:t.example.com' }] }));
    assert.throws(() => rc('--config', join(dir, 'bad.json')), (err: unknown) => err instanceof TetherError && err.code === 'BAD_CONFIG' && /iceServers\.0.*username and a credential/.test(err.message));
    badFlag(() => signal('--tls-cert', secretFile), /go together/);
    badFlag(() => signal('--tls-cert', secretFile, '--tls-key', secretFile), /not a PEM certificate/);
    badFlag(() => signal('--redis', 'http://localhost:6379'), /redis:\/\//);
    assert.equal(signal('--redis', 'redis://127.0.0.1:6379/0').redisUrl, 'redis://127.0.0.1:6379/0');
  });
});
