/**
 * Device leaves the list: time from a device going away to the host reporting it gone (`device-left`),
 * for a Chromium page that is closed (the page says bye on pagehide), a Node device that closes politely,
 * a Node device whose connection is closed without a bye, and a `tether attach` process killed with
 * SIGKILL (nothing is sent at all, as when a phone loses its network: only the host's liveness check
 * notices).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as spawnPty } from '@lydell/node-pty';
import type { Browser } from 'playwright-core';
import { packageRoot } from '../host/package-paths.js';
import { HostProcess } from './host-process.js';
import { NodeDevice } from './node-device.js';
import type { BenchResult, BenchRow } from './report.js';
import { ms, summarize } from './stats.js';

const ROUNDS = 5;
const TARGET_MS = 2000;
const TIMEOUT_MS = 20_000;

async function timeToLeave(host: HostProcess, leave: () => Promise<void> | void): Promise<number> {
  const t0 = performance.now();
  await leave();
  await host.waitForDevices(0, TIMEOUT_MS);
  return performance.now() - t0;
}

async function nodeRound(host: HostProcess, i: number, abrupt: boolean): Promise<number> {
  const device = new NodeDevice(host.url, `leaver ${i}`).start();
  await device.until(() => device.live, TIMEOUT_MS, 'live');
  await host.waitForDevices(1, TIMEOUT_MS);
  return timeToLeave(host, () => {
    if (abrupt) device.client.connection.dropConnection();
    device.client.close();
  });
}

/** A real `tether attach` (on a PTY, with its own config folder) killed with SIGKILL once joined. */
async function silentRound(host: HostProcess): Promise<number> {
  const config = mkdtempSync(join(tmpdir(), 'tether-bench-leave-'));
  const attach = spawnPty(process.execPath, [join(packageRoot(), 'bin', 'tether.js'), 'attach'], {
    cols: 80,
    rows: 24,
    env: { ...process.env, TETHER_LINK: host.url, XDG_CONFIG_HOME: config, XDG_STATE_HOME: config } as Record<string, string>,
  });
  try {
    await host.waitForDevices(1, TIMEOUT_MS);
    return await timeToLeave(host, () => attach.kill('SIGKILL'));
  } finally {
    attach.kill('SIGKILL');
    rmSync(config, { recursive: true, force: true });
  }
}

function row(what: string, samples: number[], target: boolean): BenchRow {
  const s = summarize(samples);
  return {
    benchmark: `Device leaves the host's list: ${what} (n=${s.n})`,
    figure: `p50 ${ms(s.p50)} · max ${ms(s.max)}`,
    target: target ? `≤ ${TARGET_MS} ms` : 'reported',
    met: target ? s.max <= TARGET_MS : null,
  };
}

/** Runs the benchmark; `browser` is null when Chromium is unavailable (the page row is then left out). */
export async function benchDeviceLeave(browser: Browser | null): Promise<BenchResult> {
  const host = await HostProcess.start(['/bin/sh']);
  const page: number[] = [];
  const polite: number[] = [];
  const abrupt: number[] = [];
  const silent: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      polite.push(await nodeRound(host, i, false));
      abrupt.push(await nodeRound(host, i, true));
      silent.push(await silentRound(host));
      if (!browser) continue;
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      try {
        const tab = await context.newPage();
        await tab.goto(host.url, { waitUntil: 'commit', timeout: TIMEOUT_MS });
        await host.waitForDevices(1, TIMEOUT_MS);
        page.push(await timeToLeave(host, () => tab.close({ runBeforeUnload: true })));
      } finally {
        await context.close();
      }
    }
  } finally {
    await host.stop();
  }
  return {
    rows: [
      ...(browser ? [row('Chromium page closed', page, true)] : []),
      row('Node device closes', polite, true),
      row('Node device closes its connection without a bye', abrupt, true),
      row('tether attach killed (SIGKILL), nothing sent', silent, false),
    ],
    notes: ['device leave: a device that vanishes without sending anything is noticed after 6 s without its pings (DeviceConnection); a closed page or connection is noticed at once'],
  };
}
