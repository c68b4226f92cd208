/**
 * Pairing is bounded: anyone holding a valid link can pair, so the host keeps at most MAX_PAIRED_DEVICES
 * credentials and refuses another with DEVICES_FULL (final on the device) instead of growing its trust
 * store without end or evicting a device the user paired.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTrustStore } from '../../host/trust/file-trust-store.js';
import { MAX_PAIRED_DEVICES } from '../../host/trust/authenticator.js';
import { newKeyPair } from '../../protocol/auth-signature.js';
import { toBase64Url } from '../../protocol/encoding.js';
import { newId } from '../../protocol/ids.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { openClient, type TestClient } from '../helpers/terminal-host.js';
import { waitFor } from '../helpers/wait-for.js';

const stateDir = mkdtempSync(join(tmpdir(), 'tether-devices-full-'));
let host: CliHost | null = null;
let device: TestClient | null = null;
after(async () => {
  device?.close();
  host?.kill();
  await host?.exited;
  rmSync(stateDir, { recursive: true, force: true });
});

test(`a host with ${MAX_PAIRED_DEVICES} paired devices refuses to pair another (DEVICES_FULL, final) and keeps them all`, async () => {
  const path = join(stateDir, 'trust.json');
  new FileTrustStore(path).hostKey();
  const file = JSON.parse(readFileSync(path, 'utf8')) as { credentials: Record<string, unknown> };
  const now = Date.now();
  for (let i = 0; i < MAX_PAIRED_DEVICES; i++) {
    const id = newId();
    file.credentials[id] = { id, publicKey: toBase64Url(newKeyPair().publicKey), name: `device ${i}`, kind: 'browser', role: 'control', pairedWith: null, createdAt: now, lastSeen: now };
  }
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 });

  host = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--', '/bin/sh'], { TETHER_STATE_DIR: stateDir, PS1: '$ ' });
  const url = String((await host.event('ready')).url);
  device = openClient(url, 'one too many');
  await waitFor(() => device!.client.state === 'failed', 20_000, 'the device is refused').catch((err: unknown) => {
    throw new Error(`${(err as Error).message}: ${device!.client.state} ${device!.client.error?.code} ${host!.stderr().slice(-300)}`);
  });
  assert.equal(device.client.error?.code, 'DEVICES_FULL');
  assert.equal(Object.keys((JSON.parse(readFileSync(path, 'utf8')) as { credentials: object }).credentials).length, MAX_PAIRED_DEVICES);
});
