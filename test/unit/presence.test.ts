/**
 * Presence (who is connected) as SessionCore sends it: at once to a device that opens the session, to the
 * others in one frame per burst of changes, with what the kind of session adds per device, and never in
 * the document. The devices here are minimal subscribers: the real channel is covered by
 * test/integration/visits-leave-no-trace.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import pino from 'pino';
import { SessionCore, type Actor, type SessionBehaviour, type Subscriber } from '../../host/core/session-core.js';
import { TetherError } from '../../protocol/errors.js';
import { SessionList } from '../../host/session-list.js';
import { PresenceSchema, MAX_PRESENCE_DEVICES, type Presence } from '../../protocol/presence.js';
import { waitFor } from '../helpers/wait-for.js';

const log = pino({ level: 'silent' });

const nothing: SessionBehaviour<never> = {
  parseIntent: () => new TetherError('INTENT_INVALID'),
  roleFor: () => 'owner',
  apply: () => null,
};

/** A device that records the presence frames it is sent. */
function device(name: string, role: Actor['role'] = 'control'): Subscriber & { frames: Presence[] } {
  const frames: Presence[] = [];
  return {
    actor: { peerId: `peer-${name}`, deviceId: `dev-${name}`, name, kind: 'browser', role },
    frames,
    deliver: () => {},
    presence: (p) => frames.push(p),
    drained: () => Promise.resolve(),
    end: () => {},
  };
}

describe('presence', () => {
  it('tells a device who is here as it joins, and the others in one frame for a burst of joins', async () => {
    const core = new SessionCore(new Y.Doc(), nothing, log);
    const first = device('phone');
    core.subscribe(first);
    assert.deepEqual(first.frames.map((f) => f.devices.map((d) => d.name)), [['phone']], 'told at once');
    await waitFor(() => first.frames.length === 2, 2000, 'the coalesced frame');
    const [a, b, c] = [device('laptop'), device('tablet'), device('desk')];
    for (const d of [a, b, c]) core.subscribe(d);
    assert.equal(c.frames.length, 1, 'the last to join was told at once');
    assert.deepEqual(c.frames[0]!.devices.map((d) => d.name), ['phone', 'laptop', 'tablet', 'desk'], 'earliest joined first');
    await waitFor(() => first.frames.length === 3, 2000, 'one frame for three joins');
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(first.frames.length, 3, 'three joins close together are one frame to the others');
    assert.equal(first.frames[2]!.devices.length, 4);
    const toldB = b.frames.length;
    core.unsubscribe(b);
    await waitFor(() => first.frames.length === 4, 2000, 'the leave');
    assert.deepEqual(first.frames[3]!.devices.map((d) => d.name), ['phone', 'laptop', 'desk']);
    assert.equal(b.frames.length, toldB, 'a device that left is told nothing more');
    for (const f of first.frames) PresenceSchema.parse(f);
    core.close();
  });

  it('adds what the session shows each device by its role, and lists the host terminal', async () => {
    const core = new SessionCore(new Y.Doc(), nothing, log);
    core.presenceExtras = (role) => (role === 'owner' ? { trusted: [] } : {});
    const owner = device('owner', 'owner');
    const viewer = device('viewer', 'view');
    core.addLocal();
    core.subscribe(owner);
    core.subscribe(viewer);
    assert.deepEqual(owner.frames[0]!.trusted, [], 'an owner is shown the trusted devices');
    assert.equal(viewer.frames[0]!.trusted, undefined, 'a view device is not');
    assert.deepEqual(viewer.frames[0]!.devices.map((d) => d.deviceId), ['local', 'dev-owner', 'dev-viewer']);
    core.close();
  });

  it('never writes presence into the document, and empties the device lists of documents stored before', () => {
    const fresh = new Y.Doc();
    const core = new SessionCore(fresh, nothing, log);
    core.subscribe(device('phone'));
    assert.equal(fresh.share.has('devices'), false);
    assert.equal(Y.encodeStateAsUpdate(fresh).length, 2, 'the document is still empty');
    core.close();

    const stored = new Y.Doc();
    stored.getMap('devices').set('dev:0', { name: 'gone' });
    stored.getMap('trusted').set('dev', { name: 'gone' });
    stored.getMap('meta').set('name', 'kept');
    const loaded = new Y.Doc();
    Y.applyUpdate(loaded, Y.encodeStateAsUpdate(stored));
    new SessionCore(loaded, nothing, log).close();
    assert.equal(loaded.getMap('devices').size, 0);
    assert.equal(loaded.getMap('trusted').size, 0);
    assert.equal(loaded.getMap('meta').get('name'), 'kept');
  });

  it('empties the device names a stored session list kept in its rows', () => {
    const stored = new Y.Doc();
    const row = new Y.Map<unknown>();
    stored.getMap('sessions').set('s1', row);
    row.set('name', 'build');
    row.set('devices', ['phone']);
    const list = new SessionList({ name: 'x', hostname: 'h', folder: '/tmp', capacity: 4, spawnMode: 'same-dir', agents: [], defaultAgent: 'shell' }, () => Promise.resolve(null), log, stored);
    const kept = stored.getMap<Y.Map<unknown>>('sessions').get('s1')!;
    assert.equal(kept.has('devices'), false);
    assert.equal(kept.get('name'), 'build');
    list.close();
  });

  it('tells devices who is here even when the session cannot add its extras', async () => {
    const core = new SessionCore(new Y.Doc(), nothing, log);
    core.presenceExtras = () => {
      throw new Error('the trust store is unreadable');
    };
    const phone = device('phone');
    core.subscribe(phone);
    core.subscribe(device('laptop'));
    await waitFor(() => phone.frames.length === 2, 2000, 'the coalesced frame');
    assert.deepEqual(phone.frames.map((f) => f.devices.length), [1, 2]);
    core.close();
    let told = 0;
    core.on('presence', () => told++);
    core.presenceChanged();
    assert.equal(told, 0, 'a closed session takes no more presence changes (and arms no timer)');
  });

  it('refuses a frame listing more devices than a frame may hold', () => {
    const one = { peerId: 'p', deviceId: 'd', name: 'n', kind: 'browser', role: 'view', joinedAt: 0 };
    assert.equal(PresenceSchema.safeParse({ devices: Array(MAX_PRESENCE_DEVICES).fill(one) }).success, true);
    assert.equal(PresenceSchema.safeParse({ devices: Array(MAX_PRESENCE_DEVICES + 1).fill(one) }).success, false);
    assert.equal(PresenceSchema.safeParse({ devices: [{ ...one, name: 'x'.repeat(65) }] }).success, false, 'names are bounded');
  });
});
