/**
 * Parses the command line into one frozen, validated command. Every error is a TetherError BAD_FLAG
 * with one clear line; main.ts prints it and exits with status 2. Environment values arrive as an
 * argument so nothing else reads process.env.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolve } from 'node:path';
import * as z from '../protocol/zod.js';
import { TetherError } from '../protocol/errors.js';
import { defaultConfigPath, loadPresets, type AgentPreset, type RootRefusal } from './agent-presets.js';
import type { Role } from '../protocol/roles.js';
import { loadPolicy, SYSTEM_POLICY_PATH, type Policy } from './policy.js';
import { applyPolicy } from './policy-check.js';
import { parseDuration } from './duration.js';
import { attachCredentialsPath, resolveStateDir, userPolicyPath } from './user-paths.js';
import { parseDevices, type DevicesCommand } from './devices-args.js';
import { parseHistoryLimit, parseKeepHistory, parseSessions, type SessionsCommand } from './sessions-args.js';
import type { SignalLimits } from '../signal/signal-limits.js';
import type { IceServer } from '../protocol/ice-servers.js';
import type { IceConfig } from '../signal/ice-provider.js';
import { HOST_NETWORK_OPTIONS, parseHostIce, parseRedisUrl, parseSignalIce, parseTls, SIGNAL_NETWORK_OPTIONS, type TlsFiles, type TurnMint } from './network-flags.js';

/** Default port of the embedded or standalone signal server. */
export const DEFAULT_PORT = 7420;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The program a session runs: a terminal program in a PTY, or an ACP agent. */
export interface ProgramSpec {
  kind: 'pty' | 'acp';
  file: string;
  args: string[];
  display: string;
  /** Preset name ('claude', …), 'acp' for acp:<command>, 'shell' or 'pty'. */
  label: string;
  /** How to install a preset's missing command. */
  installHint?: string;
  /** A preset's login facts (host/agent-presets.ts). */
  login?: string;
  authEnv?: Readonly<Record<string, string>>;
  rootRefusal?: RootRefusal;
}

/**
 * `tether remote-control` (server mode) and `tether [--remote-control [name]]` (interactive mode).
 * Interactive mode shares from the start only with --remote-control; /rc shares later.
 */
export interface RemoteControlCommand {
  command: 'remote-control' | 'interactive';
  /** Interactive mode: share as soon as it starts. Always true in server mode. */
  shareAtStart: boolean;
  name: string | null;
  program: ProgramSpec;
  port: number;
  /** False when the user did not pass --port: a taken default port falls back to any free port. */
  portExplicit: boolean;
  bind: string;
  publicUrl: string | null;
  signalUrl: string | null;
  /** --tls-cert/--tls-key: the embedded signal server serves https and wss (links and QR code use https). */
  tls: TlsFiles | null;
  /** --trust-proxy: a TLS reverse proxy in front of the embedded server sets X-Forwarded-For/-Host/-Proto. */
  trustProxy: boolean;
  cols: number;
  rows: number;
  json: boolean;
  logLevel: LogLevel;
  cwd: string;
  env: Record<string, string>;
  /** --config, if given (else the default location is tried). */
  configPath: string | null;
  /** Built-in presets plus the config file's, read once at startup. */
  presets: Readonly<Record<string, AgentPreset>>;
  /** Server mode: most concurrent sessions. */
  capacity: number;
  /** Server mode: where sessions started from devices work. */
  spawn: 'same-dir' | 'worktree' | 'session';
  /** Server mode: start one session in the folder at startup. */
  createSessionInDir: boolean;
  /** How long a link lets new devices pair (--link-ttl); null: until revoked (`never`). */
  linkTtlMs: number | null;
  /** STUN/TURN servers the host uses and hands to devices (--ice-server stun:…, the config file's iceServers). */
  iceServers: readonly IceServer[];
  /** --ice-transport: 'relay' sends the host's side of every connection through TURN. */
  iceTransportPolicy: RTCIceTransportPolicy;
  /** TURN credentials the embedded signal server mints (--ice-server turn:… --turn-secret FILE). */
  turn: TurnMint | null;
  /** The user's state folder (--state-dir, TETHER_STATE_DIR): trust store, control socket and stored sessions. */
  stateDir: string;
  /** How long ended sessions are kept (--keep-history); null: until pruned by hand (`forever`). */
  keepHistoryMs: number | null;
  /** Most bytes stored sessions may use on disk (--history-limit); the oldest ended ones go first. */
  historyLimitBytes: number;
  /** Web Push to devices that ask (--notifications): with the session's name and what happened, generic words, or none. */
  notifications: 'on' | 'generic' | 'off';
  /** New devices wait until a person allows them (--confirm-devices, or the policy). */
  confirmDevices: boolean;
  /** The audit log (--audit FILE, --audit-prompts full|hash), or null. */
  audit: { path: string; prompts: 'full' | 'hash' } | null;
  /** Server mode: agents devices may start (--allow-agent); the server's own agent is always one. */
  allowAgents: readonly string[];
  /** Least role that may type into a terminal session (policy terminalRole; owner by default). */
  terminalRole: Role;
  /** Least role that may see a session's workspace: its git state, diffs and files (policy workspaceRole; owner by default). */
  workspaceRole: Role;
  /** The admin policy in force (system file wins over the user's). */
  policy: Policy;
}

/** Default --link-ttl: ten minutes. */
export const DEFAULT_LINK_TTL_MS = 10 * 60 * 1000;

/** Parses --notifications: on (default), generic or off; throws BAD_FLAG. */
function parseNotifications(value: string | undefined): RemoteControlCommand['notifications'] {
  if (value === undefined) return 'on';
  if (value === 'on' || value === 'generic' || value === 'off') return value;
  throw bad(`--notifications must be on, generic or off; got '${value}'`);
}

/** Parses --link-ttl: `90s`, `10m`, `2h`, `7d`, or `never`; throws BAD_FLAG. */
export function parseLinkTtl(value: string | undefined): number | null {
  if (value === undefined) return DEFAULT_LINK_TTL_MS;
  if (value === 'never') return null;
  const ms = parseDuration(value);
  if (ms === null) throw bad(`--link-ttl must be a duration such as 90s, 10m, 2h or 7d, or 'never'; got '${value}'`);
  return ms;
}

/** Default --capacity. */
export const DEFAULT_CAPACITY = 32;

/** `tether signal`. */
export interface SignalCommand {
  command: 'signal';
  port: number;
  portExplicit: boolean;
  bind: string;
  json: boolean;
  logLevel: LogLevel;
  /** --public-url: the origin pages and links use, when not the address it listens on. */
  publicUrl: string | null;
  /** --trust-proxy: a reverse proxy in front sets X-Forwarded-For/-Host/-Proto. */
  trustProxy: boolean;
  /** --allow-origin (repeatable): other page origins allowed to connect. */
  allowOrigins: readonly string[];
  /** The limits given as flags; the server fills in the rest from its defaults. */
  limits: Readonly<Partial<SignalLimits>>;
  /** STUN servers to hand out and TURN credentials to mint (--ice-server, --turn-secret, --turn-ttl). */
  ice: IceConfig;
  /** --tls-cert/--tls-key: serve https and wss. */
  tls: TlsFiles | null;
  /** --redis: share sessions, caps and rate limits with other instances through this Redis. */
  redisUrl: string | null;
}

/** `tether signal`'s limit flags and the limit each sets. */
const SIGNAL_LIMIT_FLAGS = {
  'max-sessions': 'maxSessions',
  'max-sessions-per-address': 'maxSessionsPerAddress',
  'max-sessions-per-connection': 'maxSessionsPerConnection',
  'registrations-per-minute': 'registrationsPerMinute',
  'messages-per-minute': 'messagesPerMinute',
  'joins-per-minute': 'joinsPerMinute',
  'failed-joins-per-minute': 'failedJoinsPerMinute',
} as const satisfies Record<string, keyof SignalLimits>;

/** Largest value of a limit flag: high enough for any benchmark, low enough to stay a number. */
const MAX_LIMIT = 10_000_000;

/** `tether attach`. */
export interface AttachCommand {
  command: 'attach';
  /** The link: the argument, else $TETHER_LINK; '-' reads it from standard input (keeps it out of `ps`). */
  url: string;
  logLevel: LogLevel;
  /** Where this terminal keeps its device key and credentials (mode 0600), or null to keep none. */
  credentialsPath: string | null;
}

/** Help or version output. */
export interface InfoCommand {
  command: 'help' | 'version';
  topic: 'main' | 'remote-control' | 'signal' | 'attach' | 'devices' | 'sessions';
}

export type { DevicesCommand } from './devices-args.js';
export type { SessionsCommand } from './sessions-args.js';
export { resolveStateDir, userPolicyPath } from './user-paths.js';
export { parseDuration } from './duration.js';
export type CliCommand = RemoteControlCommand | SignalCommand | AttachCommand | DevicesCommand | SessionsCommand | InfoCommand;

function bad(message: string): TetherError {
  return new TetherError('BAD_FLAG', message);
}

function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw bad(`--${name} must be a whole number, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw bad(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function urlFlag(name: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  const parsed = z.url({ protocol: /^https?$/ }).safeParse(value);
  if (!parsed.success) throw bad(`--${name} must be an http:// or https:// URL, got '${value}'`);
  return new URL(value).origin + new URL(value).pathname.replace(/\/+$/, '');
}

/** --allow-origin: an http(s) origin (scheme, host, optional port; nothing else), normalised. */
function originFlag(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // not a URL: refused below with the same message as any other non-origin
  }
  const bare = url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === ''
    && url.pathname === '/' && url.search === '' && url.hash === '' && !value.endsWith('?') && !value.endsWith('#');
  if (!bare) throw bad(`--allow-origin must be an origin such as https://app.example.com (scheme, host and optional port), got '${value}'`);
  return url!.origin;
}

function logLevel(value: string | undefined, fallback: LogLevel): LogLevel {
  if (value === undefined) return fallback;
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw bad(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  return value as LogLevel;
}

function bindAddress(bind: string | undefined, local: boolean | undefined): string {
  if (local && bind !== undefined) throw bad('--local and --bind cannot be used together');
  if (local) return '127.0.0.1';
  if (bind === undefined) return '0.0.0.0';
  if (!z.union([z.ipv4(), z.ipv6()]).safeParse(bind).success && bind !== 'localhost') {
    throw bad(`--bind must be an IP address, got '${bind}'`);
  }
  return bind;
}

interface ParsedFlags {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>): ParsedFlags {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedFlags['values'], positionals };
  } catch (err) {
    // node's first sentence is clear ("Unknown option '--x'"); drop its multi-line usage hints.
    throw bad((err as Error).message.split('\n')[0]!.split('. To specify')[0]!.replace(/\.$/, ''));
  }
}

/** Resolves --agent (or `-- <command>`) to the program to run, with the presets read once; throws BAD_FLAG. */
export function resolveProgram(agent: string | undefined, after: string[] | null, env: Record<string, string | undefined>, presets: Readonly<Record<string, AgentPreset>>): ProgramSpec {
  if (after) {
    if (agent !== undefined) throw bad("use either --agent or '-- <command>', not both");
    if (after.length === 0 || after[0] === '') throw bad("'--' must be followed by a command");
    return { kind: 'pty', file: after[0]!, args: after.slice(1), display: after.join(' '), label: 'pty' };
  }
  if (agent === undefined || agent === 'shell') {
    const shell = env.SHELL && env.SHELL.trim() !== '' ? env.SHELL : '/bin/sh';
    return { kind: 'pty', file: shell, args: [], display: shell, label: 'shell' };
  }
  for (const prefix of ['pty:', 'acp:'] as const) {
    if (!agent.startsWith(prefix)) continue;
    const line = agent.slice(prefix.length).trim();
    if (line === '') throw bad(`--agent '${prefix}<command line>' needs a command line`);
    return { kind: prefix === 'pty:' ? 'pty' : 'acp', file: '/bin/sh', args: ['-c', line], display: line, label: prefix.slice(0, 3) };
  }
  const preset = presets[agent];
  if (!preset) {
    throw bad(`unknown --agent '${agent}': use shell, pty:<command>, acp:<command> or a preset (${Object.keys(presets).join(', ')})`);
  }
  return {
    kind: 'acp',
    file: preset.command[0]!,
    args: preset.command.slice(1),
    display: preset.command.join(' '),
    label: agent,
    installHint: preset.install,
    ...(preset.login !== undefined ? { login: preset.login } : {}),
    ...(preset.authEnv !== undefined ? { authEnv: preset.authEnv } : {}),
    ...(preset.rootRefusal !== undefined ? { rootRefusal: preset.rootRefusal } : {}),
  };
}

function parseRemoteControl(args: string[], env: Record<string, string | undefined>, cwd: string, mode: 'remote-control' | 'interactive', shareAtStart: boolean, presetName: string | null = null): CliCommand {
  const dashDash = args.indexOf('--');
  const own = dashDash >= 0 ? args.slice(0, dashDash) : args;
  const after = dashDash >= 0 ? args.slice(dashDash + 1) : [];
  const { values, positionals } = parse(own, {
    agent: { type: 'string' },
    port: { type: 'string' },
    bind: { type: 'string' },
    local: { type: 'boolean' },
    'public-url': { type: 'string' },
    signal: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'trust-proxy': { type: 'boolean' },
    cols: { type: 'string' },
    rows: { type: 'string' },
    json: { type: 'boolean' },
    'log-level': { type: 'string' },
    config: { type: 'string' },
    'link-ttl': { type: 'string' },
    'state-dir': { type: 'string' },
    'keep-history': { type: 'string' },
    'history-limit': { type: 'string' },
    notifications: { type: 'string' },
    'confirm-devices': { type: 'boolean' },
    audit: { type: 'string' },
    'audit-prompts': { type: 'string' },
    'allow-agent': { type: 'string', multiple: true },
    capacity: { type: 'string' },
    spawn: { type: 'string' },
    'create-session-in-dir': { type: 'boolean' },
    'no-create-session-in-dir': { type: 'boolean' },
    ...HOST_NETWORK_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { command: 'help', topic: mode === 'interactive' ? 'main' : 'remote-control' };
  if (mode === 'interactive' && positionals.length > 0) throw bad(`unexpected argument '${positionals[0]}' (the name goes right after --remote-control)`);
  if (positionals.length > 1) throw bad(`unexpected argument '${positionals[1]}' (a name is one word; quote it)`);
  const name = presetName ?? positionals[0] ?? null;
  if (name !== null && (name.length > 64 || name.trim() === '')) throw bad('the session name must be 1–64 characters');
  // The config file is read here, once: a broken one is BAD_CONFIG (exit 2), naming the file and the problem.
  const configPath = (values.config as string | undefined) ?? null;
  const presets = Object.freeze(loadPresets(configPath ?? defaultConfigPath(env), configPath !== null));
  const program = resolveProgram(values.agent as string | undefined, dashDash >= 0 ? after : null, env, presets);
  const port = intFlag('port', values.port as string | undefined, 0, 65535);
  const signalUrl = urlFlag('signal', values.signal as string | undefined);
  const publicUrl = urlFlag('public-url', values['public-url'] as string | undefined);
  if (signalUrl && (port !== undefined || values.bind !== undefined || values.local || publicUrl || values['tls-cert'] !== undefined || values['tls-key'] !== undefined || values['trust-proxy'])) {
    throw bad('--signal uses a standalone signal server: --port, --bind, --local, --public-url, --tls-cert, --tls-key and --trust-proxy do not apply');
  }
  const tls = parseTls(values);
  const ice = parseHostIce(values, signalUrl !== null, values.config as string | undefined, env);
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  childEnv.TERM = 'xterm-256color';
  childEnv.TETHER_SESSION = '1';
  // TETHER_STATE_DIR was read here, once; sessions and agents do not inherit it.
  delete childEnv.TETHER_STATE_DIR;
  const userPolicy = userPolicyPath(env);
  const policy = loadPolicy([SYSTEM_POLICY_PATH, ...(userPolicy ? [userPolicy] : [])]);
  const server = serverFlags(values, mode);
  const auditPrompts = (values['audit-prompts'] as string | undefined) ?? 'hash';
  if (auditPrompts !== 'full' && auditPrompts !== 'hash') throw bad(`--audit-prompts must be full or hash, got '${auditPrompts}'`);
  if (values['audit-prompts'] !== undefined && values.audit === undefined) throw bad('--audit-prompts needs --audit FILE');
  const allowAgents = (values['allow-agent'] as unknown as string[] | undefined) ?? [];
  if (mode === 'interactive' && allowAgents.length > 0) throw bad("--allow-agent applies to 'tether remote-control' (server mode) only");
  for (const a of allowAgents) if (!/^[A-Za-z0-9._-]{1,32}$/.test(a)) throw bad(`--allow-agent takes a preset name, shell, pty or acp; got '${a}'`);
  const cmd: RemoteControlCommand = {
    command: mode,
    shareAtStart,
    name,
    program,
    port: port ?? DEFAULT_PORT,
    portExplicit: port !== undefined,
    bind: bindAddress(values.bind as string | undefined, values.local as boolean | undefined),
    publicUrl,
    signalUrl,
    tls,
    trustProxy: Boolean(values['trust-proxy']),
    cols: intFlag('cols', values.cols as string | undefined, 2, 500) ?? 80,
    rows: intFlag('rows', values.rows as string | undefined, 1, 300) ?? 24,
    json: Boolean(values.json),
    logLevel: logLevel(values['log-level'] as string | undefined, 'warn'),
    cwd,
    env: childEnv,
    configPath,
    presets,
    linkTtlMs: parseLinkTtl(values['link-ttl'] as string | undefined),
    ...ice,
    stateDir: resolveStateDir(values['state-dir'] as string | undefined, env, cwd),
    keepHistoryMs: parseKeepHistory(values['keep-history'] as string | undefined),
    historyLimitBytes: parseHistoryLimit(values['history-limit'] as string | undefined),
    notifications: parseNotifications(values.notifications as string | undefined),
    confirmDevices: Boolean(values['confirm-devices']),
    audit: values.audit === undefined ? null : { path: resolve(cwd, values.audit as string), prompts: auditPrompts },
    allowAgents,
    terminalRole: 'owner',
    workspaceRole: 'owner',
    policy,
    ...server,
  };
  return Object.freeze(applyPolicy(cmd, { agent: values.agent !== undefined, capacity: values.capacity !== undefined, bind: values.bind !== undefined, local: Boolean(values.local), linkTtl: values['link-ttl'] as string | undefined }));
}

/** --capacity, --spawn and --[no-]create-session-in-dir (server mode only). */
function serverFlags(values: ParsedFlags['values'], mode: 'remote-control' | 'interactive'): Pick<RemoteControlCommand, 'capacity' | 'spawn' | 'createSessionInDir'> {
  const given = ['capacity', 'spawn', 'create-session-in-dir', 'no-create-session-in-dir'].filter((f) => values[f] !== undefined);
  if (mode === 'interactive' && given.length > 0) throw bad(`--${given[0]} applies to 'tether remote-control' (server mode) only`);
  const spawn = (values.spawn as string | undefined) ?? 'same-dir';
  if (spawn !== 'same-dir' && spawn !== 'worktree' && spawn !== 'session') throw bad(`--spawn must be same-dir, worktree or session, got '${spawn}'`);
  const capacity = intFlag('capacity', values.capacity as string | undefined, 1, 1000);
  if (spawn === 'session' && capacity !== undefined) throw bad('--capacity cannot be used with --spawn session (it runs exactly one session)');
  if (values['create-session-in-dir'] && values['no-create-session-in-dir']) throw bad('--create-session-in-dir and --no-create-session-in-dir contradict each other');
  const createSessionInDir = spawn === 'session' ? true : !values['no-create-session-in-dir'];
  if (spawn === 'session' && values['no-create-session-in-dir']) throw bad('--spawn session runs the one session in the folder; --no-create-session-in-dir does not apply');
  return { capacity: spawn === 'session' ? 1 : (capacity ?? DEFAULT_CAPACITY), spawn, createSessionInDir };
}

function parseSignal(args: string[]): CliCommand {
  const limitOptions = Object.fromEntries(Object.keys(SIGNAL_LIMIT_FLAGS).map((flag) => [flag, { type: 'string' as const }]));
  const { values, positionals } = parse(args, {
    port: { type: 'string' },
    bind: { type: 'string' },
    local: { type: 'boolean' },
    json: { type: 'boolean' },
    'log-level': { type: 'string' },
    'public-url': { type: 'string' },
    'trust-proxy': { type: 'boolean' },
    'allow-origin': { type: 'string', multiple: true },
    ...SIGNAL_NETWORK_OPTIONS,
    ...limitOptions,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { command: 'help', topic: 'signal' };
  if (positionals.length > 0) throw bad(`unexpected argument '${positionals[0]}'`);
  const port = intFlag('port', values.port as string | undefined, 0, 65535);
  const limits: Partial<SignalLimits> = {};
  for (const [flag, key] of Object.entries(SIGNAL_LIMIT_FLAGS)) {
    const n = intFlag(flag, values[flag] as string | undefined, 1, MAX_LIMIT);
    if (n !== undefined) limits[key] = n;
  }
  const allowOrigins = (values['allow-origin'] as unknown as string[] | undefined) ?? [];
  return Object.freeze({
    command: 'signal',
    port: port ?? DEFAULT_PORT,
    portExplicit: port !== undefined,
    bind: bindAddress(values.bind as string | undefined, values.local as boolean | undefined),
    json: Boolean(values.json),
    logLevel: logLevel(values['log-level'] as string | undefined, 'info'),
    publicUrl: urlFlag('public-url', values['public-url'] as string | undefined),
    trustProxy: Boolean(values['trust-proxy']),
    allowOrigins: Object.freeze(allowOrigins.map(originFlag)),
    limits: Object.freeze(limits),
    ice: Object.freeze(parseSignalIce(values)),
    tls: parseTls(values),
    redisUrl: parseRedisUrl(values.redis as string | undefined),
  } satisfies SignalCommand);
}

function parseAttach(args: string[], env: Record<string, string | undefined>): CliCommand {
  const { values, positionals } = parse(args, {
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { command: 'help', topic: 'attach' };
  if (positionals.length > 1) throw bad('attach takes one argument: the session URL (quote it), or - to read it from standard input');
  const url = positionals[0] ?? env.TETHER_LINK;
  if (!url) throw bad('attach needs the session URL: as its argument (quote it), in $TETHER_LINK, or - to read it from standard input');
  return Object.freeze({
    command: 'attach',
    url,
    logLevel: logLevel(values['log-level'] as string | undefined, 'warn'),
    credentialsPath: attachCredentialsPath(env),
  } satisfies AttachCommand);
}

/** Parses argv (without node and script); throws TetherError BAD_FLAG. */
export function parseCli(argv: string[], env: Record<string, string | undefined>, cwd: string): CliCommand {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      return { command: 'help', topic: 'main' };
    case '-v':
    case '--version':
      return { command: 'version', topic: 'main' };
    case 'remote-control':
      return parseRemoteControl(rest, env, cwd, 'remote-control', true);
    case '--remote-control':
    case '--rc': {
      // `--remote-control [name]`: the name is optional, so it is taken only when it is not a flag.
      const named = rest[0] !== undefined && !rest[0].startsWith('-');
      return parseRemoteControl(named ? rest.slice(1) : rest, env, cwd, 'interactive', true, named ? rest[0]! : null);
    }
    case 'signal':
      return parseSignal(rest);
    case 'attach':
      return parseAttach(rest, env);
    case 'devices':
      return parseDevices(rest, env, cwd);
    case 'sessions':
      return parseSessions(rest, env, cwd);
    default:
      // Any other flag first: an interactive session that is not shared until /remote-control.
      if (first.startsWith('-')) return parseRemoteControl(argv, env, cwd, 'interactive', false);
      throw bad(`unknown command '${first}'`);
  }
}
