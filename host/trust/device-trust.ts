/**
 * Device trust for one host process: the paired and waiting devices of the user, and the actions on them
 * — allow / allow view-only / deny a waiting device, change a role, rename, revoke one, revoke all — taken
 * from the status screen, the chat, an owner device or `tether devices` (control socket). Each action is
 * written to the audit log first, then applied to the trust store and to every live connection of the
 * device on every endpoint of this process (a revoked device's channels close at once).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { TetherError } from '../../protocol/errors.js';
import type { Role } from '../../protocol/roles.js';
import { DisplayNameSchema } from '../../protocol/messages.js';
import type { HostEndpoint } from '../core/host-endpoint.js';
import type { Actor } from '../core/session-core.js';
import type { Authenticator } from './authenticator.js';
import { auditDevice, type AuditLog } from './audit-log.js';
import type { ControlRequest } from './control-socket.js';

/** A paired or waiting device, as lists show it. */
export interface DeviceSummary {
  /** The host-assigned credential id (what `--json`'s device-joined reports and `tether devices` takes). */
  deviceId: string;
  name: string;
  kind: 'browser' | 'terminal';
  role: Role;
  createdAt: number;
  lastSeen: number;
  /** Connected to this process now. */
  online: boolean;
  /** Waiting for a person to allow it. */
  pending: boolean;
}

/** How a person answers a waiting device. */
export type DeviceAnswer = 'allow' | 'view' | 'deny';

/** The actor for actions taken through the control socket (`tether devices` in another terminal). */
export const CONTROL_ACTOR: Actor = { peerId: 'control', deviceId: 'control', name: 'tether devices', kind: 'terminal', role: 'owner' };

interface DeviceTrustEvents {
  /** The device list changed (paired, waiting, allowed, role, name, revoked, online). */
  changed: [];
  /** A device waits for a person to allow it. */
  waiting: [DeviceSummary];
  /** A device paired (or was allowed). */
  paired: [DeviceSummary];
  /** A device was revoked. */
  revoked: [DeviceSummary, Actor];
  /** Every token was revoked (revoke all): mint new links. */
  'links-reset': [];
}

/** The user's devices, as this process acts on them. */
export class DeviceTrust extends EventEmitter<DeviceTrustEvents> {
  private readonly endpoints = new Set<HostEndpoint>();
  /**
   * Tells the user's other running hosts about a revocation or role change made here (their live
   * connections of the device follow at once); null: this process is alone. Not called for changes that
   * arrived through the control socket, so hosts never echo each other.
   */
  shareWithOtherHosts: ((request: ControlRequest) => void) | null = null;

  constructor(
    readonly authenticator: Authenticator,
    readonly audit: AuditLog | null,
    private readonly log: Logger,
  ) {
    super();
    authenticator.beforePair = (c) => this.record('device-paired', { device: { deviceId: c.id, name: c.name, kind: c.kind, role: c.role }, token: c.pairedWith });
  }

  /** Follows an endpoint's devices (pairing, waiting, leaving); returns a function that stops. */
  watch(endpoint: HostEndpoint): () => void {
    this.endpoints.add(endpoint);
    const onJoined = (actor: Actor, connection: { identity: { paired: boolean } | null }): void => {
      if (connection.identity?.paired) {
        const summary = this.summary(actor.deviceId);
        if (summary) this.emit('paired', summary);
      }
      this.emit('changed');
    };
    const onWaiting = (actor: Actor): void => {
      const summary = this.summary(actor.deviceId) ?? { deviceId: actor.deviceId, name: actor.name, kind: actor.kind, role: actor.role, createdAt: Date.now(), lastSeen: Date.now(), online: true, pending: true };
      this.record('device-waiting', { device: auditDevice(actor) });
      this.emit('waiting', summary);
      this.emit('changed');
    };
    const onLeft = (): void => {
      this.emit('changed');
    };
    endpoint.on('device-joined', onJoined);
    endpoint.on('device-waiting', onWaiting);
    endpoint.on('device-left', onLeft);
    return () => {
      this.endpoints.delete(endpoint);
      endpoint.off('device-joined', onJoined);
      endpoint.off('device-waiting', onWaiting);
      endpoint.off('device-left', onLeft);
    };
  }

  /** Paired devices (oldest pairing first, so numbers shown to a person stay put), then waiting ones. */
  list(): DeviceSummary[] {
    const online = new Set(this.connections().map((c) => c.actor?.deviceId));
    const paired = this.authenticator.store.credentials().map((c): DeviceSummary => ({
      deviceId: c.id, name: c.name, kind: c.kind, role: c.role, createdAt: c.createdAt, lastSeen: c.lastSeen, online: online.has(c.id), pending: false,
    }));
    paired.sort((a, b) => a.createdAt - b.createdAt || a.deviceId.localeCompare(b.deviceId));
    const waiting = this.waitingConnections().map((c): DeviceSummary => {
      const a = c.actor!;
      return { deviceId: a.deviceId, name: a.name, kind: a.kind, role: a.role, createdAt: Date.now(), lastSeen: Date.now(), online: true, pending: true };
    });
    const seen = new Set<string>();
    return [...paired, ...waiting.filter((w) => !seen.has(w.deviceId) && seen.add(w.deviceId))];
  }

  /** One device's summary, or null. */
  summary(deviceId: string): DeviceSummary | null {
    return this.list().find((d) => d.deviceId === deviceId) ?? null;
  }

  /** Writes an audit line (when there is a log); throws AUDIT_FAILED. */
  record(event: string, fields: Record<string, unknown>): void {
    this.audit?.write(event, fields);
  }

  /** Records something that already happened (a leave, an end: nothing to refuse); a failure is logged. */
  recordDone(event: string, fields: Record<string, unknown>): void {
    try {
      this.record(event, fields);
    } catch (err) {
      this.log.error({ err: String(err) }, 'could not write the audit log');
    }
  }

  /** Gate for opening a session: records the join first. */
  canOpen(sessionId: string, actor: Actor): TetherError | null {
    try {
      this.record('join', { sessionId, device: auditDevice(actor) });
      return null;
    } catch (err) {
      return err instanceof TetherError ? err : new TetherError('AUDIT_FAILED');
    }
  }

  /** Answers a waiting device: allow (with its link's role), allow view-only, or deny. */
  answer(deviceId: string, answer: DeviceAnswer, by: Actor): TetherError | null {
    const waiting = this.waitingConnections().filter((c) => c.actor!.deviceId === deviceId);
    const pendingRecord = this.authenticator.pending().find((p) => p.id === deviceId);
    if (waiting.length === 0 && !pendingRecord) return new TetherError('DEVICE_UNKNOWN', `no device ${deviceId} is waiting to join`);
    const name = pendingRecord?.name ?? waiting[0]!.actor!.name;
    const asked = pendingRecord?.role ?? waiting[0]!.actor!.role;
    const role: Role = answer === 'view' ? 'view' : asked;
    const refused = this.attempt(() => this.record(answer === 'deny' ? 'device-denied' : 'device-allowed', { device: { deviceId, name, role }, by: auditDevice(by) }));
    if (refused) return refused;
    if (answer === 'deny') {
      this.authenticator.deny(deviceId);
      for (const c of waiting) c.close(new TetherError('DEVICE_DENIED'));
      this.log.info({ deviceId, by: by.name }, 'device denied');
    } else {
      this.authenticator.admit(deviceId, role);
      for (const c of waiting) c.admit(role);
      this.log.info({ deviceId, role, by: by.name }, 'device allowed');
      // A device still connected reports its pairing as it joins; one that left meanwhile is reported here.
      const summary = waiting.length === 0 ? this.summary(deviceId) : null;
      if (summary) this.emit('paired', summary);
    }
    this.emit('changed');
    return null;
  }

  /** Changes a paired device's role, at once on its live connections. */
  setRole(deviceId: string, role: Role, by: Actor): TetherError | null {
    const c = this.authenticator.store.credential(deviceId);
    if (!c) return new TetherError('DEVICE_UNKNOWN', `no paired device ${deviceId}`);
    const refused = this.attempt(() => this.record('role-changed', { device: { deviceId, name: c.name, from: c.role, role }, by: auditDevice(by) }));
    if (refused) return refused;
    this.authenticator.setRole(deviceId, role);
    for (const conn of this.connectionsOf(deviceId)) conn.setRole(role);
    if (by !== CONTROL_ACTOR) this.shareWithOtherHosts?.({ v: 1, action: 'role', deviceId, role });
    this.emit('changed');
    return null;
  }

  /** Renames a paired device (the name others see from its next connection on). */
  rename(deviceId: string, raw: string, by: Actor): TetherError | null {
    const parsed = DisplayNameSchema.safeParse(raw);
    if (!parsed.success) return new TetherError('NAME_INVALID');
    const name = parsed.data;
    const c = this.authenticator.store.credential(deviceId);
    if (!c) return new TetherError('DEVICE_UNKNOWN', `no paired device ${deviceId}`);
    const refused = this.attempt(() => this.record('device-renamed', { device: { deviceId, name: c.name }, name, by: auditDevice(by) }));
    if (refused) return refused;
    this.authenticator.rename(deviceId, name);
    this.emit('changed');
    return null;
  }

  /**
   * Revokes a device: its credential is forgotten, the token it paired with revoked, and every live
   * connection of it closes at once with DEVICE_REVOKED (the device then wipes what it kept).
   */
  revoke(deviceId: string, by: Actor): TetherError | null {
    const known = this.summary(deviceId) ?? this.authenticator.pending().find((p) => p.id === deviceId);
    const live = this.connectionsOf(deviceId);
    if (!known && live.length === 0) return new TetherError('DEVICE_UNKNOWN', `no paired device ${deviceId}`);
    const refused = this.attempt(() => this.record('device-revoked', { device: known ? { deviceId, name: known.name, role: known.role } : { deviceId }, by: auditDevice(by) }));
    if (refused) return refused;
    this.authenticator.revokeDevice(deviceId);
    for (const c of live) c.close(new TetherError('DEVICE_REVOKED'));
    if (by !== CONTROL_ACTOR) this.shareWithOtherHosts?.({ v: 1, action: 'revoke', deviceId });
    this.log.info({ deviceId, by: by.name }, 'device revoked');
    const summary: DeviceSummary = known && 'deviceId' in known ? known : { deviceId, name: known?.name ?? live[0]?.actor?.name ?? '', kind: known?.kind ?? 'browser', role: known?.role ?? 'view', createdAt: 0, lastSeen: 0, online: false, pending: false };
    this.emit('revoked', summary, by);
    this.emit('changed');
    return null;
  }

  /** Forgets every device and revokes every token; connected devices are closed; new links follow. */
  revokeAll(by: Actor): TetherError | null {
    const refused = this.attempt(() => this.record('revoke-all', { devices: this.authenticator.store.credentials().length, by: auditDevice(by) }));
    if (refused) return refused;
    this.authenticator.revokeAll();
    for (const c of this.connections()) if (c.actor && c.actor.deviceId !== 'local') c.close(new TetherError('DEVICE_REVOKED'));
    if (by !== CONTROL_ACTOR) this.shareWithOtherHosts?.({ v: 1, action: 'revoke-all' });
    this.log.info({ by: by.name }, 'every device revoked');
    this.emit('links-reset');
    this.emit('changed');
    return null;
  }

  private attempt(write: () => void): TetherError | null {
    try {
      write();
      return null;
    } catch (err) {
      return err instanceof TetherError ? err : new TetherError('AUDIT_FAILED', String(err));
    }
  }

  private connections(): ReturnType<HostEndpoint['connectionsOf']> {
    return [...this.endpoints].flatMap((e) => e.devices);
  }

  private connectionsOf(deviceId: string): ReturnType<HostEndpoint['connectionsOf']> {
    return [...this.endpoints].flatMap((e) => e.connectionsOf(deviceId));
  }

  private waitingConnections(): ReturnType<HostEndpoint['connectionsOf']> {
    return this.connections().filter((c) => c.pending);
  }
}
