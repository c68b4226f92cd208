/**
 * Fuzz properties of the signaling protocol (protocol/signaling.ts): every envelope and payload schema
 * fed arbitrary values and mutated valid envelopes gives a parse result, never a throw; what passes holds
 * its bounds and survives socket.io's JSON encoding; what fails can be described as the server does.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type * as z from '../../protocol/zod.js';
import * as signaling from '../../protocol/signaling.js';
import { ID_PATTERN } from '../../protocol/ids.js';
import { fuzzProperty, type FuzzProperty } from './fuzz-property.js';
import { validValuesAccepted, type SchemaTable } from './schema-table.js';
import { hostileJson, mutateJson } from './mutations.js';
import { envelopesBySchema, aSignalPayload } from './valid-messages.js';

/** Every schema the signal server, a host or a device validates an envelope or payload with. */
const SCHEMAS: SchemaTable = {
  ...Object.fromEntries(Object.entries(envelopesBySchema).map(([name, arb]) => [name, { schema: (signaling as unknown as Record<string, z.ZodMiniType<unknown>>)[name]!, valid: arb as fc.Arbitrary<unknown> }])),
  ChallengeSchema: { schema: signaling.ChallengeSchema, valid: aSignalPayload.filter((p) => p.kind === 'challenge') },
  OfferSchema: { schema: signaling.OfferSchema, valid: aSignalPayload.filter((p) => p.kind === 'offer') },
  OfferAuthSchema: { schema: signaling.OfferAuthSchema, valid: aSignalPayload.filter((p) => p.kind === 'offer').map((p) => (p as { auth: unknown }).auth) },
  AnswerSchema: { schema: signaling.AnswerSchema, valid: aSignalPayload.filter((p) => p.kind === 'answer') },
  RejectSchema: { schema: signaling.RejectSchema, valid: aSignalPayload.filter((p) => p.kind === 'reject') },
};

/** Checks every string in an accepted envelope against the limits the protocol promises. */
function assertBounded(value: unknown, key = ''): void {
  if (typeof value === 'string') {
    if (['sessionId', 'peerId', 'nonce', 'hostKeyId', 'tokenId', 'credentialId'].includes(key)) assert.match(value, ID_PATTERN, key);
    if (key === 'sdp') assert.ok(value.length >= 1 && value.length <= signaling.MAX_SDP_BYTES);
  } else if (Array.isArray(value)) value.forEach((v) => assertBounded(v, key));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) assertBounded(v, k);
}

/** Inputs for one schema: valid, mutated, hostile JSON, or any JavaScript value at all (socket.io carries binary too). */
function inputsFor(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 1, arbitrary: valid },
    { weight: 5, arbitrary: mutateJson(valid) },
    { weight: 1, arbitrary: hostileJson() },
    { weight: 1, arbitrary: fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withDate: true, withNullPrototype: true, withBigInt: true }) },
  );
}

/** Signaling envelope and payload properties. */
export const signalingProperties: FuzzProperty[] = [
  validValuesAccepted('signaling/valid-envelopes-accepted', SCHEMAS),
  fuzzProperty({
    name: 'signaling/every-schema-parses-without-throwing',
    arbitrary: fc.oneof(...Object.entries(SCHEMAS).map(([schema, s]) => inputsFor(s.valid).map((value) => ({ schema, value })))),
    check: ({ schema, value }) => {
      const s = SCHEMAS[schema]!.schema;
      const parsed = s.safeParse(value);
      if (!parsed.success) {
        // What the signal server answers with (connection-handler.ts) must be buildable from any issue.
        const issue = parsed.error.issues[0];
        assert.equal(typeof `${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`, 'string');
        return;
      }
      assertBounded(parsed.data);
      // What the server accepts it relays through socket.io (JSON): the other side must accept it too.
      const relayed = JSON.parse(JSON.stringify(parsed.data)) as unknown;
      assert.ok(s.safeParse(relayed).success, 'an accepted envelope still validates after the JSON relay');
    },
    runs: { short: 800, long: 20_000 },
  }),
];
