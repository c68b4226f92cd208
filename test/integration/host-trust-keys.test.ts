/**
 * The host's own terminal manages devices: the status screen (n fresh link, v view-only link, a / o / x
 * answer a waiting device, d devices panel with x revoke), the chat (/rc new, /rc view, /allow, /devices
 * revoke) and a shared terminal's key chord (Ctrl-] n, Ctrl-] v, Ctrl-] a) — each checked by what a real
 * device then gets.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachStatusScreen } from '../../host/status-screen.js';
import { startPtyCli, type PtyCli } from '../helpers/pty-cli.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { joinDevice, openDevice, removeStateDirs, startTrustHost, type TrustDevice, type TrustHost } from '../helpers/trust-host.js';
import { waitFor } from '../helpers/wait-for.js';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-keys-')));
const devices: TrustDevice[] = [];
const ptys: PtyCli[] = [];
let host: TrustHost | null = null;
let detach: (() => void) | null = null;
after(async () => {
  detach?.();
  for (const d of devices) d.close();
  for (const p of ptys) p.kill();
  await host?.close();
  removeStateDirs();
  rmSync(folder, { recursive: true, force: true });
});

const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{22}(?:\?k=[tc])?#[A-Za-z0-9_-]{43}/g;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

function track(d: TrustDevice): TrustDevice {
  devices.push(d);
  return d;
}

test('status screen: n and v mint links, a waiting device is answered with o, d then x revokes', async () => {
  host = await startTrustHost(['--confirm-devices']);
  const h = host;
  let screen = '';
  const out = Object.assign(new Writable({ write: (chunk: Buffer, _e, done) => ((screen = chunk.toString().includes('\x1b[2J') ? chunk.toString() : screen + chunk.toString()), done()) }), { isTTY: true, columns: 120, rows: 60 });
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
  detach = attachStatusScreen(h.server, out as unknown as NodeJS.WriteStream, input as unknown as NodeJS.ReadStream, () => {});
  const text = (): string => screen.replace(ANSI, '');
  h.server.emit('ready', { serverUrl: h.serverUrl, signal: '', listening: null, name: 'keys', first: null });
  await waitFor(() => text().includes(h.serverUrl), 10_000, 'the link on screen');

  input.write('n');
  await waitFor(() => h.server.serverUrl !== h.serverUrl && text().includes(h.server.serverUrl), 10_000, 'a fresh link on screen');
  input.write('v');
  await waitFor(() => /View-only link: http/.test(text()), 10_000, 'a view-only link on screen');
  const viewUrl = h.server.viewUrl!;
  assert.ok(text().includes(viewUrl));

  const phone = track(openDevice(h.server.serverUrl, 'Pixel 8'));
  await waitFor(() => text().includes('Pixel 8 · terminal wants to join (as owner) — a allow · o allow view-only · x deny'), 15_000, 'the waiting device on screen');
  input.write('o');
  await waitFor(() => phone.client.state === 'live', 10_000, 'allowed view-only');
  assert.equal(phone.client.role, 'view');

  input.write('d');
  await waitFor(() => /Devices \(1 paired\)/.test(text()) && text().includes('Pixel 8 (terminal) · view'), 10_000, 'the devices panel');
  input.write('x');
  await waitFor(() => phone.client.state === 'failed', 5000, 'revoked from the panel');
  assert.equal(phone.client.error?.code, 'DEVICE_REVOKED');
  await waitFor(() => text().includes('Revoked Pixel 8'), 5000, 'the screen says so');
});

test('chat: /allow answers a waiting device; /rc view and /rc new mint links; /devices revoke kicks a device', async () => {
  const cli = startPtyCli(['--rc', 'chat-keys', '--confirm-devices', '--agent', SCRIPTED_AGENT, '--local', '--port', '0'], folder);
  ptys.push(cli);
  const first = (await cli.waitFor(new RegExp(URL_PATTERN.source)))[0];
  const phone = track(openDevice(first, 'phone'));
  await cli.waitFor(/phone · terminal wants to join \(as owner\) — \/allow 1 · \/allow 1 view · \/deny 1/);
  cli.type('/allow 1\r');
  await waitFor(() => phone.client.state === 'live', 10_000, 'allowed from the chat');
  assert.equal(phone.client.role, 'owner');

  cli.type('/rc view\r');
  await cli.waitFor(/View-only link \(new devices can pair with it for 10 minutes\)/);
  const viewUrl = [...cli.text().matchAll(URL_PATTERN)].map((m) => m[0]).at(-1)!;
  assert.notEqual(viewUrl, first);
  const viewer = track(openDevice(viewUrl, 'viewer'));
  await cli.waitFor(/viewer · terminal wants to join \(as view\)/);
  cli.type('/allow 2\r');
  await waitFor(() => viewer.client.state === 'live', 10_000, 'viewer allowed');
  assert.equal(viewer.client.role, 'view');

  cli.type('/rc new\r');
  await cli.waitFor(/New link \(new devices can pair/);
  cli.type('/devices\r');
  await cli.waitFor(/1\. phone \(terminal\) · owner · ● online/);
  cli.type('/devices revoke 1\r');
  await waitFor(() => phone.client.state === 'failed', 5000, 'revoked from the chat');
  assert.equal(phone.client.error?.code, 'DEVICE_REVOKED');
  await cli.waitFor(/Revoked phone/);
  cli.type('/quit\r');
  assert.equal(await cli.exited, 0);
});

test('shared terminal: Ctrl-] a allows a waiting device; Ctrl-] v and Ctrl-] n mint links', async () => {
  const cli = startPtyCli(['--rc', 'pty-keys', '--confirm-devices', '--local', '--port', '0', '--', '/bin/sh'], folder);
  ptys.push(cli);
  const first = (await cli.waitFor(new RegExp(URL_PATTERN.source)))[0];
  const laptop = track(openDevice(first, 'laptop'));
  await cli.waitFor(/laptop · terminal wants to join \(as owner\) — Ctrl-\] a allow/);
  cli.type('\x1da');
  await waitFor(() => laptop.client.state === 'live', 10_000, 'allowed with Ctrl-] a');
  cli.type('\x1dv');
  await cli.waitFor(/view-only link \(new devices can pair for 10 minutes\): http/);
  const viewUrl = [...cli.text().matchAll(URL_PATTERN)].map((m) => m[0]).at(-1)!;
  cli.type('\x1dn');
  await cli.waitFor(/new link \(new devices can pair for 10 minutes\): http/);
  const newUrl = [...cli.text().matchAll(URL_PATTERN)].map((m) => m[0]).at(-1)!;
  assert.equal(new Set([first, viewUrl, newUrl]).size, 3);
  // The allowed laptop comes back with its credential, no waiting.
  laptop.close();
  const again = track(await joinDevice(first.replace(/#.*$/, ''), 'laptop', laptop.credentials));
  assert.equal(again.client.role, 'owner');
  cli.type('\x1dq');
  assert.equal(await cli.exited, 0);
});
