/**
 * Schemas built on first use (protocol/lazy-schema.ts): nothing is built before it is used, a stand-in
 * validates, composes and reports errors exactly as the schema it stands for, and the lists spelled out
 * beside the lazy unions (so that reading them does not build the unions) match the unions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as z from '../../protocol/zod.js';
import { lazySchema } from '../../protocol/lazy-schema.js';
import { WORKSPACE_INTENT_TYPES, WorkspaceIntentSchema } from '../../protocol/workspace.js';
import { HostHelloSchema, IntentSchema, LIST_INTENT_TYPES, ListIntentSchema } from '../../protocol/messages.js';

describe('a lazy schema', () => {
  it('is built once, on first use, not when defined', () => {
    let builds = 0;
    const Name = lazySchema(() => {
      builds++;
      return z.string().check(z.minLength(1), z.maxLength(8));
    });
    assert.equal(builds, 0);
    assert.equal(Name.parse('tether'), 'tether');
    assert.equal(Name.safeParse('').success, false);
    assert.equal(builds, 1);
  });

  it('validates inside other schemas, and is extended, made optional and refined like the schema itself', () => {
    const Id = lazySchema(() => z.string().check(z.regex(/^[a-z]+$/)));
    const Item = lazySchema(() => z.strictObject({ id: Id, n: z.int() }));
    const Wider = lazySchema(() => z.extend(Item, { note: z.optional(z.string()) }));
    assert.deepEqual(Wider.parse({ id: 'abc', n: 1, note: 'x' }), { id: 'abc', n: 1, note: 'x' });
    const bad = Wider.safeParse({ id: 'ABC', n: 1.5, extra: true });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error!.issues.map((i) => i.path.join('.')).sort(), ['', 'id', 'n']);
    assert.equal(z.optional(Id).parse(undefined), undefined);
    assert.equal(Item.check(z.refine((v) => v.n > 0)).safeParse({ id: 'a', n: 0 }).success, false);
    assert.deepEqual(Object.keys(Item.shape), ['id', 'n']);
    assert.ok(Item instanceof z.ZodMiniObject);
  });

  it('reports the same issues as a schema built at once (the protocol\'s own)', () => {
    const eager = z.strictObject({ type: z.literal('hello'), v: z.int().check(z.positive()) });
    const lazy = lazySchema(() => z.strictObject({ type: z.literal('hello'), v: z.int().check(z.positive()) }));
    for (const input of [{ type: 'hello', v: 1 }, { type: 'hello', v: -1 }, { type: 'bye' }, null, 'x', { type: 'hello', v: 2, more: 1 }]) {
      assert.deepEqual(lazy.safeParse(input), eager.safeParse(input));
    }
    assert.equal(HostHelloSchema.safeParse({ type: 'hello' }).success, false);
    assert.equal(IntentSchema.safeParse({ id: 'a', type: 'nonsense' }).success, false);
  });
});

describe('lists spelled out beside lazy unions', () => {
  it('the workspace intent types are exactly the union\'s', () => {
    const fromUnion = new Set(WorkspaceIntentSchema.def.options.flatMap((o) => o.shape.type.def.values));
    assert.deepEqual([...WORKSPACE_INTENT_TYPES].sort(), [...fromUnion].sort());
  });

  it('the list\'s intent types are exactly the union\'s', () => {
    const fromUnion = new Set(ListIntentSchema.def.options.flatMap((o) => o.shape.type.def.values));
    assert.deepEqual([...LIST_INTENT_TYPES].sort(), [...fromUnion].sort());
  });
});
