/**
 * Web Push for devices with the page closed: when a session waits for an answer, ends a turn or ends,
 * each paired device that asked for that kind (for that session, or by default) gets a push through its
 * browser vendor's push service, encrypted for that device alone (RFC 8291, aes128gcm) and signed with the
 * host's VAPID key (RFC 8292) — the push service learns only that a message went by. The service worker
 * shows it unless a window is already looking at that session. Needs the internet; without it the host
 * says so once and carries on.
 */
import { EventEmitter } from 'node:events';
import type { Agent } from 'node:https';
import type { Logger } from 'pino';
import { TetherError } from '../../protocol/errors.js';
import { kindsFor, MAX_PUSH_BODY, MAX_PUSH_TITLE, NotifyIntentSchema, type NotifyKind, type PushPayload, type PushSubscriptionInfo } from '../../protocol/push.js';
import type { Actor } from '../core/session-core.js';
import type { VapidKeys } from './vapid-keys.js';
import { importPackage } from '../package-import.js';
import type { PushSubscriptions, PushTarget } from './push-subscriptions.js';

/** How long a push service may keep an undelivered message (a phone that is off for a while still hears). */
const TTL_SECONDS = 12 * 60 * 60;
/** A push that gets no answer in this long is given up (the socket timeout of the request). */
const SEND_TIMEOUT_MS = 10_000;
/** Pushes in flight at most; more are dropped (a notification is a nudge, not a record). */
const MAX_IN_FLIGHT = 32;
/** "The push service cannot be reached" is said at most this often. */
const UNREACHABLE_REPEAT_MS = 10 * 60_000;

/** Something a device may want to hear about. */
export interface PushEvent {
  sessionId: string;
  /** The session's name (the notification's title unless pushes are generic). */
  sessionName: string;
  kind: NotifyKind;
  /** One line: what happened. */
  body: string;
}

export interface PushNotifierOptions {
  keys: VapidKeys;
  subscriptions: PushSubscriptions;
  /** Whether `deviceId` is (still) a paired device of this host. */
  isPaired: (deviceId: string) => boolean;
  /** Titles and bodies say nothing about the session (`--notify-generic`). */
  generic: boolean;
  /** The VAPID subject: an https: URL or mailto: address push services may contact. */
  subject: string;
  log: Logger;
  /** HTTPS agent for the push request (tests: one that trusts the test push service's certificate). */
  agent?: Agent;
}

interface PushNotifierEvents {
  /** A push could not reach the push service (no internet): said at most every 10 minutes. */
  unreachable: [TetherError];
  /** A push was accepted by the push service (for tests and the log). */
  sent: [PushTarget, PushPayload];
}

type WebPush = typeof import('web-push');

/** Sends this host's pushes. */
export class PushNotifier extends EventEmitter<PushNotifierEvents> {
  private inFlight = 0;
  private lastUnreachable = -Infinity;
  private webPush: Promise<WebPush> | null = null;

  constructor(private readonly options: PushNotifierOptions) {
    super();
  }

  /** The public key devices subscribe with (told to them in the host hello). */
  get publicKey(): string {
    return this.options.keys.publicKey;
  }

  /** A device's `notify` intent: validated, paired devices only; null when recorded. */
  handleIntent(actor: Actor, raw: Record<string, unknown>): TetherError | null {
    const parsed = NotifyIntentSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return new TetherError('INTENT_INVALID', issue ? `${issue.path.map(String).join('.') || 'notify'}: ${issue.message}` : undefined);
    }
    if (!this.options.isPaired(actor.deviceId)) return new TetherError('DEVICE_UNKNOWN', 'only a paired device can ask for notifications');
    if (this.options.subscriptions.set(actor.deviceId, parsed.data.subscription, parsed.data.prefs)) {
      this.options.log.info({ deviceId: actor.deviceId, on: parsed.data.subscription !== null }, 'notification choice recorded');
    }
    return null;
  }

  /** Forgets a device (it was revoked). */
  forget(deviceId: string): void {
    this.options.subscriptions.remove(deviceId);
  }

  /** Pushes `event` to every device that wants it. */
  notify(event: PushEvent): void {
    const payload = this.payload(event);
    for (const target of this.options.subscriptions.all()) {
      if (!this.options.isPaired(target.deviceId)) {
        this.options.subscriptions.remove(target.deviceId);
        continue;
      }
      if (!kindsFor(target.prefs, event.sessionId).includes(event.kind)) continue;
      if (this.inFlight >= MAX_IN_FLIGHT) {
        this.options.log.warn({ deviceId: target.deviceId, kind: event.kind }, 'too many pushes in flight; this one is dropped');
        continue;
      }
      this.inFlight++;
      void this.send(target, payload).finally(() => this.inFlight--);
    }
  }

  private payload(event: PushEvent): PushPayload {
    const generic = this.options.generic;
    return {
      v: 1,
      kind: event.kind,
      title: (generic ? 'tether' : event.sessionName || 'tether').slice(0, MAX_PUSH_TITLE),
      body: (generic ? GENERIC_BODY[event.kind] : event.body).slice(0, MAX_PUSH_BODY),
      sessionId: event.sessionId,
      focus: event.kind === 'attention' ? 'attention' : null,
    };
  }

  private async send(target: PushTarget, payload: PushPayload): Promise<void> {
    const { keys, subject, agent, log } = this.options;
    try {
      const webPush = await (this.webPush ??= importPackage<{ default?: WebPush }>('web-push').then((m) => m.default ?? (m as WebPush)));
      await webPush.sendNotification(target.subscription as PushSubscriptionInfo, JSON.stringify(payload), {
        vapidDetails: { subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
        TTL: TTL_SECONDS,
        urgency: payload.kind === 'attention' ? 'high' : 'normal',
        // One waiting message per session and kind: a newer one replaces it at the push service.
        topic: `${payload.sessionId ?? ''}${payload.kind.replace('-', '')}`.slice(0, 32),
        timeout: SEND_TIMEOUT_MS,
        ...(agent ? { agent } : {}),
      });
      this.emit('sent', target, payload);
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (status === 404 || status === 410) {
        // The browser dropped the subscription (notifications turned off, app removed): forget it.
        log.info({ deviceId: target.deviceId, status }, 'push subscription is gone; forgetting it');
        this.options.subscriptions.remove(target.deviceId);
        return;
      }
      if (typeof status === 'number') {
        log.warn({ deviceId: target.deviceId, status, body: String((err as { body?: unknown }).body ?? '').slice(0, 200) }, 'the push service refused a notification');
        return;
      }
      const now = Date.now();
      if (now - this.lastUnreachable < UNREACHABLE_REPEAT_MS) return;
      this.lastUnreachable = now;
      const host = new URL(target.subscription.endpoint).host;
      const warning = new TetherError('PUSH_UNREACHABLE', `cannot reach the push service ${host} (${(err as Error).message}): phones with the page closed are not notified until this computer is online`);
      log.warn({ err: String(err) }, warning.message);
      this.emit('unreachable', warning);
    }
  }
}

/** What a generic push says (`--notify-generic`). */
const GENERIC_BODY: Record<NotifyKind, string> = {
  attention: 'A session needs you.',
  'turn-ended': 'A session finished its turn.',
  ended: 'A session ended.',
};
