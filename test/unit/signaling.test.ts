import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as z from '../../protocol/zod.js';
import {
  ClientJoinSchema,
  HostEnvelopeSchema,
  HostLeftSchema,
  HostRegisterSchema,
  HostUnregisterSchema,
  MAX_SDP_BYTES,
  PeerEnvelopeSchema,
  PeerLeftSchema,
  RejectSchema,
  SignalAckSchema,
  SignalEvents,
  SignalPayloadSchema,
  OfferSchema,
  AnswerSchema,
  KnockSchema,
  ChallengeSchema,
} from '../../protocol/signaling.js';
import { decodeJson, encodeJson } from '../../protocol/messages.js';
import { newId, newKey } from '../../protocol/ids.js';
import { tokenId, tokenMac } from '../../protocol/auth-digests.js';
import { utf8 } from '../../protocol/encoding.js';

const sessionId = newId();
const peerId = newId();
const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n';
const nonce = newId();
const mac = tokenMac(newKey(), { kind: 'offer', sessionId, peerId, nonce, body: sdp });

type Row = [name: string, value: unknown];

/** Asserts every `valid` row parses (to an equal value) and every `invalid` row does not. */
function table(schema: z.ZodMiniType<unknown>, valid: Row[], invalid: Row[]): void {
  for (const [name, value] of valid) {
    it(`accepts ${name}`, () => {
      const r = schema.safeParse(value);
      assert.equal(r.success, true, r.success ? '' : JSON.stringify(r.error.issues));
      assert.deepEqual(r.data, value);
    });
  }
  for (const [name, value] of invalid) {
    it(`rejects ${name}`, () => {
      assert.equal(schema.safeParse(value).success, false);
    });
  }
}

const badIds: Row[] = [
  ['21 characters', newId().slice(1)],
  ['23 characters', newId() + 'A'],
  ['a character outside base64url', newId().slice(1) + '+'],
  ['padding', newId().slice(2) + '=='],
  ['a number', 12345],
  ['empty', ''],
  ['null', null],
];

describe('ClientJoinSchema', () => {
  const ok = { v: 1, sessionId, peerId };
  table(
    ClientJoinSchema,
    [
      ['a join', ok],
      ['a future protocol version', { ...ok, v: 7 }],
    ],
    [
      ['v 0', { ...ok, v: 0 }],
      ['v negative', { ...ok, v: -1 }],
      ['v fractional', { ...ok, v: 1.5 }],
      ['v as a string', { ...ok, v: '1' }],
      ['a missing v', { sessionId, peerId }],
      ['a missing peerId', { v: 1, sessionId }],
      ['an extra key (strict)', { ...ok, key: newKey() }],
      ['an array', [1, sessionId, peerId]],
      ['null', null],
      ...badIds.map(([n, id]): Row => [`a sessionId: ${n}`, { ...ok, sessionId: id }]),
      ...badIds.map(([n, id]): Row => [`a peerId: ${n}`, { ...ok, peerId: id }]),
    ],
  );
});

describe('HostRegisterSchema', () => {
  const ok = { v: 1, sessionId, owner: newKey() };
  table(
    HostRegisterSchema,
    [['a register', ok]],
    [
      ['v 0', { ...ok, v: 0 }],
      ['a missing sessionId', { v: 1, owner: ok.owner }],
      ['a missing owner secret', { v: 1, sessionId }],
      ['a short owner secret', { ...ok, owner: ok.owner.slice(1) }],
      ['an owner secret that is not base64url', { ...ok, owner: `${ok.owner.slice(1)}+` }],
      ['an extra key (strict)', { ...ok, peerId }],
      ['a key in the register (the server must never see it)', { ...ok, key: newKey() }],
      ...badIds.map(([n, id]): Row => [`a sessionId: ${n}`, { ...ok, sessionId: id }]),
    ],
  );
});

describe('HostUnregisterSchema', () => {
  const ok = { v: 1, sessionId };
  table(
    HostUnregisterSchema,
    [['an unregister', ok]],
    [
      ['an owner secret (not needed: only the hosting connection may unregister)', { ...ok, owner: newKey() }],
      ['a missing sessionId', { v: 1 }],
    ],
  );
});

describe('SignalPayloadSchema', () => {
  const auth = { method: 'token', tokenId: tokenId(newKey()), mac };
  const sig = 'A'.repeat(86);
  const offer = { kind: 'offer', sdp, nonce, auth };
  table(
    SignalPayloadSchema,
    [
      ['a knock', { kind: 'knock' }],
      ['a challenge', { kind: 'challenge', nonce, hostKeyId: newId() }],
      ['an offer with a token MAC', offer],
      ['an offer with a device signature', { ...offer, auth: { method: 'device', credentialId: newId(), sig } }],
      ['an answer with a MAC', { kind: 'answer', sdp, mac }],
      ['an answer with a signature', { kind: 'answer', sdp, sig }],
      ['an SDP of exactly MAX_SDP_BYTES', { ...offer, sdp: 'a'.repeat(MAX_SDP_BYTES) }],
      ['a reject with a registry code', { kind: 'reject', code: 'MAC_INVALID', message: 'bad mac' }],
      ['a reject with an empty message', { kind: 'reject', code: 'KEY_REJECTED', message: '' }],
      ['an authenticated reject', { kind: 'reject', code: 'LINK_EXPIRED', message: 'expired', nonce, mac }],
    ],
    [
      ['an SDP one character too long', { ...offer, sdp: 'a'.repeat(MAX_SDP_BYTES + 1) }],
      ['an empty SDP', { ...offer, sdp: '' }],
      ['a non-string SDP', { ...offer, sdp: { type: 'offer' } }],
      ['an offer without auth', { kind: 'offer', sdp, nonce }],
      ['an offer without a nonce (replayable)', { kind: 'offer', sdp, auth }],
      ['an offer with a malformed nonce', { ...offer, nonce: 'x' }],
      ['a 42-character MAC', { ...offer, auth: { ...auth, mac: mac.slice(1) } }],
      ['a 44-character MAC', { ...offer, auth: { ...auth, mac: mac + 'A' } }],
      ['a MAC with a non-base64url character', { ...offer, auth: { ...auth, mac: mac.slice(1) + '/' } }],
      ['an unknown auth method', { ...offer, auth: { ...auth, method: 'password' } }],
      ['a device auth with a short signature', { ...offer, auth: { method: 'device', credentialId: newId(), sig: sig.slice(1) } }],
      ['a token auth without its token id', { ...offer, auth: { method: 'token', mac } }],
      ['an unknown kind', { kind: 'candidate', sdp, mac }],
      ['an extra key on an offer (strict)', { ...offer, type: 'offer' }],
      ['a challenge without a host key id', { kind: 'challenge', nonce }],
      ['a knock with extra data (strict)', { kind: 'knock', sdp }],
      ['a reject with an unknown code', { kind: 'reject', code: 'NOPE', message: 'x' }],
      ['a reject without a message', { kind: 'reject', code: 'MAC_INVALID' }],
      ['a reject with a 501-character message', { kind: 'reject', code: 'MAC_INVALID', message: 'x'.repeat(501) }],
      ['a reject with an extra key (strict)', { kind: 'reject', code: 'MAC_INVALID', message: 'x', sdp }],
      ['a reject carrying an SDP as its code', { kind: 'reject', code: sdp, message: 'x' }],
      ['a string', 'offer'],
    ],
  );

  it('each kind schema accepts only its own kind', () => {
    assert.equal(OfferSchema.safeParse({ kind: 'reject', code: 'MAC_INVALID', message: '' }).success, false);
    assert.equal(AnswerSchema.safeParse(offer).success, false);
    assert.equal(KnockSchema.safeParse({ kind: 'challenge', nonce, hostKeyId: newId() }).success, false);
    assert.equal(ChallengeSchema.safeParse({ kind: 'knock' }).success, false);
    assert.equal(RejectSchema.safeParse(offer).success, false);
  });
});

describe('PeerEnvelopeSchema', () => {
  const offer = { kind: 'offer', sdp, nonce, auth: { method: 'token', tokenId: tokenId(newKey()), mac } };
  const ok = { sessionId, peerId, payload: offer };
  table(
    PeerEnvelopeSchema,
    [
      ['an offer envelope', ok],
      ['an answer envelope', { ...ok, payload: { kind: 'answer', sdp, mac } }],
      ['a reject envelope', { ...ok, payload: { kind: 'reject', code: 'MAC_INVALID', message: 'MAC did not verify' } }],
    ],
    [
      ['an envelope without payload', { sessionId, peerId }],
      ['an envelope with an invalid payload', { ...ok, payload: { ...offer, nonce: 'short' } }],
      ['an envelope with an oversized SDP', { ...ok, payload: { ...offer, sdp: 'x'.repeat(MAX_SDP_BYTES + 1) } }],
      ['an envelope with an extra key (strict)', { ...ok, from: 'host' }],
      ['an envelope with an extra key in the payload (strict)', { ...ok, payload: { ...offer, candidate: 'x' } }],
      ...badIds.map(([n, id]): Row => [`a sessionId: ${n}`, { ...ok, sessionId: id }]),
      ...badIds.map(([n, id]): Row => [`a peerId: ${n}`, { ...ok, peerId: id }]),
    ],
  );

  it('HostEnvelopeSchema is the same schema', () => {
    assert.equal(HostEnvelopeSchema, PeerEnvelopeSchema);
  });
});

describe('PeerLeftSchema and HostLeftSchema', () => {
  describe('PeerLeftSchema', () => {
    table(
      PeerLeftSchema,
      [['a peer left', { sessionId, peerId }]],
      [
        ['a missing peerId', { sessionId }],
        ['an extra key', { sessionId, peerId, reason: 'x' }],
        ['a bad peerId', { sessionId, peerId: 'x' }],
      ],
    );
  });
  describe('HostLeftSchema', () => {
    table(
      HostLeftSchema,
      [['a host left', { sessionId }]],
      [
        ['an extra key', { sessionId, peerId }],
        ['a bad sessionId', { sessionId: 'x' }],
      ],
    );
  });
});

describe('SignalAckSchema', () => {
  table(
    SignalAckSchema,
    [
      ['ok', { ok: true }],
      ['an error', { ok: false, error: { code: 'SESSION_UNKNOWN', message: 'no such session' } }],
    ],
    [
      ['ok false without error', { ok: false }],
      ['ok true with an error', { ok: true, error: { code: 'X', message: 'y' } }],
      ['an error without message', { ok: false, error: { code: 'SESSION_UNKNOWN' } }],
      ['ok as a string', { ok: 'true' }],
      ['an extra key', { ok: true, sessionId }],
    ],
  );
});

describe('signaling messages through decodeJson', () => {
  it('decodes a valid envelope', () => {
    const env = { sessionId, peerId, payload: { kind: 'answer', sdp, mac } };
    assert.deepEqual(decodeJson(PeerEnvelopeSchema, encodeJson(env), 'BAD_ENVELOPE'), env);
  });

  it('throws the given code for a schema mismatch, naming the failing path', () => {
    const env = { sessionId, peerId, payload: { kind: 'answer', sdp: '', mac } };
    assert.throws(() => decodeJson(PeerEnvelopeSchema, encodeJson(env), 'BAD_ENVELOPE'), {
      name: 'TetherError',
      code: 'BAD_ENVELOPE',
      message: /payload/,
    });
  });

  it('throws the given code for non-JSON and non-UTF-8', () => {
    assert.throws(() => decodeJson(ClientJoinSchema, utf8('{"v":1,'), 'BAD_ENVELOPE'), { code: 'BAD_ENVELOPE' });
    assert.throws(() => decodeJson(ClientJoinSchema, new Uint8Array([0x7b, 0xff, 0x7d]), 'BAD_ENVELOPE'), { code: 'BAD_ENVELOPE' });
  });
});

describe('SignalEvents', () => {
  it('has distinct event names', () => {
    const names = Object.values(SignalEvents);
    assert.equal(new Set(names).size, names.length);
  });
});
