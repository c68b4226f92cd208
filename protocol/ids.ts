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
 * A new 128-bit id (sessions, peers, intents, devices). Never begins with "-": ids are typed on command
 * lines (`tether sessions prune ID`), where that would read as an option. (One draw in 64 is redrawn.)
 */
export function newId(): string {
  for (;;) {
    const id = randomBase64Url(16);
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
