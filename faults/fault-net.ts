/**
 * The fault suite's network: the devices (a Node fleet and Chromium) live in their own network namespace
 * (`persist-…`), joined to this machine by a veth pair, so a cut (`ip link set … down`) or packet loss
 * (iptables' statistic match inside the namespace) really breaks their WebRTC and signaling.
 * Needs root and iproute2/iptables.
 */
import { execFileSync } from 'node:child_process';

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The namespace and its link. */
export class FaultNet {
  readonly ns: string;
  readonly hostAddress: string;
  readonly nsAddress: string;
  private readonly hostIf: string;
  private readonly nsIf: string;
  private lossOn = false;

  constructor(id = process.pid % 200) {
    this.ns = `persist-f${process.pid}`;
    this.hostIf = `pfh${id}`;
    this.nsIf = `pfn${id}`;
    this.hostAddress = `10.233.${id}.1`;
    this.nsAddress = `10.233.${id}.2`;
    run('ip', ['netns', 'add', this.ns]);
    try {
      run('ip', ['link', 'add', this.hostIf, 'type', 'veth', 'peer', 'name', this.nsIf]);
      run('ip', ['link', 'set', this.nsIf, 'netns', this.ns]);
      run('ip', ['addr', 'add', `${this.hostAddress}/30`, 'dev', this.hostIf]);
      run('ip', ['link', 'set', this.hostIf, 'up']);
      this.inNs('ip', ['addr', 'add', `${this.nsAddress}/30`, 'dev', this.nsIf]);
      this.inNs('ip', ['link', 'set', this.nsIf, 'up']);
      this.inNs('ip', ['link', 'set', 'lo', 'up']);
    } catch (err) {
      this.destroy();
      throw err;
    }
  }

  /** The command prefix that runs a program inside the namespace. */
  get exec(): string[] {
    return ['ip', 'netns', 'exec', this.ns];
  }

  /** Takes the link down: nothing passes either way. */
  cut(): void {
    run('ip', ['link', 'set', this.hostIf, 'down']);
  }

  restore(): void {
    run('ip', ['link', 'set', this.hostIf, 'up']);
  }

  /** Drops `percent` % of the packets in each direction (inside the namespace). */
  loss(percent: number): void {
    const p = (percent / 100).toFixed(3);
    const drop = ['-m', 'statistic', '--mode', 'random', '--probability', p, '-j', 'DROP'];
    this.inNs('iptables', ['-A', 'INPUT', '-i', this.nsIf, ...drop]);
    this.inNs('iptables', ['-A', 'OUTPUT', '-o', this.nsIf, ...drop]);
    this.lossOn = true;
  }

  noLoss(): void {
    if (!this.lossOn) return;
    for (const chain of ['INPUT', 'OUTPUT']) this.inNs('iptables', ['-F', chain]);
    this.lossOn = false;
  }

  destroy(): void {
    try {
      run('ip', ['link', 'del', this.hostIf]);
    } catch (err) {
      // Already gone (or never made): deleting the namespace removes the pair anyway.
      void err;
    }
    try {
      run('ip', ['netns', 'del', this.ns]);
    } catch (err) {
      void err; // already deleted
    }
  }

  private inNs(cmd: string, args: string[]): void {
    run('ip', ['netns', 'exec', this.ns, cmd, ...args]);
  }
}
