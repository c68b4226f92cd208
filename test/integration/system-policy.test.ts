/**
 * The system policy at its fixed path (/etc/tether/policy.json, bind-mounted in a private mount namespace)
 * wins over the user's per key, and a flag that breaks it is one line naming the file and key, exit 2.
 * Devices may start only the agents the host allows: the server's own, the presets, a shell only when
 * allowed, never what the policy forbids.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWithSystemPolicy, systemPolicyUnavailable } from '../helpers/system-policy.js';
import { removeStateDirs, startTrustHost, type TrustHost } from '../helpers/trust-host.js';
import { readListMeta } from '../../protocol/session-list-doc.js';
import { TetherError } from '../../protocol/errors.js';

const dirs: string[] = [];
const hosts: TrustHost[] = [];
after(async () => {
  for (const h of hosts) await h.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  removeStateDirs();
});

function userPolicy(policy: unknown): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'tether-userpolicy-'));
  dirs.push(home);
  mkdirSync(join(home, 'tether'));
  writeFileSync(join(home, 'tether', 'policy.json'), JSON.stringify(policy));
  return { XDG_CONFIG_HOME: home, TETHER_STATE_DIR: join(home, 'state') };
}

describe('system policy', { skip: systemPolicyUnavailable() ?? undefined }, () => {
  it('wins over the user policy per key; a breaking flag is one line naming /etc/tether/policy.json, exit 2', async () => {
    const env = userPolicy({ maxCapacity: 100, maxLinkTtl: '2h' });
    const r = await runWithSystemPolicy({ version: 1, maxCapacity: 2 }, ['remote-control', '--capacity', '5', '--local', '--port', '0', '--json', '--', '/bin/true'], env);
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /--capacity 5: the policy in \/etc\/tether\/policy\.json forbids it \(maxCapacity: 2\) \(POLICY_FORBIDS\)/);
    // The user's key that the system file does not set still applies.
    const ttl = await runWithSystemPolicy({ maxCapacity: 2 }, ['remote-control', '--link-ttl', '3h', '--local', '--port', '0', '--', '/bin/true'], env);
    assert.equal(ttl.status, 2);
    assert.match(ttl.stderr, /maxLinkTtl/);
    assert.ok(ttl.stderr.includes(join(env.XDG_CONFIG_HOME!, 'tether', 'policy.json')), ttl.stderr);
  });

  it('remote control disabled: tether remote-control is refused', async () => {
    const r = await runWithSystemPolicy({ remoteControl: false }, ['remote-control', '--local', '--port', '0', '--', '/bin/true'], userPolicy({}));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /tether remote-control: the policy in \/etc\/tether\/policy\.json forbids it \(remoteControl: false\)/);
  });

  it('a malformed system policy fails closed', async () => {
    const r = await runWithSystemPolicy('{"maxCapacity": "many"}', ['remote-control', '--local', '--port', '0', '--', '/bin/true'], userPolicy({}));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /policy file \/etc\/tether\/policy\.json is not valid: maxCapacity/);
  });
});

describe('agents devices may start', () => {
  it('the server\'s own agent and the presets; a shell only when allowed', async () => {
    const h = await startTrustHost([], ['--', '/bin/sh']);
    hosts.push(h);
    const labels = readListMeta(h.server.list.list.view).agents.map((a) => a.label);
    assert.ok(labels.includes('pty') && labels.includes('claude'), labels.join());
    assert.ok(!labels.includes('shell'), 'shell is not offered unless allowed');
    await assert.rejects(h.server.startSession({ agent: 'shell' }), (err: unknown) => err instanceof TetherError && err.code === 'AGENT_UNKNOWN');
    const allowed = await startTrustHost(['--allow-agent', 'shell'], ['--', '/bin/sh']);
    hosts.push(allowed);
    assert.deepEqual(readListMeta(allowed.server.list.list.view).agents.map((a) => a.label), ['pty', 'shell']);
  });

  it('never what the policy forbids (the New-session sheet offers only allowed agents)', async () => {
    const env = userPolicy({ allowedAgents: ['pty', 'codex'] });
    const old = { XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
    process.env.XDG_CONFIG_HOME = env.XDG_CONFIG_HOME;
    try {
      const h = await startTrustHost([], ['--', '/bin/sh']);
      hosts.push(h);
      assert.deepEqual(readListMeta(h.server.list.list.view).agents.map((a) => a.label), ['pty', 'codex']);
    } finally {
      if (old.XDG_CONFIG_HOME === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = old.XDG_CONFIG_HOME;
    }
  });
});
