/**
 * What the session core asks of a durable intent journal (host/persist/ has the stored one): the replies
 * of intents applied before — in this run or an earlier one — so a retry across a restart is never applied
 * twice, and a record written before an intent is applied, so one interrupted by a crash can be replayed.
 */
import type { IntentReply } from '../../protocol/messages.js';
import type { Actor } from './session-core.js';

/** An intent that was begun but whose reply was never recorded (the host stopped in between). */
export interface UnfinishedIntent {
  id: string;
  raw: Record<string, unknown>;
  actor: Actor;
}

/** A session's intent journal. */
export interface IntentJournal {
  /** The reply recorded for `id`, if it was applied before. */
  recall(id: string): IntentReply | undefined;
  /**
   * Records that `id` is about to be applied; resolves once that record is durable. Intents that are
   * never replayed (keystrokes, resizes) resolve at once: their record is written with their reply.
   */
  begin(id: string, raw: Record<string, unknown>, actor: Actor): Promise<void> | void;
  /**
   * Records the reply, durable together with the document changes the intent made; resolves once it is
   * (the reply is sent then: an ok the device saw survives a crash). Intents never replayed resolve at once.
   */
  done(id: string, reply: IntentReply, raw: Record<string, unknown>): Promise<void> | void;
  /** Intents begun in an earlier run and never done, oldest first. */
  unfinished(): UnfinishedIntent[];
}
