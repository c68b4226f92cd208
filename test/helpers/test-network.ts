/**
 * A real network fault for browser tests: Chromium runs in its own network namespace, joined to this
 * machine by a veth pair, so cutting the link (`ip link set … down`) really cuts WebRTC — Playwright's
 * setOffline does not. Needs root and iproute2 (CI runs as root).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

/** A namespace with a link to this machine. */
export interface TestNetwork {
  /** This machine's address on the link (bind the host here). */
  hostAddress: string;
  /** Launches headless Chromium inside the namespace. */
  launchChromium(): Promise<Browser>;
  /** Takes the link down (packets are dropped both ways). */
  cut(): void;
  /** Brings the link back up. */
  restore(): void;
  /**
   * Lets the namespace send only to these ports of `hostAddress` (and to itself): everything else it
   * sends is dropped, so e.g. a device can reach the signal server and a TURN server but not the host.
   */
  allowOnly(rules: ReadonlyArray<{ proto: 'tcp' | 'udp'; port: number }>): void;
  destroy(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Creates the namespace and the link; a unique /30 per process keeps parallel runs apart. `prefix` names
 * the namespace and interfaces (each branch's tests keep to their own names); `subnet` the /16 used.
 */
export function createTestNetwork(options: { prefix?: string; subnet?: string } = {}): TestNetwork {
  const id = process.pid % 250;
  const prefix = options.prefix ?? 'tether';
  const ns = `${prefix}-t${process.pid}`;
  const short = prefix === 'tether' ? 'tt' : prefix.slice(0, 3);
  const hostIf = `${short}h${id}`;
  const nsIf = `${short}n${id}`;
  const subnet = options.subnet ?? '10.231';
  const hostAddress = `${subnet}.${id}.1`;
  const nsAddress = `${subnet}.${id}.2`;
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', ns);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${nsAddress}/30`, 'dev', nsIf);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  } catch (err) {
    ip('netns', 'del', ns);
    throw err;
  }
  // Playwright wants one executable: a wrapper that enters the namespace first.
  const wrapper = join(mkdtempSync(join(tmpdir(), 'tether-netns-')), 'chromium');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM_PATH} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return {
    hostAddress,
    launchChromium: () => chromium.launch({ executablePath: wrapper, args: [...CHROMIUM_ARGS], headless: true }),
    cut: () => ip('link', 'set', hostIf, 'down'),
    restore: () => ip('link', 'set', hostIf, 'up'),
    allowOnly: (rules) => {
      const iptables = (...args: string[]): void => {
        execFileSync('ip', ['netns', 'exec', ns, 'iptables', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      };
      iptables('-A', 'OUTPUT', '-o', 'lo', '-j', 'ACCEPT');
      for (const r of rules) iptables('-A', 'OUTPUT', '-p', r.proto, '-d', hostAddress, '--dport', String(r.port), '-j', 'ACCEPT');
      iptables('-A', 'OUTPUT', '-j', 'DROP');
    },
    destroy: () => {
      try {
        ip('link', 'del', hostIf);
      } catch (err) {
        // Deleting the namespace below removes the pair anyway; report anything else.
        if (!/Cannot find device/.test(String((err as { stderr?: Buffer }).stderr ?? err))) throw err;
      }
      ip('netns', 'del', ns);
    },
  };
}
