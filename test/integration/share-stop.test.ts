/**
 * Stopping a share revokes it: devices are told "sharing stopped" over their data channel (final, no
 * reconnect), the old link never works again, and sharing again makes a new link (new session id and
 * token) on which devices see the whole history.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPtyCli, type PtyCli } from '../helpers/pty-cli.js';
import { joinClient, openClient, type TestClient } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';
import { parseSessionUrl } from '../../protocol/session-url.js';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-share-stop-')));
const running: PtyCli[] = [];
const clients: TestClient[] = [];
after(() => {
  for (const c of clients) c.close();
  for (const p of running) p.kill();
});

const URL_PATTERN = /(http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{22}(?:\?k=[tc])?#[A-Za-z0-9_-]{43})/g;

/** The links the CLI has printed so far, in order. */
function links(cli: PtyCli): string[] {
  return [...new Set(cli.text().match(URL_PATTERN) ?? [])];
}

test('Ctrl-] x stops sharing for good: SHARE_STOPPED on the device, the old link dead; Ctrl-] s shares anew', async () => {
  const cli = startPtyCli(['--rc', 'stop-demo', '--local', '--port', '0', '--', '/bin/sh'], folder);
  running.push(cli);
  await waitFor(() => links(cli).length === 1, 15_000, 'the first link');
  const first = links(cli)[0]!;
  const phone = await joinClient(first, 'phone');
  clients.push(phone);
  await phone.client.sendIntent({ type: 'input', data: 'echo before-$((20+1))\r' });
  await waitFor(() => phone.text().includes('before-21'), 10_000, 'output before the stop');

  cli.type('\x1dx');
  await waitFor(() => phone.client.state === 'closed', 10_000, 'the device is told');
  assert.equal(phone.client.error?.code, 'SHARE_STOPPED');
  await cli.waitFor(/sharing stopped/);

  // The old link is dead: its signal server went with the share, and no host serves its session id.
  const late = openClient(first, 'late');
  clients.push(late);
  await waitFor(() => late.client.error !== null, 10_000, 'the old link gets an answer');
  assert.notEqual(late.client.state, 'live');
  assert.ok(['HOST_UNREACHABLE', 'SIGNAL_UNREACHABLE'].includes(late.client.error!.code), late.client.error!.code);

  cli.type('\x1ds');
  await waitFor(() => links(cli).length === 2, 15_000, 'a new link');
  const second = links(cli)[1]!;
  const a = parseSessionUrl(first);
  const b = parseSessionUrl(second);
  assert.notEqual(b.sessionId, a.sessionId, 'a new session id');
  assert.notEqual(b.token, a.token, 'a new token');
  const laptop = await joinClient(second, 'laptop');
  clients.push(laptop);
  assert.ok(laptop.text().includes('before-21'), 'the history so far');
  // The stopped device stays stopped: it never reconnected by itself.
  assert.equal(phone.client.state, 'closed');
  assert.equal(late.client.state === 'live', false);
  cli.type('\x1dq');
  assert.equal(await cli.exited, 0);
});
