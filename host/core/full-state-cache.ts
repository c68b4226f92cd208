/**
 * The whole document encoded once and reused for every new device. Encoding a long session costs the
 * host real time (~1 s for 10,000 messages), and every device that opens it from scratch needs the same
 * bytes: a cached encoding plus the small diff written since is exactly what it would have received.
 */
import * as Y from 'yjs';

/** Re-encode once this many update bytes arrived since the cached encoding (or a quarter of its size). */
const MIN_REFRESH_BYTES = 64 * 1024;

/** A cached full encoding of one document. */
export class FullStateCache {
  private cached: { update: Uint8Array; stateVector: Uint8Array } | null = null;
  private bytesSince = 0;
  private readonly onUpdate = (update: Uint8Array): void => {
    this.bytesSince += update.length;
  };

  constructor(private readonly doc: Y.Doc) {
    doc.on('update', this.onUpdate);
  }

  /** The full state as [cached encoding, diff since it] (the diff may be empty). */
  get(): [Uint8Array, Uint8Array | null] {
    const c = this.cached;
    if (!c || this.bytesSince > Math.max(MIN_REFRESH_BYTES, c.update.length / 4)) {
      const update = Y.encodeStateAsUpdate(this.doc);
      this.cached = { update, stateVector: Y.encodeStateVector(this.doc) };
      this.bytesSince = 0;
      return [update, null];
    }
    return [c.update, this.bytesSince === 0 ? null : Y.encodeStateAsUpdate(this.doc, c.stateVector)];
  }

  /** Stops following the document. */
  close(): void {
    this.doc.off('update', this.onUpdate);
    this.cached = null;
  }
}
