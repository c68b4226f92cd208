/**
 * The host says plainly where it listens — all interfaces or this machine only — and when the default
 * port was taken and another one was used (--json `ready.listening`, the status screen, the share panel).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { startPtyCli, type PtyCli } from '../helpers/pty-cli.js';
import { DEFAULT_PORT } from '../../host/cli-args.js';
import { describeListen } from '../../host/lan-address.js';

const clis: CliHost[] = [];
const ptys: PtyCli[] = [];
let blocker: Server | null = null;
after(() => {
  for (const c of clis) c.kill();
  for (const p of ptys) p.kill();
  blocker?.close();
});

/** Occupies the default port on loopback (or finds it already taken by someone else). */
async function occupyDefaultPort(): Promise<void> {
  blocker = createServer();
  await new Promise<void>((resolve) => {
    blocker!.once('error', () => resolve()); // taken already: just as good
    blocker!.listen(DEFAULT_PORT, '127.0.0.1', () => resolve());
  });
}

test('describeListen names the scope and a taken port', () => {
  assert.match(describeListen({ bind: '0.0.0.0', port: 7420, portTaken: null }), /all network interfaces \(0\.0\.0\.0\).*port 7420$/);
  assert.match(describeListen({ bind: '127.0.0.1', port: 7421, portTaken: 7420 }), /this machine only.*port 7420 was taken, so port 7421 is used/);
});

test('a taken default port falls back to a free one and the host says so (--json and the status screen)', async () => {
  await occupyDefaultPort();
  const cli = startCli(['remote-control', '--json', '--local', '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' });
  clis.push(cli);
  const ready = await cli.event('ready');
  const listening = ready.listening as { bind: string; port: number; portTaken: number | null };
  assert.equal(listening.bind, '127.0.0.1');
  assert.equal(listening.portTaken, DEFAULT_PORT);
  assert.notEqual(listening.port, DEFAULT_PORT);

  const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-honest-')));
  const pty = startPtyCli(['remote-control', '--local', '--spawn', 'session', '--', '/bin/sh'], folder);
  ptys.push(pty);
  await pty.waitFor(/Listening on this machine only \(127\.0\.0\.1\): other devices cannot connect, port \d+ — port 7420 was taken/);
});
