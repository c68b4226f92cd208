/**
 * Small, dependency-free byte helpers shared by Node and the browser:
 * base64url (ids and keys in URLs) and UTF-8.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Encodes bytes as unpadded base64url, directly from the alphabet: a keystroke's intent id is encoded on
 * its way out, where btoa's binary string and three regex passes cost more than the encoding itself.
 * Every input is small (ids, keys, hashes, signatures, a state vector).
 */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]! + BASE64URL[(n >> 6) & 63]! + BASE64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]! + (rest === 2 ? BASE64URL[(n >> 6) & 63]! : '');
  }
  return out;
}

/** Decodes unpadded base64url; throws on characters outside the alphabet. */
export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** UTF-8 encode. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Writes `text` as UTF-8 into `out` from `at`, as `utf8` would encode it, and returns the frame it
 * completes (`out` up to the last byte written), or null when `out` is too small for it.
 */
export function utf8Into(text: string, out: Uint8Array, at: number): Uint8Array | null {
  const { read, written } = encoder.encodeInto(text, out.subarray(at));
  return read === text.length ? out.subarray(0, at + written) : null;
}

/** Strict UTF-8 decode: throws on invalid sequences. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * `parts` joined into one new array: one allocation and one copy of each part. For a small header before
 * a large payload this beats lib0's encoder, which grows from 100 bytes and copies the payload two or
 * three times (a host streaming output made ~250 MB/s of such garbage).
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
