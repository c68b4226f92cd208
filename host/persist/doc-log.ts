/**
 * Persists one Yjs document as it changes: its updates are collected for at most FLUSH_MS (a burst of
 * terminal output costs one write, not one per chunk), appended to the store's log as one entry, and
 * merged into a snapshot once the log outgrows it. Loading applies the snapshot and the log after it.
 * A crash loses at most the updates of the last FLUSH_MS plus one commit.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import type { SessionStore } from './session-store.js';
import { concatBytes } from '../../protocol/encoding.js';
import { processMemoryRelease } from '../memory-release.js';

/** Longest time an update waits in memory before it is written. */
export const FLUSH_MS = 30;
/** Write at once when this much is waiting. */
const FLUSH_BYTES = 1024 * 1024;
/** Compact once the log holds this much and more than the snapshot... */
const COMPACT_MIN_BYTES = 4 * 1024 * 1024;
/** ...but not more often than this (a snapshot of a long history costs milliseconds)... */
const COMPACT_MIN_INTERVAL_MS = 1000;
/** ...unless the log grew past this. */
const COMPACT_FORCE_BYTES = 64 * 1024 * 1024;

/** Writes that must land in the same transaction as the document updates of a flush. */
export type FlushExtra = () => void;

/** The updates as one log entry: their count, then each with its length (lib0's varUint8Array format). */
function encodeBatch(updates: Uint8Array[]): Uint8Array {
  const varUint = (n: number): Uint8Array => encoding.encode((encoder) => encoding.writeVarUint(encoder, n));
  return concatBytes([varUint(updates.length), ...updates.flatMap((u) => [varUint(u.length), u])]);
}

function decodeBatch(data: Uint8Array): Uint8Array[] {
  const decoder = decoding.createDecoder(data);
  const n = decoding.readVarUint(decoder);
  const updates: Uint8Array[] = [];
  for (let i = 0; i < n; i++) updates.push(decoding.readVarUint8Array(decoder));
  return updates;
}

/** The persisted log of one document. */
export class DocLog {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private extras: FlushExtra[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private seq: number;
  private logBytes: number;
  private snapshotBytes: number;
  private lastCompaction = 0;
  private closed = false;
  private readonly onUpdate = (update: Uint8Array): void => {
    this.pending.push(update);
    this.pendingBytes += update.length;
    // Never flush inside the transaction that emitted this: an intent's changes and its reply must be
    // written together (the reply is recorded in a microtask after the intent applied).
    if (this.pendingBytes >= FLUSH_BYTES) this.immediate ??= setImmediate(() => this.flush());
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  };

  /**
   * Follows `doc` from now on. `existing` says whether the store already holds this document (it was
   * loaded from it); a new document's whole state is written as its first snapshot.
   */
  constructor(
    private readonly store: SessionStore,
    readonly docId: string,
    readonly doc: Y.Doc,
    existing: boolean,
  ) {
    const snap = store.snapshot(docId);
    const entries = existing ? store.logEntries(docId, snap?.seq ?? 0) : [];
    this.seq = entries.at(-1)?.seq ?? snap?.seq ?? 0;
    this.logBytes = entries.reduce((n, e) => n + e.data.length, 0);
    this.snapshotBytes = snap?.update.length ?? 0;
    doc.on('update', this.onUpdate);
    if (!existing) this.compact();
  }

  /**
   * The document as stored, or null when the store has none: the snapshot and every log entry after
   * it, applied in one transaction (with `origin`, so followers can tell a load from a change).
   */
  static load(store: SessionStore, docId: string, origin: unknown = 'store'): { doc: Y.Doc; gap: boolean } | null {
    const snap = store.snapshot(docId);
    const entries = store.logEntries(docId, snap?.seq ?? 0);
    if (!snap && entries.length === 0) return null;
    const doc = new Y.Doc();
    doc.transact(() => {
      if (snap) Y.applyUpdate(doc, snap.update, origin);
      for (const e of entries) for (const u of decodeBatch(e.data)) Y.applyUpdate(doc, u, origin);
    }, origin);
    // Updates that build on one the store never got wait in Yjs for it, unseen: the log has a gap.
    return { doc, gap: doc.store.pendingStructs !== null || doc.store.pendingDs !== null };
  }

  /**
   * Writes what is waiting now, together with `extra` writes (e.g. an intent's reply), in one
   * transaction: the intent's effects and its "done" record are durable together or not at all.
   */
  flush(extra?: FlushExtra): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (extra) this.extras.push(extra);
    if (this.closed || (this.pending.length === 0 && this.extras.length === 0)) return;
    const extras = this.extras;
    this.extras = [];
    if (this.pending.length > 0) {
      const data = encodeBatch(this.pending);
      this.pending = [];
      this.pendingBytes = 0;
      this.seq++;
      this.logBytes += data.length;
      processMemoryRelease.note(data.length);
      // Puts in one event turn commit in one LMDB transaction (lmdb's event-turn batching).
      void this.store.appendLog(this.docId, this.seq, data);
    }
    for (const write of extras) write();
    const due = this.logBytes > Math.max(COMPACT_MIN_BYTES, this.snapshotBytes) && performance.now() - this.lastCompaction >= COMPACT_MIN_INTERVAL_MS;
    if (due || this.logBytes > COMPACT_FORCE_BYTES) this.compact();
  }

  /** Schedules `extra` with the next flush (for records that may wait FLUSH_MS). */
  later(extra: FlushExtra): void {
    this.extras.push(extra);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Merges everything into one snapshot (the document's state now equals the log up to `seq`). */
  compact(): void {
    // Updates still waiting are in the document already: the snapshot takes them.
    this.pending = [];
    this.pendingBytes = 0;
    this.lastCompaction = performance.now();
    const update = Y.encodeStateAsUpdate(this.doc);
    this.snapshotBytes = update.length;
    this.logBytes = 0;
    void this.store.compact(this.docId, { seq: this.seq, update });
  }

  /** Bytes the document takes in the store (snapshot and log). */
  get storedBytes(): number {
    return this.snapshotBytes + this.logBytes;
  }

  /** Writes what is waiting and stops following the document. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.doc.off('update', this.onUpdate);
  }
}
