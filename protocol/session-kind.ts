/**
 * Which kind of document a replica holds: every session document says so in `meta.kind`, written once by
 * the host, so a page or `tether attach` can pick its view as soon as the first sync arrives.
 */
import type * as Y from 'yjs';

/** The kinds of hosted document. */
export type SessionKind = 'terminal' | 'conversation' | 'session-list';

/** The kind of document `doc` holds, or null before it synced (or when it is not one of ours). */
export function sessionKind(doc: Y.Doc): SessionKind | null {
  const kind = doc.getMap('meta').get('kind');
  return kind === 'terminal' || kind === 'conversation' || kind === 'session-list' ? kind : null;
}
