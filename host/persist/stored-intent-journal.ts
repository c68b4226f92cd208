/**
 * The intent journal of one stored session. An intent that could matter after a restart (a prompt, an
 * answer, a list action) is recorded durably before it is applied; its reply is written in the same
 * transaction as the document changes it made, so after a crash an intent is either done (its reply is
 * recalled, never applied again) or begun only (its changes were lost with it, so it may be replayed).
 */
import type { IntentReply } from '../../protocol/messages.js';
import type { Actor } from '../core/session-core.js';
import type { IntentJournal, UnfinishedIntent } from '../core/intent-journal.js';
import type { IntentRecord, SessionStore } from './session-store.js';
import type { DocLog } from './doc-log.js';

/**
 * Intents that are stale after a restart (the program they were typed into is gone): not recorded before
 * they are applied, so a keystroke never waits for the disk; their reply is written with the next batch.
 */
const NEVER_REPLAYED: ReadonlySet<string> = new Set(['input', 'resize']);
/** Intent ids remembered per session (as in memory); the oldest are forgotten beyond this. */
export const KEEP_INTENTS = 10_000;

/** A stored session's intents. */
export class StoredIntentJournal implements IntentJournal {
  /**
   * The ids the store may hold: a new id (nearly every one) is answered without reading the store,
   * which would cost a keystroke ~0.1 ms (a read transaction renewed after each write).
   */
  private readonly ids: Set<string>;
  private pruning = false;

  constructor(
    private readonly store: SessionStore,
    private readonly sessionId: string,
    private readonly log: DocLog,
  ) {
    this.ids = new Set(store.intentsOf(sessionId).map(([intentId]) => intentId));
  }

  recall(id: string): IntentReply | undefined {
    if (!this.ids.has(id)) return undefined;
    const reply = this.store.intent(this.sessionId, id)?.reply;
    if (!reply) return undefined;
    return reply.ok ? { id, ok: true } : { id, ok: false, error: reply.error };
  }

  begin(id: string, raw: Record<string, unknown>, actor: Actor): Promise<void> | void {
    if (NEVER_REPLAYED.has(String(raw.type))) return;
    this.ids.add(id);
    // Written alone, outside the document's batches: it must be durable before anything is applied.
    return this.store.putIntent(this.sessionId, id, { at: Date.now(), raw, actor, reply: null }).then(() => undefined);
  }

  done(id: string, reply: IntentReply, raw: Record<string, unknown>): Promise<void> | void {
    const record: IntentRecord = { at: Date.now(), raw: null, actor: null, reply: reply.ok ? { ok: true } : { ok: false, error: reply.error } };
    this.ids.add(id);
    if (this.ids.size > KEEP_INTENTS * 1.2) this.prune();
    if (NEVER_REPLAYED.has(String(raw.type))) {
      this.log.later(() => void this.store.putIntent(this.sessionId, id, record));
      return;
    }
    let written: Promise<unknown> = Promise.resolve();
    this.log.flush(() => {
      written = this.store.putIntent(this.sessionId, id, record);
    });
    return written.then(() => undefined);
  }

  unfinished(): UnfinishedIntent[] {
    return this.store
      .intentsOf(this.sessionId)
      .filter(([, r]) => r.reply === null && r.raw !== null && r.actor !== null)
      .sort(([, a], [, b]) => a.at - b.at)
      .map(([id, r]) => ({ id, raw: r.raw!, actor: r.actor! }));
  }

  /** Forgets the oldest finished intents beyond KEEP_INTENTS. */
  private prune(): void {
    if (this.pruning) return;
    this.pruning = true;
    const done = this.store.intentsOf(this.sessionId).filter(([, r]) => r.reply !== null).sort(([, a], [, b]) => a.at - b.at);
    const drop = done.slice(0, Math.max(0, done.length - KEEP_INTENTS)).map(([id]) => id);
    for (const id of drop) this.ids.delete(id);
    void this.store.removeIntents(this.sessionId, drop).finally(() => {
      this.pruning = false;
    });
  }
}
