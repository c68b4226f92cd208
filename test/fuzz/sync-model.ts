/**
 * The seeded sync fuzz. A host document written by the real writers and served by the real SessionCore;
 * replicas fed with the real sync functions exactly as SessionChannel and SessionClient use them (step 1
 * with the replica's state vector, step 2 or cached full state, updates, a catch-up diff from where a
 * lagging device fell behind). The network between them drops connections (in-flight messages lost, or
 * kept to arrive late), reorders and duplicates delivery, and stalls devices; replicas resend unanswered
 * intents on every reconnect. At the end every replica equals the host and every intent applied once.
 * The session's program is a stand-in that writes a marker per applied intent (the real programs run in
 * the end-to-end variant, live-sync.test.ts).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as Y from 'yjs';
import { pino } from 'pino';
import { decodeSync, encodeStep1, encodeStep2, encodeStep2Update, encodeUpdate, isValidStateVector } from '../../protocol/sync.js';
import { decodeJson, encodeJson, IntentReplySchema, IntentSchema, type Intent, type IntentReply } from '../../protocol/messages.js';
import { TetherError } from '../../protocol/errors.js';
import { fromUtf8 } from '../../protocol/encoding.js';
import { newId } from '../../protocol/ids.js';
import { SessionCore, type Actor, type SessionBehaviour, type Subscriber } from '../../host/core/session-core.js';
import { fuzzProperty } from './fuzz-property.js';
import { hostActions, hostedDoc, type DocKind, type HostAction, type HostedDoc } from './sync-model-actions.js';

/** A step of the network or of a device. `r` picks a replica, `pick` an in-flight message (mod their counts). */
export type NetStep =
  | { n: 'deliver'; r: number; pick: number; dup: boolean }
  | { n: 'up'; r: number }
  | { n: 'drop'; r: number; keepInFlight: boolean }
  | { n: 'connect'; r: number }
  | { n: 'forget'; r: number }
  | { n: 'stall'; r: number }
  | { n: 'drain'; r: number }
  | { n: 'late'; r: number; pick: number }
  | { n: 'intent'; r: number; text: string };

/** One scenario: which document, how many devices, how small the scrollback, and the steps. */
export interface SyncScenario {
  kind: DocKind;
  replicas: number;
  scrollback: number;
  steps: Array<{ host: HostAction } | NetStep>;
}

/** What travels to a device: a sync message (as its frame body) or a reply. */
type Inbound = { sync: Uint8Array } | { reply: IntentReply };

/** The host's side of one device's subscription: SessionChannel's sync and flow control, without a wire. */
class ModelChannel implements Subscriber {
  synced = false;
  ended = false;
  /** The device stopped reading (SessionChannel: its backlog past LAG_BYTES). */
  stalled = false;
  private lagging = false;
  private resumeFrom: Uint8Array | null = null;
  private deferredStep1: Uint8Array | null = null;

  constructor(
    readonly actor: Actor,
    private readonly core: SessionCore<Intent>,
    private readonly out: (m: Inbound) => void,
    private readonly replies: Set<Promise<void>>,
  ) {}

  deliver(update: Uint8Array, before: Map<number, number>): void {
    if (!this.synced || this.lagging || this.ended) return;
    if (!this.stalled) {
      this.out({ sync: encodeUpdate(update) });
      return;
    }
    this.lagging = true;
    this.resumeFrom = Y.encodeStateVector(before);
  }

  /** Presence is not part of the document the replicas are compared on. */
  presence(): void {}

  drained(): Promise<void> {
    return Promise.resolve();
  }

  end(): void {
    this.ended = true;
    this.core.unsubscribe(this);
  }

  /** The device reads again: the catch-up diff from where it fell behind, and any deferred sync answer. */
  drain(): void {
    this.stalled = false;
    if (this.lagging && !this.ended) this.out({ sync: encodeUpdate(Y.encodeStateAsUpdate(this.core.doc, this.resumeFrom!)) });
    this.lagging = false;
    if (this.deferredStep1) this.answer(this.deferredStep1);
    this.deferredStep1 = null;
  }

  onSync(body: Uint8Array): void {
    const msg = decodeSync(body);
    if (msg.type !== 'step1') throw new TetherError('FORBIDDEN_WRITE');
    if (!isValidStateVector(msg.stateVector)) throw new TetherError('FRAME_MALFORMED');
    if (this.stalled) this.deferredStep1 = msg.stateVector;
    else this.answer(msg.stateVector);
  }

  onIntent(body: Uint8Array): void {
    const raw = JSON.parse(fromUtf8(body)) as Record<string, unknown>;
    const done = this.core.handleIntent(this.actor, raw.id as string, raw).then((reply) => {
      if (!this.ended) this.out({ reply });
    });
    this.replies.add(done);
    void done.then(() => this.replies.delete(done));
  }

  private answer(stateVector: Uint8Array): void {
    if (Y.decodeStateVector(stateVector).size === 0) {
      const [full, since] = this.core.full();
      if (since) this.out({ sync: encodeUpdate(since) });
      this.out({ sync: encodeStep2Update(full) });
    } else {
      this.out({ sync: encodeStep2(this.core.doc, stateVector) });
    }
    this.synced = true;
  }
}

/** A device: SessionClient's replica and intent outbox, on one connection at a time. */
class ModelReplica {
  doc = new Y.Doc();
  channel: ModelChannel | null = null;
  inbox: Inbound[] = [];
  /** Messages of a dropped connection that may still arrive (as a duplicate, or late). */
  late: Inbound[] = [];
  outbox: Array<{ step1: Uint8Array } | { intent: Uint8Array }> = [];
  readonly pending = new Map<string, Intent>();
  readonly replies: IntentReply[] = [];
  /** Step 2 arrived on this connection: intents go out at once. */
  private live = false;

  constructor(private readonly core: SessionCore<Intent>, private readonly inFlight: Set<Promise<void>>) {}

  connect(): void {
    if (this.channel) return;
    const actor: Actor = { peerId: newId(), deviceId: 'model', name: 'model', kind: 'terminal', role: 'owner' };
    const channel = new ModelChannel(actor, this.core, (m) => this.inbox.push(m), this.inFlight);
    this.channel = channel;
    this.core.subscribe(channel);
    this.live = false;
    this.outbox = [{ step1: encodeStep1(this.doc) }];
  }

  drop(keepInFlight: boolean): void {
    if (!this.channel) return;
    this.channel.end();
    this.channel = null;
    this.live = false;
    if (keepInFlight) this.late.push(...this.inbox);
    this.inbox = [];
    this.outbox = [];
  }

  /** Sends the next message to the host. */
  up(): void {
    const next = this.outbox.shift();
    if (!next || !this.channel) return;
    if ('step1' in next) this.channel.onSync(next.step1);
    else this.channel.onIntent(next.intent);
  }

  receive(m: Inbound, live: boolean): void {
    if ('reply' in m) {
      decodeJson(IntentReplySchema, encodeJson(m.reply));
      this.replies.push(m.reply);
      this.pending.delete(m.reply.id);
      return;
    }
    const msg = decodeSync(m.sync);
    assert.notEqual(msg.type, 'step1', 'the host never asks a device for its state');
    Y.applyUpdate(this.doc, msg.type === 'step1' ? new Uint8Array() : msg.update, 'host');
    // Step 2 makes the replica live: SessionClient then sends every intent not yet answered.
    if (live && msg.type === 'step2') {
      this.live = true;
      for (const intent of this.pending.values()) this.outbox.push({ intent: encodeJson(intent) });
    }
  }

  sendIntent(text: string): void {
    const intent = IntentSchema.parse({ id: newId(), type: 'input', data: text });
    this.pending.set(intent.id, intent);
    if (this.live) this.outbox.push({ intent: encodeJson(intent) });
  }
}

/** Runs one scenario and checks the end state; throws on any divergence. */
export async function runSyncScenario(scenario: SyncScenario): Promise<void> {
  const hosted: HostedDoc = hostedDoc(scenario.kind, scenario.scrollback);
  const applied = new Map<string, number>();
  const behaviour: SessionBehaviour<Intent> = {
    parseIntent: (raw) => {
      const parsed = IntentSchema.safeParse(raw);
      return parsed.success ? parsed.data : new TetherError('INTENT_INVALID');
    },
    roleFor: () => 'control',
    apply: (intent) => {
      applied.set(intent.id, (applied.get(intent.id) ?? 0) + 1);
      hosted.markIntent(intent.id);
      return null;
    },
  };
  const core = new SessionCore<Intent>(hosted.doc, behaviour, pino({ level: 'silent' }));
  const inFlight = new Set<Promise<void>>();
  const replicas = Array.from({ length: scenario.replicas }, () => new ModelReplica(core, inFlight));
  const sent = new Set<string>();
  const settle = async (): Promise<void> => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };

  for (const step of scenario.steps) {
    if ('host' in step) {
      hosted.apply(step.host);
      continue;
    }
    const r = replicas[step.r % replicas.length]!;
    switch (step.n) {
      case 'connect':
        r.connect();
        break;
      case 'drop':
        r.drop(step.keepInFlight);
        break;
      case 'forget':
        // A device that lost its replica (a new page) but kept its outbox of intents.
        r.drop(false);
        r.doc = new Y.Doc();
        r.late = [];
        break;
      case 'up':
        r.up();
        break;
      case 'stall':
        if (r.channel) r.channel.stalled = true;
        break;
      case 'drain':
        r.channel?.drain();
        break;
      case 'deliver': {
        if (r.inbox.length === 0) break;
        const at = step.pick % r.inbox.length;
        const m = r.inbox[at]!;
        if (!step.dup) r.inbox.splice(at, 1);
        r.receive(m, true);
        break;
      }
      case 'late': {
        if (r.late.length === 0) break;
        r.receive(r.late.splice(step.pick % r.late.length, 1)[0]!, false);
        break;
      }
      case 'intent':
        r.sendIntent(step.text);
        break;
    }
    for (const [id] of r.pending) sent.add(id);
    await settle();
  }

  // Heal: every device connects, reads everything, and the network delivers all that is in flight.
  for (let round = 0; round < 100; round++) {
    let moved = false;
    for (const r of replicas) {
      if (!r.channel) r.connect();
      r.channel!.drain();
      while (r.outbox.length > 0) {
        r.up();
        moved = true;
      }
      await settle();
      while (r.inbox.length > 0) {
        r.receive(r.inbox.shift()!, true);
        moved = true;
      }
      while (r.late.length > 0) r.receive(r.late.shift()!, false);
    }
    if (!moved) break;
  }

  const expected = hosted.snapshot(hosted.doc);
  for (const [i, r] of replicas.entries()) {
    assert.equal(r.doc.store.pendingStructs, null, `replica ${i} still waits for structs it never got`);
    assert.equal(hosted.snapshot(r.doc), expected, `replica ${i} differs from the host`);
    assert.equal(r.pending.size, 0, `replica ${i} has unanswered intents`);
    for (const reply of r.replies) assert.ok(reply.ok, `an intent was refused: ${JSON.stringify(reply)}`);
  }
  for (const id of sent) assert.equal(applied.get(id), 1, `intent ${id} applied ${applied.get(id) ?? 0} times`);
  assert.equal(core.devices.length, replicas.length, 'presence holds exactly the connected devices');
  assert.equal(hosted.doc.share.has('devices'), false, 'presence is never written into the document');
  core.close();
}

const netStep = (replicas: number): fc.Arbitrary<NetStep> => {
  const r = fc.nat(replicas - 1);
  return fc.oneof(
    { weight: 12, arbitrary: fc.record({ n: fc.constant('deliver' as const), r, pick: fc.nat(), dup: fc.integer({ min: 0, max: 4 }).map((n) => n === 0) }) },
    { weight: 4, arbitrary: fc.record({ n: fc.constant('up' as const), r }) },
    { weight: 2, arbitrary: fc.record({ n: fc.constant('drop' as const), r, keepInFlight: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ n: fc.constant('connect' as const), r }) },
    { weight: 1, arbitrary: fc.record({ n: fc.constant('forget' as const), r }) },
    { weight: 1, arbitrary: fc.record({ n: fc.constant('stall' as const), r }) },
    { weight: 1, arbitrary: fc.record({ n: fc.constant('drain' as const), r }) },
    { weight: 1, arbitrary: fc.record({ n: fc.constant('late' as const), r, pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ n: fc.constant('intent' as const), r, text: fc.string({ minLength: 1, maxLength: 12 }) }) },
  );
};

/** Scenarios: a document kind, 1–3 devices, a scrollback of 40–400 characters, 10 to 150 steps. */
export const syncScenario: fc.Arbitrary<SyncScenario> = fc
  .tuple(fc.constantFrom<DocKind>('terminal', 'conversation', 'list'), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 40, max: 400 }))
  .chain(([kind, replicas, scrollback]) =>
    fc.record({
      kind: fc.constant(kind),
      replicas: fc.constant(replicas),
      scrollback: fc.constant(scrollback),
      steps: fc.array(fc.oneof({ weight: 2, arbitrary: hostActions(kind).map((host) => ({ host })) }, { weight: 3, arbitrary: netStep(replicas) }), { minLength: 10, maxLength: 150, size: 'max' }),
    }),
  );

/** The seeded sync fuzz as a property. */
export const syncModelProperty = fuzzProperty({
  name: 'sync/model-replicas-converge',
  async: true,
  arbitrary: syncScenario,
  check: runSyncScenario,
  runs: { short: 100, long: 5_000 },
});
