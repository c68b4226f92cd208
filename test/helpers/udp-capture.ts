/**
 * A UDP proxy in front of a TURN server that keeps a copy of every datagram both ways, so a test can
 * look at exactly the bytes the relay carries (no packet capture tools needed). Also classifies TURN
 * ChannelData payloads as STUN or DTLS (RFC 7983's first-byte ranges).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** One datagram seen by the proxy. */
export interface Datagram {
  toServer: boolean;
  bytes: Buffer;
}

/** A running proxy. */
export interface UdpCapture {
  port: number;
  datagrams: Datagram[];
  close(): void;
}

/** Listens on `address`:0 and forwards each client's datagrams to `target` from a socket of its own. */
export async function startUdpCapture(address: string, target: { address: string; port: number }): Promise<UdpCapture> {
  const front = createSocket('udp4');
  const upstreams = new Map<string, Socket>();
  const datagrams: Datagram[] = [];
  front.on('message', (msg: Buffer, from: RemoteInfo) => {
    datagrams.push({ toServer: true, bytes: Buffer.from(msg) });
    const key = `${from.address}:${from.port}`;
    let up = upstreams.get(key);
    if (!up) {
      up = createSocket('udp4');
      up.on('message', (reply: Buffer) => {
        datagrams.push({ toServer: false, bytes: Buffer.from(reply) });
        front.send(reply, from.port, from.address);
      });
      up.bind(0, address);
      upstreams.set(key, up);
    }
    up.send(msg, target.port, target.address);
  });
  await new Promise<void>((resolve) => front.bind(0, address, () => resolve()));
  return {
    port: front.address().port,
    datagrams,
    close() {
      front.close();
      for (const up of upstreams.values()) up.close();
    },
  };
}

/**
 * What a datagram between a TURN client and its server carries for the peer: the payload of a
 * ChannelData message (RFC 8656 §12.4) or the DATA attribute of a Send/Data indication; null for
 * TURN's own messages (allocate, permissions, refresh).
 */
export function relayedPayload(datagram: Buffer): Buffer | null {
  if (datagram.length < 4) return null;
  if ((datagram[0]! & 0xc0) === 0x40) return datagram.subarray(4, 4 + datagram.readUInt16BE(2));
  const type = datagram.readUInt16BE(0);
  if (type !== 0x0016 && type !== 0x0017) return null;
  for (let at = 20; at + 4 <= datagram.length; ) {
    const attr = datagram.readUInt16BE(at);
    const length = datagram.readUInt16BE(at + 2);
    if (attr === 0x0013) return datagram.subarray(at + 4, at + 4 + length);
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return null;
}

/** RFC 7983: 0–3 STUN, 20–63 DTLS, anything else is neither. */
export function demuxKind(payload: Buffer): 'stun' | 'dtls' | 'other' {
  const b = payload[0] ?? 255;
  if (b <= 3) return 'stun';
  if (b >= 20 && b <= 63) return 'dtls';
  return 'other';
}
