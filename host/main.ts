/**
 * The `tether` command: parses the command line once, runs the command, and turns Ctrl-C / SIGTERM
 * into a clean shutdown (bounded to 2 s). Bad flags exit with status 2 and one line.
 */
import { parseCli, type AttachCommand, type CliCommand, type RemoteControlCommand, type SignalCommand } from './cli-args.js';
import { ATTACH_HELP, DEVICES_HELP, MAIN_HELP, REMOTE_CONTROL_HELP, SESSIONS_HELP, SIGNAL_HELP } from './help.js';
import { TetherError } from '../protocol/errors.js';
import { TETHER_VERSION } from '../protocol/version.js';
import { createLogger } from './logger.js';
import { clientDir } from './package-paths.js';
import { attachJsonEvents, errorEventLine } from './json-events.js';
import type { DeviceTrust } from './trust/device-trust.js';
import { safeBlock } from '../client/terminal/safe-text.js';
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Persistence } from './persist/open-persistence.js';

import { loginLines } from '../client/terminal/login-lines.js';
import type { LoginNeed } from '../protocol/conversation-doc.js';

// Each command loads only what it runs (dynamic imports below): a host never loads the attach client or
// the status screen's QR code with --json, `tether attach` never loads the signal server — less memory
// and a faster start (issue #14).

const SHUTDOWN_DEADLINE_MS = 2000;
/** Errors in what the user asked for (flags, config files, links): exit status 2. Anything else is 1. */
const USAGE_CODES: ReadonlySet<string> = new Set(['BAD_FLAG', 'BAD_CONFIG', 'POLICY_FORBIDS']);

/** Prints why tether cannot go on (and, with --json, an error event first), then exits. */
function fail(err: unknown, json = false, login: LoginNeed | null = null): never {
  if (err instanceof TetherError) {
    if (json) process.stdout.write(errorEventLine(err, login ? { login } : {}));
    // Messages can carry an agent's error text or stderr tail.
    process.stderr.write(`tether: ${safeBlock(err.message)} (${err.code})\n`);
    if (err.detail) process.stderr.write(`  the agent said: ${safeBlock(err.detail)}\n`);
    if (login) process.stderr.write(loginLines(login).map((l) => `  ${l}\n`).join(''));
    process.exit(USAGE_CODES.has(err.code) ? 2 : 1);
  }
  if (json) process.stdout.write(errorEventLine(new TetherError('INTERNAL_ERROR', String((err as Error)?.message ?? err))));
  process.stderr.write(`tether: ${safeBlock((err as Error)?.stack ?? String(err))}\n`);
  process.exit(1);
}

/** Runs `close` on SIGINT/SIGTERM (or when `trigger` is called), then exits with `code()`. */
function shutdownOn(close: () => Promise<void>, code: () => number): () => void {
  let started = false;
  const shutdown = (): void => {
    if (started) return;
    started = true;
    const deadline = setTimeout(() => process.exit(code()), SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    close().then(
      () => process.exit(code()),
      (err: unknown) => fail(err),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  process.once('SIGHUP', shutdown);
  return shutdown;
}

async function remoteControl(cmd: RemoteControlCommand): Promise<void> {
  const log = createLogger(cmd.logLevel);
  const [{ SessionServer }, { nodeWebRtc }, { openDeviceTrust }, { startControlSocket }, { openPersistence }, { ServerHistory }, { historyReport }, { loadOrCreateVapidKeys }] = await Promise.all([
    import('./session-server.js'),
    import('./node-webrtc.js'),
    import('./trust/open-device-trust.js'),
    import('./trust/control-socket.js'),
    import('./persist/open-persistence.js'),
    import('./persist/server-history.js'),
    import('./persist/retention.js'),
    import('./push/vapid-keys.js'),
  ]);
  let server: InstanceType<typeof SessionServer>;
  let trust: DeviceTrust;
  let persistence: Persistence;
  try {
    trust = openDeviceTrust(cmd, log);
    persistence = await openPersistence(cmd, log);
    const history = new ServerHistory(persistence.store, persistence.guard, realpathSync(cmd.cwd), cmd.name ?? hostname(), log.child({ component: 'history' }));
    const push =
      cmd.notifications === 'off'
        ? undefined
        : { keys: loadOrCreateVapidKeys(cmd.stateDir), dir: cmd.stateDir, generic: cmd.notifications === 'generic', subject: pushSubject(cmd.publicUrl) };
    server = new SessionServer(cmd, { log, wrtc: nodeWebRtc, clientDir: clientDir(), trust, history, push });
  } catch (err) {
    fail(err, cmd.json);
  }
  const closeControl = await startControlSocket(cmd.stateDir, trust, log);
  let exitCode = 0;
  let detachScreen = (): void => {};
  const shutdown = shutdownOn(async () => {
    detachScreen();
    await closeControl?.();
    await server.close();
    trust.audit?.close();
    await persistence.close();
  }, () => exitCode);
  const stored = (): { sessions: number; bytes: number; fileBytes: number } => {
    const r = historyReport(persistence.store);
    return { sessions: r.sessions.length, bytes: r.storedBytes, fileBytes: r.fileBytes };
  };
  if (cmd.json) attachJsonEvents(server, process.stdout, stored);
  else detachScreen = (await import('./status-screen.js')).attachStatusScreen(server, process.stdout, process.stdin, shutdown, stored);
  if (cmd.spawn === 'session') {
    // One-session mode: when its terminal program exits, tether exits with its code.
    server.on('session-ended', (s, e) => {
      if (s.session.kind !== 'terminal') return;
      exitCode = e.status ?? e.exitCode ?? 0;
      shutdown();
    });
  }
  try {
    await server.start();
  } catch (err) {
    detachScreen();
    await closeControl?.();
    await server.close();
    await persistence.close();
    fail(err, cmd.json, server.failedLogin);
  }
}

async function interactive(cmd: RemoteControlCommand): Promise<void> {
  const log = createLogger(cmd.logLevel);
  const [{ InteractiveStartFailed, runInteractive }, { nodeWebRtc }, { openDeviceTrust }, { startControlSocket }, { openPersistence }] = await Promise.all([
    import('./interactive.js'),
    import('./node-webrtc.js'),
    import('./trust/open-device-trust.js'),
    import('./trust/control-socket.js'),
    import('./persist/open-persistence.js'),
  ]);
  let trust: DeviceTrust;
  try {
    trust = openDeviceTrust(cmd, log);
  } catch (err) {
    fail(err);
  }
  const persistence = await openPersistence(cmd, log).catch(fail);
  const closeControl = await startControlSocket(cmd.stateDir, trust, log);
  const session = await runInteractive(
    cmd,
    { log, wrtc: nodeWebRtc, clientDir: clientDir(), trust, store: persistence.store, guard: persistence.guard },
    { input: process.stdin, output: process.stdout },
  ).catch(async (err: unknown) => {
    await closeControl?.();
    await persistence.close();
    // An agent that needs a login says how, as remote-control does.
    if (err instanceof InteractiveStartFailed) fail(err.error, false, err.login);
    fail(err);
  });
  let exitCode = 0;
  const shutdown = shutdownOn(async () => {
    await closeControl?.();
    await session.close();
    trust.audit?.close();
    await persistence.close();
  }, () => exitCode);
  exitCode = await session.exitCode;
  shutdown();
}

async function signal(cmd: SignalCommand): Promise<void> {
  const log = createLogger(cmd.logLevel);
  const [{ startSignalServer }, { linkOrigin }] = await Promise.all([import('./start-signal-server.js'), import('./lan-address.js')]);
  const server = await startSignalServer({ ...cmd, clientDir: clientDir(), log }).catch(fail);
  shutdownOn(() => server.close(), () => 0);
  const plain = linkOrigin(cmd.bind, server.address().port, cmd.publicUrl);
  const url = cmd.tls && !cmd.publicUrl ? plain.replace(/^http:/, 'https:') : plain;
  if (cmd.json) process.stdout.write(JSON.stringify({ event: 'ready', url, port: server.address().port }) + '\n');
  else process.stdout.write(`tether signal server listening on ${url}\nHosts use it with: tether remote-control --signal ${url}\n`);
}

async function attach(cmd: AttachCommand): Promise<void> {
  const [{ runAttach }, { readLink }, { nodeWebRtc }] = await Promise.all([
    import('../client/node/attach.js'),
    import('../client/node/link-input.js'),
    import('./node-webrtc.js'),
  ]);
  let url = cmd.url;
  if (url === '-') {
    try {
      url = await readLink(process.stdin, process.stderr);
    } catch (err) {
      process.stderr.write(`tether: ${(err as Error).message} (BAD_FLAG)\n`);
      process.exit(2);
    }
  }
  const result = await runAttach(url, nodeWebRtc, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, cmd.credentialsPath);
  if (result.error) {
    process.stderr.write(`tether: ${safeBlock(result.error.message)} (${result.error.code})\n`);
  }
  process.exit(result.exitCode);
}

const HELP: Record<string, string> = { main: MAIN_HELP, 'remote-control': REMOTE_CONTROL_HELP, signal: SIGNAL_HELP, attach: ATTACH_HELP, devices: DEVICES_HELP, sessions: SESSIONS_HELP };

let cmd: CliCommand;
try {
  cmd = parseCli(process.argv.slice(2), process.env, process.cwd());
} catch (err) {
  if (err instanceof TetherError) {
    // A bad flag points to --help; a bad config file or policy names the file and key instead.
    const hint = err.code === 'BAD_FLAG' ? ". Run 'tether --help' for usage" : '';
    process.stderr.write(`tether: ${safeBlock(err.message)}${hint} (${err.code})\n`);
    process.exit(2);
  }
  throw err;
}
switch (cmd.command) {
  case 'help':
    process.stdout.write(HELP[cmd.topic] + '\n');
    break;
  case 'version':
    process.stdout.write(`tether ${TETHER_VERSION}\n`);
    break;
  case 'remote-control':
    void remoteControl(cmd);
    break;
  case 'interactive':
    void interactive(cmd);
    break;
  case 'signal':
    void signal(cmd);
    break;
  case 'attach':
    void attach(cmd);
    break;
  case 'devices':
    void import('./devices-command.js')
      .then(({ runDevices }) => runDevices(cmd, process.stdout, process.stderr))
      .then((code) => process.exit(code), fail);
    break;
  case 'sessions':
    void import('./sessions-command.js')
      .then(({ runSessionsCommand }) => runSessionsCommand(cmd, process.stdout))
      .then((code) => process.exit(code), fail);
    break;
}

/**
 * Who push services may contact about this host's pushes (VAPID's subject): its public https address
 * when it has one, else a placeholder address (push services want a mailto: or https: URL, nothing more).
 */
function pushSubject(publicUrl: string | null): string {
  return publicUrl?.startsWith('https:') ? new URL(publicUrl).origin : 'mailto:tether@localhost';
}
