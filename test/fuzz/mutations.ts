/**
 * Arbitraries for hostile input: strings and values an attacker would try (huge, unicode, lone surrogates,
 * escape sequences, prototype keys, edge numbers), and mutations of valid encodings — bytes flipped,
 * inserted, deleted, truncated, duplicated; JSON fields replaced, dropped or added.
 */
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';

/** Strings that break naive validators: control and format characters, escapes, lone surrogates. */
const NASTY_PIECES = [
  '', ' ', '\0', '\t', '\r', '\n', '\r\n', '\x1b', '\x1b[2K\r', '\x1b]52;c;cHduZWQ=\x07', '\x1bP+q\x1b\\', '\x9b31m', '\x7f',
  '\u0085', '\u00a0', '\u200b', '\u200d', '\u2028', '\u2029', '\u202e', '\u2066', '\ufeff', '\ud800', '\udfff', '\ud83d\ude00',
  '%00', '%2F', '../', '..\\', '/', '\\', '#', '?', '@', ':', '//', 'javascript:', '__proto__', 'constructor', 'null', 'NaN',
];

/** Hostile strings: arbitrary graphemes and code units, nasty pieces glued together, and huge repeats. */
export function hostileString(options: { maxHuge?: number } = {}): fc.Arbitrary<string> {
  const maxHuge = options.maxHuge ?? 300_000;
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 3, arbitrary: fc.array(fc.constantFrom(...NASTY_PIECES), { minLength: 1, maxLength: 6 }).map((p) => p.join('')) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{20,45}$/) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('a', 'é', '😀', '\x1b', ' ', '\u202e'), fc.integer({ min: 1_000, max: maxHuge }))
        .map(([piece, n]) => piece.repeat(n)),
    },
  );
}

/** Numbers at the edges: zero and minus zero, fractions, 2^31, 2^53 and past it, huge, tiny, negative. */
const EDGE_NUMBERS = [0, -0, -1, 1, 0.5, 1.5, 255, 256, 65_535, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324];

/** Any hostile JSON value: edge numbers, hostile strings, wrong types, nested junk. */
export function hostileJson(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: hostileString() },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(...EDGE_NUMBERS, null, true, false, [], {}, [null], { '': '' }) },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** Keys worth adding to an object: prototype keys, empty, unicode, and names of real fields. */
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'id', 'type', 'v', 'kind', 'ch', 'data', '\u202e', '😀'];

/** Sets an own property the way JSON.parse would, even for `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

type JsonOp =
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'delete'; at: number }
  | { op: 'add'; at: number; key: string; value: unknown }
  | { op: 'wrap'; at: number };

/** Every container path in `value` (objects and arrays), root first, and every leaf path. */
function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function getAt(root: unknown, path: Array<string | number>): unknown {
  let v: unknown = root;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  return v;
}

/** Applies one op to a deep copy's node; returns the (possibly new) root. */
function applyJsonOp(root: unknown, op: JsonOp): unknown {
  const all = paths(root);
  const path = all[op.at % all.length]!;
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  const parent = path.length === 0 ? null : (getAt(root, parentPath) as Record<string | number, unknown>);
  const replace = (value: unknown): unknown => {
    if (!parent) return value;
    if (Array.isArray(parent)) parent[last as number] = value;
    else setOwn(parent as Record<string, unknown>, String(last), value);
    return root;
  };
  switch (op.op) {
    case 'replace':
      return replace(op.value);
    case 'wrap':
      return replace([getAt(root, path)]);
    case 'delete':
      if (!parent) return undefined;
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete (parent as Record<string, unknown>)[String(last)];
      return root;
    case 'add': {
      const node = getAt(root, path);
      if (Array.isArray(node)) node.push(op.value);
      else if (node !== null && typeof node === 'object') setOwn(node as Record<string, unknown>, op.key, op.value);
      else return replace({ [op.key]: node });
      return root;
    }
  }
}

const jsonOp: fc.Arbitrary<JsonOp> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: hostileJson() }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HOSTILE_KEYS) }, { weight: 4, arbitrary: fc.string({ maxLength: 8 }) }, { weight: 1, arbitrary: hostileString({ maxHuge: 4_000 }) }), value: hostileJson() }),
  fc.record({ op: fc.constant('wrap' as const), at: fc.nat() }),
);

/** A valid JSON value with one to `maxOps` structural mutations. */
export function mutateJson(valid: fc.Arbitrary<unknown>, maxOps = 3): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.array(jsonOp, { minLength: 1, maxLength: maxOps })).map(([value, ops]) => {
    // Copies throughout: generated values (constants above all) are shared between runs and must not change.
    let root: unknown = structuredClone(value);
    for (const op of ops) root = applyJsonOp(root, 'value' in op ? { ...op, value: structuredClone(op.value) } : op);
    return root;
  });
}

type ByteOp =
  | { op: 'set'; at: number; value: number }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'duplicate'; at: number; length: number };

const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 0x7e, 0x7f, 0x80, 0xff)) }),
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 32 }) }),
);

function applyByteOp(bytes: Uint8Array, op: ByteOp): Uint8Array {
  const at = bytes.length === 0 ? 0 : op.at % (bytes.length + (op.op === 'insert' ? 1 : 0));
  const concat = (...parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let i = 0;
    for (const p of parts) {
      out.set(p, i);
      i += p.length;
    }
    return out;
  };
  switch (op.op) {
    case 'set':
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const out = Uint8Array.from(bytes);
      out[at] = op.op === 'set' ? op.value : out[at]! ^ (1 << op.bit);
      return out;
    }
    case 'insert':
      return concat(bytes.subarray(0, at), op.bytes, bytes.subarray(at));
    case 'delete':
      return concat(bytes.subarray(0, at), bytes.subarray(at + op.length));
    case 'truncate':
      return bytes.slice(0, at);
    case 'duplicate':
      return concat(bytes.subarray(0, at + op.length), bytes.subarray(at));
  }
}

/** A valid encoding with one to `maxOps` byte-level mutations. */
export function mutateBytes(valid: fc.Arbitrary<Uint8Array>, maxOps = 4): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, fc.array(byteOp, { minLength: 1, maxLength: maxOps })).map(([bytes, ops]) => ops.reduce(applyByteOp, bytes));
}

type TextOp = { op: 'insert'; at: number; text: string } | { op: 'delete'; at: number; length: number } | { op: 'upper'; at: number };

const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...NASTY_PIECES), fc.string({ unit: 'grapheme', maxLength: 4 })) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('upper' as const), at: fc.nat() }),
);

/** A valid string (a link, a command line) with one to `maxOps` edits: pieces inserted, ranges deleted, case changed. */
export function mutateText(valid: fc.Arbitrary<string>, maxOps = 3): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.array(textOp, { minLength: 1, maxLength: maxOps })).map(([text, ops]) =>
    ops.reduce((s, op) => {
      const at = op.at % (s.length + 1);
      if (op.op === 'insert') return s.slice(0, at) + op.text + s.slice(at);
      if (op.op === 'delete') return s.slice(0, at) + s.slice(at + op.length);
      return s.slice(0, at) + s.slice(at, at + 1).toUpperCase() + s.slice(at + 1);
    }, text),
  );
}

/**
 * A session frame `[tag][varuint channel][body]` for any channel number, out of range ones included (what
 * a hostile device can send; encodeChannelFrame refuses to build those).
 */
export function anyChannelFrame(tag: number, channel: number, body: Uint8Array): Uint8Array {
  return encoding.encode((e) => {
    encoding.writeUint8(e, tag);
    encoding.writeVarUint(e, channel);
    encoding.writeUint8Array(e, body);
  });
}
