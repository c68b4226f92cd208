/**
 * Who owned a session after its host left: sha256 of the host's owner secret per session id, kept for a
 * bounded time and count (per address too, so one address cannot push out everyone else's records),
 * so nobody else can register a known session id while its host restarts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The stored form of an owner secret: base64url SHA-256. The secret itself is never kept. */
export function hashOwner(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Compares two owner hashes in constant time. */
export function sameOwner(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface OwnerRecord {
  hash: string;
  address: string;
  until: number;
}

/** Bounds of the records. */
export interface OwnerRecordBounds {
  retentionMs: number;
  max: number;
  maxPerAddress: number;
}

/** Remembered owners of sessions whose host left. */
export class OwnerRecords {
  /** Insertion order is age order (every record lives equally long), so expiry pops from the front. */
  private readonly records = new Map<string, OwnerRecord>();
  private readonly byAddress = new Map<string, Set<string>>();

  constructor(
    private readonly bounds: OwnerRecordBounds,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of records held. */
  get size(): number {
    return this.records.size;
  }

  /** Remembers that `hash` owned `sessionId`, registered from `address`. */
  remember(sessionId: string, hash: string, address: string): void {
    this.forget(sessionId);
    this.expire();
    const ids = this.byAddress.get(address) ?? new Set<string>();
    this.byAddress.set(address, ids);
    while (ids.size >= this.bounds.maxPerAddress) this.forget(ids.values().next().value!);
    while (this.records.size >= this.bounds.max) this.forget(this.records.keys().next().value!);
    this.records.set(sessionId, { hash, address, until: this.now() + this.bounds.retentionMs });
    ids.add(sessionId);
  }

  /** The remembered owner hash of `sessionId`, or null. */
  ownerOf(sessionId: string): string | null {
    this.expire();
    return this.records.get(sessionId)?.hash ?? null;
  }

  /** Forgets `sessionId` (its host is back, or it is being replaced). */
  forget(sessionId: string): void {
    const record = this.records.get(sessionId);
    if (!record) return;
    this.records.delete(sessionId);
    const ids = this.byAddress.get(record.address);
    ids?.delete(sessionId);
    if (ids?.size === 0) this.byAddress.delete(record.address);
  }

  private expire(): void {
    const now = this.now();
    for (const [sessionId, record] of this.records) {
      if (record.until > now) break;
      this.forget(sessionId);
    }
  }
}
