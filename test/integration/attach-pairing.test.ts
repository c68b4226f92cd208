/**
 * `tether attach` pairs like a browser: its device key and credentials live in the user's config folder
 * (mode 0600, schema version 1), so after the link expired the same terminal still attaches — with the
 * expired link or without any token — while a terminal that never paired is told the link expired and how
 * to get a new one.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPtyCli, type PtyCli } from '../helpers/pty-cli.js';
import { removeStateDirs, startTrustHost, withoutToken, type TrustHost } from '../helpers/trust-host.js';
import { parseSessionUrl } from '../../protocol/session-url.js';
import { waitFor } from '../helpers/wait-for.js';

const config = mkdtempSync(join(tmpdir(), 'tether-attach-config-'));
const stranger = mkdtempSync(join(tmpdir(), 'tether-attach-stranger-'));
const ptys: PtyCli[] = [];
let host: TrustHost | null = null;
after(async () => {
  for (const p of ptys) p.kill();
  await host?.close();
  removeStateDirs();
  rmSync(config, { recursive: true, force: true });
  rmSync(stranger, { recursive: true, force: true });
});

async function attach(url: string, configHome: string): Promise<PtyCli> {
  const cli = startPtyCli(['attach', url], process.cwd(), { XDG_CONFIG_HOME: configHome });
  ptys.push(cli);
  return cli;
}

test('tether attach pairs, keeps its credential (0600), and attaches after the link expired', async () => {
  // Long enough for `tether attach` to start and pair on a busy machine before the link expires.
  host = await startTrustHost(['--link-ttl', '10s', '--spawn', 'session']);
  const h = host;
  const first = await attach(h.url, config);
  await first.waitFor(/connected/);
  first.type('echo paired-$((6*7))\r');
  await first.waitFor(/paired-42/);
  first.type('\x1d');
  assert.equal(await first.exited, 0);
  const file = join(config, 'tether', 'attach-credentials.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { schema: number; credentials: Record<string, Record<string, { credentialId: string }>> };
  assert.equal(stored.schema, 1);
  const { origin } = parseSessionUrl(h.url);
  const ids = Object.values(stored.credentials[origin] ?? {}).map((c) => c.credentialId);
  assert.equal(ids.length, 1);
  assert.ok(h.trust.authenticator.store.credential(ids[0]!), 'the host pinned the same credential');

  const expiry = h.trust.authenticator.store.tokens().find((t) => t.secret === parseSessionUrl(h.url).token)!.expiresAt!;
  await waitFor(() => Date.now() > expiry + 200, 15_000, 'the link to expire');

  const never = await attach(h.url, stranger);
  assert.equal(await never.exited, 1);
  assert.match(never.text(), /this link has expired — ask for a new one \(n on tether's status screen, \/rc new in its chat/);
  assert.match(never.text(), /LINK_EXPIRED/);

  for (const url of [h.url, withoutToken(h.url)]) {
    const again = await attach(url, config);
    await again.waitFor(/connected/);
    again.type('echo still-$((2*21))\r');
    await again.waitFor(/still-42/);
    again.type('\x1d');
    assert.equal(await again.exited, 0);
  }
});
