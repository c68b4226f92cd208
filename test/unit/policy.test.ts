/**
 * Admin policy, key by key, through the real command-line parser with a user policy file
 * (~/.config/tether/policy.json via XDG_CONFIG_HOME): a flag that breaks policy is one POLICY_FORBIDS line
 * naming the file and the key; defaults are capped; a malformed policy file fails closed.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { TetherError } from '../../protocol/errors.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An environment whose user policy file holds `policy`; returns it and the file's path. */
function withPolicy(policy: unknown): { env: Record<string, string>; file: string } {
  const home = mkdtempSync(join(tmpdir(), 'tether-policy-'));
  dirs.push(home);
  mkdirSync(join(home, 'tether'));
  const file = join(home, 'tether', 'policy.json');
  writeFileSync(file, typeof policy === 'string' ? policy : JSON.stringify(policy));
  return { env: { HOME: home, XDG_CONFIG_HOME: home, SHELL: '/bin/sh' }, file };
}

const parse = (argv: string[], env: Record<string, string>): RemoteControlCommand => parseCli(argv, env, '/tmp') as RemoteControlCommand;

function forbids(argv: string[], policy: unknown, key: string): void {
  const { env, file } = withPolicy(policy);
  assert.throws(() => parse(argv, env), (err: unknown) => {
    assert.ok(err instanceof TetherError);
    assert.equal(err.code, 'POLICY_FORBIDS');
    assert.ok(err.message.includes(file), `names the file: ${err.message}`);
    assert.ok(err.message.includes(key), `names the key: ${err.message}`);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
}

describe('admin policy', () => {
  it('remoteControl: false forbids server mode and --remote-control; a private interactive session is fine', () => {
    forbids(['remote-control'], { remoteControl: false }, 'remoteControl');
    forbids(['--remote-control'], { remoteControl: false }, 'remoteControl');
    const { env } = withPolicy({ remoteControl: false });
    assert.equal(parse(['--agent', 'shell'], env).command, 'interactive');
  });

  it('allowedAgents forbids other agents, --allow-agent beyond it, and the default shell when it is not listed', () => {
    forbids(['remote-control', '--agent', 'claude'], { allowedAgents: ['shell'] }, 'allowedAgents');
    forbids(['remote-control', '--allow-agent', 'shell', '--agent', 'claude'], { allowedAgents: ['claude'] }, 'allowedAgents');
    forbids(['remote-control'], { allowedAgents: ['claude'] }, 'allowedAgents');
    forbids(['remote-control', '--', 'vim'], { allowedAgents: ['shell'] }, 'allowedAgents');
    const { env } = withPolicy({ allowedAgents: ['claude', 'shell'] });
    assert.equal(parse(['remote-control', '--agent', 'claude', '--allow-agent', 'shell'], env).program.label, 'claude');
  });

  it('maxCapacity forbids a larger --capacity and caps the default', () => {
    forbids(['remote-control', '--capacity', '10'], { maxCapacity: 4 }, 'maxCapacity');
    const { env } = withPolicy({ maxCapacity: 4 });
    assert.equal(parse(['remote-control'], env).capacity, 4);
    assert.equal(parse(['remote-control', '--capacity', '3'], env).capacity, 3);
  });

  it('allowedBindAddresses forbids other addresses and makes the first allowed one the default', () => {
    forbids(['remote-control', '--bind', '0.0.0.0'], { allowedBindAddresses: ['loopback'] }, 'allowedBindAddresses');
    forbids(['remote-control', '--local'], { allowedBindAddresses: ['10.0.0.5'] }, 'allowedBindAddresses');
    const { env } = withPolicy({ allowedBindAddresses: ['loopback'] });
    assert.equal(parse(['remote-control'], env).bind, '127.0.0.1');
    assert.equal(parse(['remote-control', '--bind', '127.0.0.2'], env).bind, '127.0.0.2');
  });

  it('maxLinkTtl forbids a longer --link-ttl and never, and caps the default', () => {
    forbids(['remote-control', '--link-ttl', '2h'], { maxLinkTtl: '5m' }, 'maxLinkTtl');
    forbids(['remote-control', '--link-ttl', 'never'], { maxLinkTtl: '5m' }, 'maxLinkTtl');
    const { env } = withPolicy({ maxLinkTtl: '5m' });
    assert.equal(parse(['remote-control'], env).linkTtlMs, 5 * 60_000);
    assert.equal(parse(['remote-control', '--link-ttl', '90s'], env).linkTtlMs, 90_000);
  });

  it('requireDeviceConfirmation turns --confirm-devices on', () => {
    const { env } = withPolicy({ requireDeviceConfirmation: true });
    assert.equal(parse(['remote-control'], env).confirmDevices, true);
  });

  it('requireAuditLog forbids running without --audit', () => {
    forbids(['remote-control'], { requireAuditLog: true }, 'requireAuditLog');
    const { env } = withPolicy({ requireAuditLog: true });
    assert.equal(parse(['remote-control', '--audit', '/tmp/a.jsonl'], env).audit?.path, '/tmp/a.jsonl');
  });

  it('terminalRole lets control devices type into terminals (owner-only by default)', () => {
    assert.equal(parse(['remote-control'], withPolicy({}).env).terminalRole, 'owner');
    assert.equal(parse(['remote-control'], withPolicy({ terminalRole: 'control' }).env).terminalRole, 'control');
  });

  it('workspaceRole lets control or view devices see a session\'s workspace (owner-only by default)', () => {
    assert.equal(parse(['remote-control'], withPolicy({}).env).workspaceRole, 'owner');
    assert.equal(parse(['remote-control'], withPolicy({ workspaceRole: 'view' }).env).workspaceRole, 'view');
  });

  it('a malformed policy file fails closed, naming the file', () => {
    for (const bad of ['{nope', { maxCapacity: 'lots' }, { unknownKey: true }]) {
      const { env, file } = withPolicy(bad);
      assert.throws(() => parse(['remote-control'], env), (err: unknown) => err instanceof TetherError && err.code === 'POLICY_FORBIDS' && err.message.includes(file));
    }
  });
});
