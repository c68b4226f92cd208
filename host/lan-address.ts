/**
 * Picks the address to put in session links: the machine's primary LAN IPv4 address, so a phone on
 * the same Wi-Fi can reach it. Virtual interfaces (docker, bridges, veth, VPN tunnels) are skipped.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

const VIRTUAL = /^(docker|br-|veth|virbr|vmnet|vboxnet|tun|tap|utun|zt|tailscale|wg|lo)/i;

/** The best LAN IPv4 address, or 127.0.0.1 when the machine has none. */
export function primaryLanAddress(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string {
  const candidates: Array<{ name: string; address: string }> = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal) candidates.push({ name, address: info.address });
    }
  }
  const physical = candidates.filter((c) => !VIRTUAL.test(c.name));
  const privateRange = (a: string): boolean => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a);
  const pick = physical.find((c) => privateRange(c.address)) ?? physical[0] ?? candidates[0];
  return pick?.address ?? '127.0.0.1';
}

/** The origin devices use for a server bound to `bind`:`port` (https when it serves TLS). */
export function linkOrigin(bind: string, port: number, publicUrl: string | null, tls = false): string {
  if (publicUrl) return publicUrl;
  const host = bind === '0.0.0.0' || bind === '::' ? primaryLanAddress() : bind;
  return `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Where an embedded signal server listens, said plainly for people. */
export interface ListenInfo {
  bind: string;
  port: number;
  /** The default port that was taken, when another one was used instead. */
  portTaken: number | null;
}

/** "all interfaces (0.0.0.0) on port 7420" or "this machine only (127.0.0.1) on port 7420", and a taken port. */
export function describeListen(info: ListenInfo): string {
  const where = info.bind === '0.0.0.0' || info.bind === '::'
    ? `all network interfaces (${info.bind}): devices on your network can connect`
    : info.bind === '127.0.0.1' || info.bind === '::1' || info.bind === 'localhost'
      ? `this machine only (${info.bind}): other devices cannot connect`
      : `${info.bind} only`;
  const taken = info.portTaken !== null ? ` — port ${info.portTaken} was taken, so port ${info.port} is used` : '';
  return `Listening on ${where}, port ${info.port}${taken}`;
}

/** The origin the host itself uses to reach a server bound to `bind` (loopback when it listens everywhere). */
export function selfOrigin(bind: string, port: number, tls = false): string {
  const scheme = tls ? 'https' : 'http';
  if (bind === '0.0.0.0') return `${scheme}://127.0.0.1:${port}`;
  if (bind === '::') return `${scheme}://[::1]:${port}`;
  return `${scheme}://${bind.includes(':') ? `[${bind}]` : bind}:${port}`;
}
