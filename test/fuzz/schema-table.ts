/** A table of schemas, each with an arbitrary of values it must accept, and the property that checks them. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type * as z from '../../protocol/zod.js';
import { fuzzProperty, type FuzzProperty } from './fuzz-property.js';

/** Schemas by name, each with well-formed values (the seeds that the mutating properties start from). */
export type SchemaTable = Record<string, { schema: z.ZodMiniType<unknown>; valid: fc.Arbitrary<unknown> }>;

/** Every schema accepts its valid values: otherwise the mutating properties would start from junk. */
export function validValuesAccepted(name: string, table: SchemaTable): FuzzProperty {
  return fuzzProperty({
    name,
    arbitrary: fc.oneof(...Object.entries(table).map(([schema, s]) => s.valid.map((value) => ({ schema, value })))),
    check: ({ schema, value }) => {
      const parsed = table[schema]!.schema.safeParse(value);
      assert.ok(parsed.success, `${schema} refused a valid value: ${parsed.error?.issues[0]?.message}`);
    },
    runs: { short: 200, long: 5_000 },
  });
}
