/**
 * A document's fingerprint for comparing replicas across processes: its state vector (base64url) and a
 * SHA-256 of the JSON of every shared type. Two replicas of one host document with equal state vectors
 * hold the same updates; equal digests say their content really is the same.
 */
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { toBase64Url } from '../protocol/encoding.js';

/** What a replica holds. */
export interface DocDigest {
  sv: string;
  hash: string;
}

/** Fingerprints `doc` (all of it: who is connected is not in the documents, so replicas must match exactly). */
export function digest(doc: Y.Doc): DocDigest {
  const content: Record<string, unknown> = {};
  for (const key of [...doc.share.keys()].sort()) content[key] = doc.share.get(key)!.toJSON();
  return { sv: toBase64Url(Y.encodeStateVector(doc)), hash: createHash('sha256').update(JSON.stringify(content)).digest('base64url') };
}
