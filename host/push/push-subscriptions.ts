/**
 * The devices of one server that asked for notifications: each paired device's push subscription and
 * what it wants to hear about, newest first. Kept in the state folder per server (push/<server id>.json,
 * 0600, replaced atomically) so a phone with the page closed is still told after the host restarts.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import * as z from '../../protocol/zod.js';
import type { Logger } from 'pino';
import { ID_PATTERN } from '../../protocol/ids.js';
import { NotifyPrefsSchema, PushSubscriptionSchema, type NotifyPrefs, type PushSubscriptionInfo } from '../../protocol/push.js';
import { MAX_PAIRED_DEVICES } from '../trust/authenticator.js';

/** One device's choice. */
export interface PushTarget {
  deviceId: string;
  subscription: PushSubscriptionInfo;
  prefs: NotifyPrefs;
  updatedAt: number;
}

const FileSchema = z.strictObject({
  v: z.literal(1),
  devices: z
    .array(z.strictObject({ deviceId: z.string().check(z.regex(ID_PATTERN)), subscription: PushSubscriptionSchema, prefs: NotifyPrefsSchema, updatedAt: z.number() }))
    .check(z.maxLength(MAX_PAIRED_DEVICES)),
});

/** Push targets of one server; `path` null keeps them in memory only. */
export class PushSubscriptions {
  private readonly targets = new Map<string, PushTarget>();

  constructor(
    private readonly path: string | null,
    private readonly log: Logger,
  ) {
    if (path) this.read(path);
  }

  /** The file of server `serverId` in `stateDir`. */
  static pathFor(stateDir: string, serverId: string): string {
    return join(stateDir, 'push', `${serverId}.json`);
  }

  all(): PushTarget[] {
    return [...this.targets.values()];
  }

  /** Records a device's subscription (null: it turned notifications off); true when anything changed. */
  set(deviceId: string, subscription: PushSubscriptionInfo | null, prefs: NotifyPrefs, now = Date.now()): boolean {
    const old = this.targets.get(deviceId);
    if (!subscription) return old ? this.remove(deviceId) : false;
    if (old && JSON.stringify([old.subscription, old.prefs]) === JSON.stringify([subscription, prefs])) return false;
    this.targets.delete(deviceId);
    this.targets.set(deviceId, { deviceId, subscription, prefs, updatedAt: now });
    // Oldest choices go first past the paired-device limit (a device that re-sends moves to the end).
    while (this.targets.size > MAX_PAIRED_DEVICES) this.targets.delete(this.targets.keys().next().value as string);
    this.write();
    return true;
  }

  /** Forgets a device (revoked, or its push service said the subscription is gone). */
  remove(deviceId: string): boolean {
    if (!this.targets.delete(deviceId)) return false;
    this.write();
    return true;
  }

  private read(path: string): void {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return; // none yet
    }
    try {
      for (const t of FileSchema.parse(JSON.parse(text)).devices) this.targets.set(t.deviceId, t);
    } catch (err) {
      // A damaged file costs the devices their notifications until they open the app again, nothing more.
      this.log.warn({ path, err: String(err) }, 'ignoring a damaged push subscription file');
    }
  }

  private write(): void {
    if (!this.path) return;
    try {
      mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
      writeFileAtomic.sync(this.path, `${JSON.stringify({ v: 1, devices: this.all() })}\n`, { mode: 0o600 });
    } catch (err) {
      this.log.warn({ path: this.path, err: String(err) }, 'could not store push subscriptions');
    }
  }
}
