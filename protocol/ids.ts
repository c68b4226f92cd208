/**
 * Random identifiers and secrets. Session ids and peer ids are 128-bit, the session key is 256-bit,
 * all base64url so they sit in URLs unescaped. `crypto.getRandomValues` works on plain-http pages too.
 */
import { toBase64Url } from './encoding.js';

/** Pattern of a 128-bit id: 22 base64url characters. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** Pattern of a 256-bit key: 43 base64url characters. */
export const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function randomBase64Url(byteLength: number): string {
  const bytes = new Uint8Array(byteLength);
  globalThis.crypto.getRandomValues(bytes);
  return toBase64Url(bytes);
}

/**
 * Random bytes drawn ahead for ids, 64 ids' worth per call to the system's generator: a keystroke's
 * intent takes a new id, and a call into the generator after the page sat idle costs 25–40 µs on the
 * keystroke's way out (measured in Chromium); a used byte is never handed out again.
 */
const ID_POOL_BYTES = 64 * 16;
let idPool = new Uint8Array(0);
let idPoolAt = idPool.length;

/** The next 16 unused random bytes of the pool. */
function nextIdBytes(): Uint8Array {
  if (idPoolAt + 16 > idPool.length) {
    idPool = new Uint8Array(ID_POOL_BYTES);
    globalThis.crypto.getRandomValues(idPool);
    idPoolAt = 0;
  }
  const bytes = idPool.subarray(idPoolAt, idPoolAt + 16);
  idPoolAt += 16;
  return bytes;
}

/**
 * A new 128-bit id (sessions, peers, intents, devices). Never begins with "-": ids are typed on command
 * lines (`tether sessions prune ID`), where that would read as an option. (One draw in 64 is redrawn.)
 */
export function newId(): string {
  for (;;) {
    const id = toBase64Url(nextIdBytes());
    if (!id.startsWith('-')) return id;
  }
}

/** A new 256-bit session key; it only ever travels in a URL fragment. */
export function newKey(): string {
  return randomBase64Url(32);
}

/**
 * A new per-session owner secret for `host:register` (256-bit, base64url). The host keeps it to prove
 * it still owns a session id when it re-registers; it never appears in a link.
 */
export function newOwnerSecret(): string {
  return randomBase64Url(32);
}
