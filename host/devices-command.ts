/**
 * `tether devices [list|rename|role|revoke|revoke-all|allow|deny]`: the user's paired devices. Running
 * hosts are reached through their control sockets (so a revoked device is kicked at once); with no host
 * running, the trust store is changed directly. Waiting devices exist only in a running host.
 */
import { pino } from 'pino';
import { TetherError } from '../protocol/errors.js';
import type { Role } from '../protocol/roles.js';
import type { DevicesCommand } from './cli-args.js';
import { Authenticator } from './trust/authenticator.js';
import { FileTrustStore } from './trust/file-trust-store.js';
import { trustStorePath } from './trust/open-device-trust.js';
import { DeviceTrust, type DeviceSummary } from './trust/device-trust.js';
import { askRunningHosts, handleControlRequest, type ControlReply, type ControlRequest } from './trust/control-socket.js';
import { safeLine } from '../client/terminal/safe-text.js';


function requestOf(cmd: DevicesCommand): ControlRequest {
  const deviceId = cmd.deviceId ?? '';
  switch (cmd.action) {
    case 'list':
      return { v: 1, action: 'list' };
    case 'revoke':
      return { v: 1, action: 'revoke', deviceId };
    case 'revoke-all':
      return { v: 1, action: 'revoke-all' };
    case 'rename':
      return { v: 1, action: 'rename', deviceId, name: cmd.value ?? '' };
    case 'role':
      return { v: 1, action: 'role', deviceId, role: cmd.value as Role };
    case 'allow':
      return { v: 1, action: 'allow', deviceId, view: cmd.value === 'view' };
    case 'deny':
      return { v: 1, action: 'deny', deviceId };
  }
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86_400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

/** Runs the command; resolves with the exit status. */
export async function runDevices(cmd: DevicesCommand, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const request = requestOf(cmd);
  let replies: ControlReply[];
  try {
    replies = await askRunningHosts(cmd.stateDir, request);
  } catch (e) {
    err.write(`tether: cannot reach running hosts in ${cmd.stateDir}: ${(e as Error).message}\n`);
    replies = [];
  }
  const local = (): DeviceTrust => new DeviceTrust(new Authenticator(new FileTrustStore(trustStorePath(cmd.stateDir))), null, pino({ level: 'silent' }));

  if (request.action === 'list') {
    const byId = new Map<string, DeviceSummary>();
    for (const d of local().list()) byId.set(d.deviceId, d);
    for (const r of replies) {
      for (const d of (r.ok && r.devices) || []) {
        const known = byId.get(d.deviceId);
        byId.set(d.deviceId, known ? { ...known, online: known.online || d.online } : d);
      }
    }
    const devices = [...byId.values()];
    if (cmd.json) out.write(JSON.stringify({ devices }) + '\n');
    else if (devices.length === 0) out.write('No paired devices.\n');
    else {
      for (const d of devices) {
        const state = d.pending ? 'waiting to join' : d.online ? 'online' : `last seen ${ago(d.lastSeen)}`;
        out.write(`${d.deviceId}  ${safeLine(d.name)} (${d.kind})  ${d.role}  ${state}\n`);
      }
    }
    return 0;
  }

  let reply: ControlReply;
  if (replies.length > 0) reply = replies.find((r) => r.ok) ?? replies[0]!;
  else if (request.action === 'allow' || request.action === 'deny') {
    reply = { ok: false, error: new TetherError('DEVICE_UNKNOWN', `no running tether host has device ${request.deviceId} waiting to join`).toJSON() };
  } else reply = handleControlRequest(local(), request);
  if (cmd.json) out.write(JSON.stringify({ action: cmd.action, deviceId: cmd.deviceId, hosts: replies.length, ...reply }) + '\n');
  if (!reply.ok) {
    if (!cmd.json) err.write(`tether: ${safeLine(reply.error.message)} (${reply.error.code})\n`);
    return 1;
  }
  if (!cmd.json) {
    const what = { revoke: 'revoked', 'revoke-all': 'every device revoked; new links are needed', rename: 'renamed', role: `role set to ${cmd.value}`, allow: cmd.value === 'view' ? 'allowed (view only)' : 'allowed', deny: 'denied' }[request.action];
    out.write(`${cmd.deviceId ? `${cmd.deviceId}: ` : ''}${what}${replies.length ? ` (${replies.length} running host${replies.length === 1 ? '' : 's'} told)` : ''}\n`);
  }
  return 0;
}
