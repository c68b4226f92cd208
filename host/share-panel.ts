/** The sharing panel of interactive mode: link, QR code and devices, as lines of text. */
import type { DeviceInfo } from '../protocol/device-roster.js';
import type { ShareInfo } from './sharing.js';
import { renderQr } from './status-screen.js';
import { safeLine } from '../client/terminal/safe-text.js';
import { describeListen } from './lan-address.js';

/** Lines describing the share state; `hint` says how to stop sharing in this UI. */
export function sharePanel(info: ShareInfo | null, devices: DeviceInfo[], hint: string): string[] {
  if (!info) return ['Not shared. /remote-control [name] (or /rc) shares this session.'];
  const qr = renderQr(info.url);
  const others = devices.filter((d) => d.deviceId !== 'local');
  return [
    '',
    ...qr.split('\n').map((l) => `  ${l}`),
    `  Open on your phone or another browser (same network, no internet needed):`,
    `  \x1b[4m${info.url}\x1b[0m`,
    ...(info.listening ? [`  \x1b[2m${describeListen(info.listening)}\x1b[0m`] : []),
    `  ${others.length} device${others.length === 1 ? '' : 's'}${others.length ? ': ' + others.map((d) => safeLine(d.name)).join(', ') : ''}`,
    `  ${hint}`,
    '',
  ];
}
