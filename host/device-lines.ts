/**
 * How the host's own terminal shows the user's devices (status screen, chat, shared terminal): one safe
 * line per device, the prompt for a device waiting to join, and device references typed by a person
 * (a number from the list, or a device id).
 */
import type { DeviceSummary } from './trust/device-trust.js';
import { safeLine } from '../client/terminal/safe-text.js';

/** "Chrome on Android (browser) wants to join — <how to answer>". */
export function waitingLine(device: DeviceSummary, how: string): string {
  return `${safeLine(device.name)} · ${device.kind} wants to join (as ${device.role}) — ${how}`;
}

/** One numbered row of the device list. */
export function deviceRow(device: DeviceSummary, index: number, selected = false): string {
  const state = device.pending ? 'waiting to join' : device.online ? '● online' : 'offline';
  return `${selected ? '›' : ' '} ${index + 1}. ${safeLine(device.name)} (${device.kind}) · ${device.role} · ${state} · ${device.deviceId}`;
}

/** The device a person named: a number from the last list shown, or a device id; null when none matches. */
export function deviceByRef(devices: DeviceSummary[], ref: string | undefined): DeviceSummary | null {
  if (ref === undefined) return null;
  if (/^\d{1,3}$/.test(ref)) return devices[Number(ref) - 1] ?? null;
  return devices.find((d) => d.deviceId === ref) ?? null;
}

/** "10 minutes", "90 seconds", "until revoked": how long a new link stays valid. */
export function ttlText(ttlMs: number | null): string {
  if (ttlMs === null) return 'until revoked';
  const s = Math.round(ttlMs / 1000);
  if (s % 86_400 === 0) return `${s / 86_400} day${s === 86_400 ? '' : 's'}`;
  if (s % 3600 === 0) return `${s / 3600} hour${s === 3600 ? '' : 's'}`;
  if (s % 60 === 0) return `${s / 60} minute${s === 60 ? '' : 's'}`;
  return `${s} seconds`;
}
