import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_PRESETS } from '../../host/agent-presets.js';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORT, parseCli, type CliCommand, type RemoteControlCommand } from '../../host/cli-args.js';
import { TetherError } from '../../protocol/errors.js';
import { TETHER_VERSION } from '../../protocol/version.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const env = { SHELL: '/bin/zsh', HOME: '/home/dev', PATH: '/usr/bin:/bin', TERM: 'dumb' };
const cwd = '/home/dev/project';

const parse = (argv: string[], e: Record<string, string | undefined> = env): CliCommand => parseCli(argv, e, cwd);

function rc(argv: string[], e: Record<string, string | undefined> = env): RemoteControlCommand {
  const cmd = parse(['remote-control', ...argv], e);
  assert.equal(cmd.command, 'remote-control');
  return cmd as RemoteControlCommand;
}

describe('parseCli: help and version', () => {
  const cases: Array<[string[], CliCommand]> = [
    [[], { command: 'help', topic: 'main' }],
    [['--help'], { command: 'help', topic: 'main' }],
    [['-h'], { command: 'help', topic: 'main' }],
    [['help'], { command: 'help', topic: 'main' }],
    [['--version'], { command: 'version', topic: 'main' }],
    [['-v'], { command: 'version', topic: 'main' }],
    [['remote-control', '--help'], { command: 'help', topic: 'remote-control' }],
    [['remote-control', '-h'], { command: 'help', topic: 'remote-control' }],
    [['remote-control', '--port', 'abc', '--help'], { command: 'help', topic: 'remote-control' }],
    [['signal', '--help'], { command: 'help', topic: 'signal' }],
    [['attach', '--help'], { command: 'help', topic: 'attach' }],
  ];
  for (const [argv, expected] of cases) {
    it(`tether ${argv.join(' ')}`, () => {
      assert.deepEqual(parse(argv), expected);
    });
  }
});

describe('parseCli: remote-control', () => {
  it('has documented defaults', () => {
    const cmd = rc([]);
    assert.deepEqual(cmd, {
      command: 'remote-control',
      shareAtStart: true,
      name: null,
      program: { kind: 'pty', label: 'shell', file: '/bin/zsh', args: [], display: '/bin/zsh' },
      port: DEFAULT_PORT,
      portExplicit: false,
      bind: '0.0.0.0',
      publicUrl: null,
      signalUrl: null,
      cols: 80,
      rows: 24,
      json: false,
      logLevel: 'warn',
      notifications: 'on',
      cwd,
      env: { ...env, TERM: 'xterm-256color', TETHER_SESSION: '1' },
      configPath: null,
      presets: BUILTIN_PRESETS,
      capacity: 32,
      spawn: 'same-dir',
      createSessionInDir: true,
      linkTtlMs: 10 * 60 * 1000,
      iceServers: [],
      iceTransportPolicy: 'all',
      turn: null,
      tls: null,
      trustProxy: false,
      stateDir: '/home/dev/.local/state/tether',
      keepHistoryMs: 7 * 86_400_000,
      historyLimitBytes: 1024 ** 3,
      confirmDevices: false,
      audit: null,
      allowAgents: [],
      terminalRole: 'owner',
      workspaceRole: 'owner',
      policy: {},
    });
    assert.equal(DEFAULT_PORT, 7420);
    assert.ok(Object.isFrozen(cmd));
  });

  it('finds the state folder: --state-dir, then TETHER_STATE_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
    assert.equal(rc(['--state-dir', 'state']).stateDir, '/home/dev/project/state');
    assert.equal(rc(['--state-dir', '/srv/tether']).stateDir, '/srv/tether');
    assert.equal(rc([], { ...env, TETHER_STATE_DIR: '/var/lib/t' }).stateDir, '/var/lib/t');
    assert.equal(rc(['--state-dir', '/x'], { ...env, TETHER_STATE_DIR: '/var/lib/t' }).stateDir, '/x');
    assert.equal(rc([], { ...env, XDG_STATE_HOME: '/xdg' }).stateDir, '/xdg/tether');
    assert.equal(rc([], { ...env, XDG_STATE_HOME: 'relative' }).stateDir, '/home/dev/.local/state/tether');
  });

  it('takes --keep-history and --history-limit', () => {
    assert.equal(rc(['--keep-history', '30d']).keepHistoryMs, 30 * 86_400_000);
    assert.equal(rc(['--keep-history', 'forever']).keepHistoryMs, null);
    assert.equal(rc(['--history-limit', '500m']).historyLimitBytes, 500 * 1024 ** 2);
    assert.equal(rc(['--history-limit', '2G']).historyLimitBytes, 2 * 1024 ** 3);
    for (const [flag, value] of [['--keep-history', '0d'], ['--keep-history', 'week'], ['--history-limit', '10k'], ['--history-limit', '5']]) {
      assert.throws(() => rc([flag!, value!]), (e: TetherError) => e.code === 'BAD_FLAG' && e.message.includes(flag!.slice(2)), `${flag} ${value}`);
    }
  });

  it('takes --notifications on|generic|off', () => {
    assert.equal(rc(['--notifications', 'generic']).notifications, 'generic');
    assert.equal(rc(['--notifications', 'off']).notifications, 'off');
    assert.throws(() => rc(['--notifications', 'loud']), (e: TetherError) => e.code === 'BAD_FLAG' && e.message.includes('--notifications must be on, generic or off'));
  });

  it('parses tether sessions', () => {
    assert.deepEqual(parse(['sessions']), { command: 'sessions', action: 'list', stateDir: '/home/dev/.local/state/tether', olderThanMs: null, ids: [], all: false, json: false });
    const prune = parse(['sessions', 'prune', '--older-than', '3d', '--state-dir', '/s']);
    assert.deepEqual(prune, { command: 'sessions', action: 'prune', stateDir: '/s', olderThanMs: 3 * 86_400_000, ids: [], all: false, json: false });
    assert.equal((parse(['sessions', 'prune']) as { olderThanMs: number }).olderThanMs, 7 * 86_400_000, 'prune defaults to the retention');
    assert.deepEqual((parse(['sessions', 'prune', 'AAAAAAAAAAAAAAAAAAAAAA']) as unknown as { ids: string[] }).ids, ['AAAAAAAAAAAAAAAAAAAAAA']);
    for (const argv of [['sessions', 'drop'], ['sessions', 'prune', 'nope'], ['sessions', 'prune', '--all', '--older-than', '1d'], ['sessions', 'list', '--all']]) {
      assert.throws(() => parse(argv), (e: TetherError) => e.code === 'BAD_FLAG', argv.join(' '));
    }
    assert.deepEqual(parse(['sessions', '--help']), { command: 'help', topic: 'sessions' });
  });

  it('passes the environment to the program without undefined values, with TERM and TETHER_SESSION set', () => {
    const cmd = rc([], { SHELL: '/bin/bash', LANG: 'C.UTF-8', UNSET: undefined });
    assert.deepEqual(cmd.env, { SHELL: '/bin/bash', LANG: 'C.UTF-8', TERM: 'xterm-256color', TETHER_SESSION: '1' });
  });

  it('takes a session name', () => {
    assert.equal(rc(['my-project']).name, 'my-project');
    assert.equal(rc(['--json', 'my-project', '--local']).name, 'my-project');
    assert.equal(rc(['n'.repeat(64)]).name, 'n'.repeat(64));
  });

  describe('programs', () => {
    const cases: Array<[string, string[], Record<string, string | undefined>, RemoteControlCommand['program']]> = [
      ['--agent shell uses $SHELL', ['--agent', 'shell'], { SHELL: '/usr/bin/fish' }, { kind: 'pty', label: 'shell', file: '/usr/bin/fish', args: [], display: '/usr/bin/fish' }],
      ['--agent=shell', ['--agent=shell'], { SHELL: '/usr/bin/fish' }, { kind: 'pty', label: 'shell', file: '/usr/bin/fish', args: [], display: '/usr/bin/fish' }],
      ['--agent shell without $SHELL falls back to /bin/sh', ['--agent', 'shell'], {}, { kind: 'pty', label: 'shell', file: '/bin/sh', args: [], display: '/bin/sh' }],
      ['an empty $SHELL falls back to /bin/sh', [], { SHELL: '' }, { kind: 'pty', label: 'shell', file: '/bin/sh', args: [], display: '/bin/sh' }],
      ['a blank $SHELL falls back to /bin/sh', [], { SHELL: '  ' }, { kind: 'pty', label: 'shell', file: '/bin/sh', args: [], display: '/bin/sh' }],
      ['no --agent means the shell', [], { SHELL: '/bin/bash' }, { kind: 'pty', label: 'shell', file: '/bin/bash', args: [], display: '/bin/bash' }],
      ["--agent 'pty:htop -d 5'", ['--agent', 'pty:htop -d 5'], env, { kind: 'pty', label: 'pty', file: '/bin/sh', args: ['-c', 'htop -d 5'], display: 'htop -d 5' }],
      ["--agent 'pty:  top  ' is trimmed", ['--agent', 'pty:  top  '], env, { kind: 'pty', label: 'pty', file: '/bin/sh', args: ['-c', 'top'], display: 'top' }],
      ['-- vim file', ['--', 'vim', 'file'], env, { kind: 'pty', label: 'pty', file: 'vim', args: ['file'], display: 'vim file' }],
      ['-- a command whose args look like flags', ['--', 'ls', '--port', '-la'], env, { kind: 'pty', label: 'pty', file: 'ls', args: ['--port', '-la'], display: 'ls --port -la' }],
      ['-- with a second --', ['--', 'sh', '--', 'x'], env, { kind: 'pty', label: 'pty', file: 'sh', args: ['--', 'x'], display: 'sh -- x' }],
    ];
    for (const [what, argv, e, program] of cases) {
      it(what, () => {
        assert.deepEqual(rc(argv, e).program, program);
      });
    }

    it('a name and flags before --', () => {
      const cmd = rc(['proj', '--json', '--', 'vim', '-R', 'notes.md']);
      assert.equal(cmd.name, 'proj');
      assert.equal(cmd.json, true);
      assert.deepEqual(cmd.program, { kind: 'pty', label: 'pty', file: 'vim', args: ['-R', 'notes.md'], display: 'vim -R notes.md' });
    });
  });

  describe('network flags', () => {
    const cases: Array<[string, string[], Partial<RemoteControlCommand>]> = [
      ['--port 0', ['--port', '0'], { port: 0, portExplicit: true }],
      ['--port 8080', ['--port', '8080'], { port: 8080, portExplicit: true }],
      ['--port=65535', ['--port=65535'], { port: 65535, portExplicit: true }],
      ['--port 7420 (explicit default)', ['--port', '7420'], { port: 7420, portExplicit: true }],
      ['--local', ['--local'], { bind: '127.0.0.1' }],
      ['--bind 192.168.1.5', ['--bind', '192.168.1.5'], { bind: '192.168.1.5' }],
      ['--bind ::1', ['--bind', '::1'], { bind: '::1' }],
      ['--bind ::', ['--bind', '::'], { bind: '::' }],
      ['--bind localhost', ['--bind', 'localhost'], { bind: 'localhost' }],
      ['--public-url', ['--public-url', 'https://tether.example.com'], { publicUrl: 'https://tether.example.com' }],
      ['--public-url with a path and trailing slash', ['--public-url', 'https://example.com/team/'], { publicUrl: 'https://example.com/team' }],
      ['--public-url with a port', ['--public-url', 'http://10.0.0.9:8000/'], { publicUrl: 'http://10.0.0.9:8000' }],
      ['--signal', ['--signal', 'http://10.0.0.1:7420'], { signalUrl: 'http://10.0.0.1:7420' }],
      ['--trust-proxy', ['--trust-proxy', '--public-url', 'https://t.example.com'], { trustProxy: true, tls: null }],
      ['--signal drops query and fragment', ['--signal', 'https://sig.example.com/x/?a=1#f'], { signalUrl: 'https://sig.example.com/x' }],
      ['--signal with --json', ['--signal', 'http://h:1', '--json'], { signalUrl: 'http://h:1', json: true }],
      ['--json', ['--json'], { json: true }],
      ['--cols/--rows', ['--cols', '120', '--rows', '40'], { cols: 120, rows: 40 }],
      ['--cols/--rows at the minimum', ['--cols', '2', '--rows', '1'], { cols: 2, rows: 1 }],
      ['--cols/--rows at the maximum', ['--cols', '500', '--rows', '300'], { cols: 500, rows: 300 }],
      ['--log-level debug', ['--log-level', 'debug'], { logLevel: 'debug' }],
      ['--log-level trace', ['--log-level', 'trace'], { logLevel: 'trace' }],
      ['--log-level silent', ['--log-level', 'silent'], { logLevel: 'silent' }],
    ];
    for (const [what, argv, expected] of cases) {
      it(what, () => {
        const cmd = rc(argv);
        const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, cmd[k as keyof RemoteControlCommand]]));
        assert.deepEqual(picked, expected);
      });
    }
    it('leaves the other network fields at their defaults', () => {
      const cmd = rc(['--port', '0']);
      assert.deepEqual([cmd.bind, cmd.publicUrl, cmd.signalUrl], ['0.0.0.0', null, null]);
    });
  });
});

describe('parseCli: signal and attach', () => {
  it('signal defaults', () => {
    assert.deepEqual(parse(['signal']), {
      command: 'signal',
      port: DEFAULT_PORT,
      portExplicit: false,
      bind: '0.0.0.0',
      json: false,
      logLevel: 'info',
      publicUrl: null,
      trustProxy: false,
      allowOrigins: [],
      limits: {},
      ice: { servers: [] },
      tls: null,
      redisUrl: null,
    });
  });

  it('signal with flags', () => {
    assert.deepEqual(parse(['signal', '--port', '0', '--local', '--json', '--log-level', 'error']), {
      command: 'signal',
      port: 0,
      portExplicit: true,
      bind: '127.0.0.1',
      json: true,
      logLevel: 'error',
      publicUrl: null,
      trustProxy: false,
      allowOrigins: [],
      limits: {},
      ice: { servers: [] },
      tls: null,
      redisUrl: null,
    });
    assert.equal((parse(['signal', '--bind', '10.1.2.3']) as { bind: string }).bind, '10.1.2.3');
  });

  it('attach takes the URL as is', () => {
    const url = 'http://192.168.1.20:7420/s/AAAAAAAAAAAAAAAAAAAAAA#key';
    const credentialsPath = '/home/dev/.config/tether/attach-credentials.json';
    assert.deepEqual(parse(['attach', url]), { command: 'attach', url, logLevel: 'warn', credentialsPath });
    assert.deepEqual(parse(['attach', '--log-level', 'debug', url]), { command: 'attach', url, logLevel: 'debug', credentialsPath });
  });
});

describe('parseCli: invalid command lines throw BAD_FLAG', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown flag', ['remote-control', '--bogus'], /^Unknown option '--bogus'$/],
    ['an unknown short flag', ['remote-control', '-x'], /Unknown option '-x'/],
    ['--port abc', ['remote-control', '--port', 'abc'], /--port must be a whole number, got 'abc'/],
    ['--port 70000', ['remote-control', '--port', '70000'], /--port must be between 0 and 65535, got 70000/],
    ['--port 65536', ['remote-control', '--port', '65536'], /between 0 and 65535/],
    ['--port=-1', ['remote-control', '--port=-1'], /--port must be a whole number/],
    ['--port 1.5', ['remote-control', '--port', '1.5'], /whole number/],
    ['--port 1e3', ['remote-control', '--port', '1e3'], /whole number/],
    ['--port empty', ['remote-control', '--port', ''], /whole number/],
    ['--port without a value', ['remote-control', '--port'], /--port/],
    ['--local with --bind', ['remote-control', '--local', '--bind', '0.0.0.0'], /--local and --bind cannot be used together/],
    ['--bind not an address', ['remote-control', '--bind', 'my-laptop'], /--bind must be an IP address, got 'my-laptop'/],
    ['--bind 999.1.1.1', ['remote-control', '--bind', '999.1.1.1'], /--bind must be an IP address/],
    ['--agent with --', ['remote-control', '--agent', 'shell', '--', 'vim'], /either --agent or '-- <command>'/],
    ["'--' with nothing after", ['remote-control', '--'], /'--' must be followed by a command/],
    ["'--' followed by an empty command", ['remote-control', '--', ''], /'--' must be followed by a command/],
    ['--signal with --port', ['remote-control', '--signal', 'http://h:7420', '--port', '1'], /--signal uses a standalone signal server/],
    ['--signal with --bind', ['remote-control', '--signal', 'http://h:7420', '--bind', '127.0.0.1'], /--signal/],
    ['--signal with --local', ['remote-control', '--signal', 'http://h:7420', '--local'], /--signal/],
    ['--signal with --public-url', ['remote-control', '--signal', 'http://h:7420', '--public-url', 'http://x'], /--signal/],
    ['--signal with --tls-cert', ['remote-control', '--signal', 'http://h:7420', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], /--signal uses a standalone signal server/],
    ['--signal with --trust-proxy', ['remote-control', '--signal', 'http://h:7420', '--trust-proxy'], /--signal/],
    ['--tls-cert without --tls-key', ['remote-control', '--tls-cert', '/nonexistent.pem'], /--tls-cert and --tls-key go together/],
    ['--tls-cert that cannot be read', ['remote-control', '--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key'], /--tls-cert: cannot read \/nonexistent.pem/],
    ['--signal not http', ['remote-control', '--signal', 'ws://h:7420'], /--signal must be an http:\/\/ or https:\/\/ URL, got 'ws:\/\/h:7420'/],
    ['--signal not a URL', ['remote-control', '--signal', 'localhost:7420'], /--signal must be an http/],
    ['--public-url not a URL', ['remote-control', '--public-url', 'example.com'], /--public-url must be an http/],
    ['--public-url with no host', ['remote-control', '--public-url', 'http://'], /--public-url/],
    ['an unknown agent preset', ['remote-control', '--agent', 'claudia'], /unknown --agent 'claudia': use shell, pty:<command>, acp:<command> or a preset \(claude, codex, gemini, copilot, goose/],
    ['an empty acp: command', ['remote-control', '--agent', 'acp:  '], /needs a command line/],
    ['an empty pty command line', ['remote-control', '--agent', 'pty:'], /needs a command line/],
    ['a blank pty command line', ['remote-control', '--agent', 'pty:   '], /needs a command line/],
    ['two positionals', ['remote-control', 'a', 'b'], /unexpected argument 'b'/],
    ['a 65-character name', ['remote-control', 'n'.repeat(65)], /1–64 characters/],
    ['a blank name', ['remote-control', '  '], /1–64 characters/],
    ['--cols 1', ['remote-control', '--cols', '1'], /--cols must be between 2 and 500/],
    ['--cols 501', ['remote-control', '--cols', '501'], /--cols must be between 2 and 500/],
    ['--rows 0', ['remote-control', '--rows', '0'], /--rows must be between 1 and 300/],
    ['--rows 301', ['remote-control', '--rows', '301'], /--rows must be between 1 and 300/],
    ['--log-level loud', ['remote-control', '--log-level', 'loud'], /--log-level must be one of/],
    ['--json=yes', ['remote-control', '--json=yes'], /--json/],
    ['an unknown command', ['frobnicate'], /^unknown command 'frobnicate'$/],
    ['a positional in interactive mode', ['--port', '1', 'stray'], /unexpected argument 'stray'/],
    ['an unknown spawn mode', ['remote-control', '--spawn', 'cloud'], /--spawn must be same-dir, worktree or session, got 'cloud'/],
    ['--capacity with --spawn session', ['remote-control', '--spawn', 'session', '--capacity', '3'], /--capacity cannot be used with --spawn session/],
    ['--capacity 0', ['remote-control', '--capacity', '0'], /--capacity must be between 1 and 1000/],
    ['server flags in interactive mode', ['--rc', '--capacity', '3'], /--capacity applies to 'tether remote-control'/],
    ['contradicting session-in-dir flags', ['remote-control', '--create-session-in-dir', '--no-create-session-in-dir'], /contradict/],
    ['signal with a positional', ['signal', 'extra'], /unexpected argument 'extra'/],
    ['signal with a remote-control flag', ['signal', '--agent', 'shell'], /Unknown option '--agent'/],
    ['signal --port 70000', ['signal', '--port', '70000'], /between 0 and 65535/],
    ['signal --local with --bind', ['signal', '--local', '--bind', '::1'], /--local and --bind/],
    ['attach without a URL', ['attach'], /attach needs the session URL/],
    ['attach with two URLs', ['attach', 'http://a/s/x#k', 'http://b/s/y#k'], /attach takes one argument/],
    ['attach with an unknown flag', ['attach', '--json', 'http://a'], /Unknown option '--json'/],
  ];
  for (const [what, argv, message] of cases) {
    it(what, () => {
      assert.throws(() => parse(argv), (err: unknown) => {
        assert.ok(err instanceof TetherError, `not a TetherError: ${String(err)}`);
        assert.equal(err.code, 'BAD_FLAG');
        assert.match(err.message, message);
        assert.ok(!err.message.includes('\n'), `message spans several lines: ${JSON.stringify(err.message)}`);
        return true;
      });
    });
  }

  const ambiguous: Array<[string, string[]]> = [
    ['--port -1', ['remote-control', '--port', '-1']],
    ['--agent followed by another flag', ['remote-control', '--agent', '--json']],
  ];
  for (const [what, argv] of ambiguous) {
    it(`${what}: one line`, () => {
      assert.throws(() => parse(argv), (err: unknown) => {
        assert.ok(err instanceof TetherError);
        assert.equal(err.code, 'BAD_FLAG');
        assert.ok(!err.message.includes('\n'), `message spans several lines: ${JSON.stringify(err.message)}`);
        return true;
      });
    });
  }
});

/** Runs the built CLI (`npm test` builds first). */
function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/tether.js', ...args], { cwd: root, timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** Flags each command declares in host/cli-args.ts, read from its parseArgs option table. */
function declaredFlags(fn: 'parseRemoteControl' | 'parseSignal' | 'parseAttach'): string[] {
  const source = readFileSync(new URL('../../host/cli-args.ts', import.meta.url), 'utf8');
  const start = source.indexOf(`function ${fn}(`);
  assert.ok(start >= 0, `${fn} not found in cli-args.ts`);
  const table = source.slice(start, source.indexOf('});', start));
  const flags = [...table.matchAll(/^\s+'?([a-z][a-z-]*)'?: \{ type: '(?:string|boolean)'/gm)].map((m) => `--${m[1]}`);
  assert.ok(flags.length > 0, `no flags found in ${fn}`);
  return flags;
}

describe('the tether command (child process)', () => {
  it('exits 2 with one stderr line naming BAD_FLAG for an unknown flag', async () => {
    const r = await runCli(['remote-control', '--bogus']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, `stderr: ${JSON.stringify(r.stderr)}`);
    assert.match(lines[0]!, /BAD_FLAG/);
    assert.match(lines[0]!, /--bogus/);
  });

  it('a broken config file is BAD_CONFIG, exit 2, one line naming the file and the problem (even without --agent)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, '{ "presets": { "x": { "command": 42 } } }');
    for (const args of [['remote-control', '--config', file, '--', '/bin/sh'], ['remote-control', '--config', join(dir, 'missing.json')]]) {
      const r = await runCli(args);
      assert.equal(r.status, 2, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /BAD_CONFIG/);
      assert.ok(lines[0]!.includes(dir), lines[0]);
      assert.doesNotMatch(lines[0]!, /--help/);
    }
  });

  it('remote-control --help exits 0 and documents every remote-control flag', async () => {
    const r = await runCli(['remote-control', '--help']);
    assert.equal(r.status, 0, r.stderr);
    const required = ['--agent', '--port', '--bind', '--local', '--public-url', '--signal', '--cols', '--rows', '--json', '--log-level'];
    const declared = declaredFlags('parseRemoteControl');
    for (const flag of required) assert.ok(declared.includes(flag), `${flag} is not declared in cli-args.ts`);
    for (const flag of new Set([...required, ...declared])) {
      assert.match(r.stdout, new RegExp(`${flag}\\b`), `help does not mention ${flag}`);
    }
    assert.match(r.stdout, /-- <command>/);
  });

  it('signal --help and attach --help document their flags', async () => {
    const [signal, attach] = await Promise.all([runCli(['signal', '--help']), runCli(['attach', '--help'])]);
    assert.equal(signal.status, 0, signal.stderr);
    assert.equal(attach.status, 0, attach.stderr);
    for (const flag of declaredFlags('parseSignal')) assert.match(signal.stdout, new RegExp(`${flag}\\b`), `signal help misses ${flag}`);
    for (const flag of declaredFlags('parseAttach')) assert.match(attach.stdout, new RegExp(`${flag}\\b`), `attach help misses ${flag}`);
  });

  it('--help exits 0 and lists every command', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.status, 0, r.stderr);
    for (const command of ['remote-control', 'signal', 'attach', '--version']) assert.ok(r.stdout.includes(command), `help misses ${command}`);
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `tether ${TETHER_VERSION}\n`);
  });
});

describe('parseCli: server mode flags', () => {
  const parseRc = (argv: string[]): RemoteControlCommand => parseCli(['remote-control', ...argv], env, cwd) as RemoteControlCommand;
  it('--spawn worktree with a capacity', () => {
    const cmd = parseRc(['--spawn', 'worktree', '--capacity', '4']);
    assert.equal(cmd.spawn, 'worktree');
    assert.equal(cmd.capacity, 4);
    assert.equal(cmd.createSessionInDir, true);
  });
  it('--spawn session means exactly one session, created in the folder', () => {
    const cmd = parseRc(['--spawn', 'session']);
    assert.equal(cmd.capacity, 1);
    assert.equal(cmd.createSessionInDir, true);
  });
  it('--no-create-session-in-dir', () => {
    assert.equal(parseRc(['--no-create-session-in-dir']).createSessionInDir, false);
  });
  it('interactive mode parses --rc with a name and the agent', () => {
    const cmd = parseCli(['--rc', 'demo', '--agent', 'pty:top', '--local'], env, cwd) as RemoteControlCommand;
    assert.equal(cmd.command, 'interactive');
    assert.equal(cmd.shareAtStart, true);
    assert.equal(cmd.name, 'demo');
    assert.equal(cmd.program.display, 'top');
    const unshared = parseCli(['--agent', 'shell'], env, cwd) as RemoteControlCommand;
    assert.equal(unshared.command, 'interactive');
    assert.equal(unshared.shareAtStart, false);
  });
  it('ACP presets and acp: command lines', () => {
    const claude = parseRc(['--agent', 'claude']).program;
    assert.deepEqual({ kind: claude.kind, file: claude.file, label: claude.label }, { kind: 'acp', file: 'claude-agent-acp', label: 'claude' });
    const gemini = parseRc(['--agent', 'gemini']).program;
    assert.deepEqual([gemini.file, ...gemini.args], ['gemini', '--acp']);
    const custom = parseRc(['--agent', 'acp:my-agent --stdio']).program;
    assert.deepEqual({ kind: custom.kind, args: custom.args }, { kind: 'acp', args: ['-c', 'my-agent --stdio'] });
  });
});
