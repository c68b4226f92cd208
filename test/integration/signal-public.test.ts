/**
 * A public signal service: the real `tether signal` over TLS (https + wss), a real host using it with
 * --signal https://…, and a real `tether attach` typing into the host's shell. Afterwards neither the
 * server's log (trace level) nor its heap (a V8 heap snapshot) holds the link's key or anything typed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { startPtyCli, type PtyCli } from '../helpers/pty-cli.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-tls.js';
import { waitFor } from '../helpers/wait-for.js';
import { parseSessionUrl } from '../../protocol/session-url.js';
import { newKey } from '../../protocol/ids.js';

let certs: TestCertificates;
let snapshotDir: string;
let signal: CliHost;
let host: CliHost | null = null;
let device: PtyCli | null = null;

before(async () => {
  certs = makeTestCertificates();
  snapshotDir = mkdtempSync(join(tmpdir(), 'relay-heap-'));
  signal = startCli(
    ['signal', '--local', '--port', '0', '--json', '--log-level', 'trace', '--tls-cert', certs.cert, '--tls-key', certs.key],
    { NODE_OPTIONS: '--heapsnapshot-signal=SIGUSR2' },
    snapshotDir,
  );
});

after(async () => {
  device?.kill();
  host?.kill();
  signal?.kill();
  rmSync(snapshotDir, { recursive: true, force: true });
  rmSync(certs.dir, { recursive: true, force: true });
});

test('over https and wss, a session leaves neither the key nor any content in the server\'s log or memory', async () => {
  const ready = await signal.event('ready');
  assert.match(String(ready.url), /^https:\/\/127\.0\.0\.1:\d+$/, 'the server says https');
  const trust = { NODE_EXTRA_CA_CERTS: certs.ca };
  host = startCli(['remote-control', 'public', '--signal', String(ready.url), '--json', '--spawn', 'session', '--', '/bin/sh'], { ...trust, PS1: '$ ' });
  const hostReady = await host.event('ready');
  const url = String(hostReady.url);
  assert.ok(url.startsWith(`${String(ready.url)}/s/`), 'links point at the public server');
  const { token, sessionId } = parseSessionUrl(url);
  assert.ok(token);

  device = startPtyCli(['attach', url], process.cwd(), trust);
  const marker = `content-${newKey().slice(0, 10)}`;
  await waitFor(() => host!.events.some((e) => e.event === 'device-joined'), 20_000, 'the device joins through the public server');
  device.type(`echo ${marker}-$((6*7))\r`);
  await device.waitFor(new RegExp(`${marker}-42`), 15_000);
  device.type('\x1d'); // Ctrl-] detaches
  await device.exited;
  host.child.kill('SIGTERM');
  await host.exited;

  // Let the server forget the session, then look at everything it holds.
  signal.child.kill('SIGUSR2');
  await waitFor(() => readdirSync(snapshotDir).some((f) => f.endsWith('.heapsnapshot')), 30_000, 'a heap snapshot');
  const file = join(snapshotDir, readdirSync(snapshotDir).find((f) => f.endsWith('.heapsnapshot'))!);
  await waitFor(() => {
    // Written in one go; it is complete once it parses as the JSON object V8 writes.
    const text = readFileSync(file, 'utf8');
    return text.endsWith('}') || text.endsWith('}\n');
  }, 30_000, 'the snapshot written');
  const heap = readFileSync(file, 'utf8');
  const log = signal.stderr();
  // The control: what the server did handle is findable (it keeps the session id reserved for its owner).
  assert.ok(heap.includes(sessionId), 'the snapshot holds the strings the server handled');
  assert.ok(log.includes('client joined'), 'the log was captured at trace level');
  for (const secret of [token, marker]) {
    assert.ok(!log.includes(secret), `the log holds no ${secret === token ? 'key' : 'content'}`);
    assert.ok(!heap.includes(secret), `the heap holds no ${secret === token ? 'key' : 'content'}`);
  }
});
