/**
 * The `tether` command: parses the command line once, runs the command, and turns Ctrl-C / SIGTERM
 * into a clean shutdown (bounded to 2 s). Bad flags exit with status 2 and one line.
 */
import { parseCli, type CliCommand, type RemoteControlCommand, type SignalCommand } from './cli-args.js';
import { ATTACH_HELP, MAIN_HELP, REMOTE_CONTROL_HELP, SIGNAL_HELP } from './help.js';
import { TetherError } from '../protocol/errors.js';
import { TETHER_VERSION } from '../protocol/version.js';
import { createLogger } from './logger.js';
import { SessionServer } from './session-server.js';
import { attachStatusScreen } from './status-screen.js';
import { attachJsonEvents, errorEventLine } from './json-events.js';
import { clientDir } from './package-paths.js';
import { nodeWebRtc } from './node-webrtc.js';
import { startSignalServer } from './start-signal-server.js';
import { linkOrigin } from './lan-address.js';
import { runAttach } from '../client/node/attach.js';
import { runInteractive } from './interactive.js';
import { Authenticator } from './trust/authenticator.js';
import { MemoryTrustStore } from './trust/memory-trust-store.js';
import { safeBlock } from '../client/terminal/safe-text.js';
import { loginLines } from '../client/terminal/login-lines.js';
import type { LoginNeed } from '../protocol/conversation-doc.js';

const SHUTDOWN_DEADLINE_MS = 2000;

/** Prints why tether cannot go on (and, with --json, an error event first), then exits. */
function fail(err: unknown, json = false, login: LoginNeed | null = null): never {
  if (err instanceof TetherError) {
    if (json) process.stdout.write(errorEventLine(err, login ? { login } : {}));
    // Messages can carry an agent's error text or stderr tail.
    process.stderr.write(`tether: ${safeBlock(err.message)} (${err.code})\n`);
    if (err.detail) process.stderr.write(`  the agent said: ${safeBlock(err.detail)}\n`);
    if (login) process.stderr.write(loginLines(login).map((l) => `  ${l}\n`).join(''));
    process.exit(err.code === 'BAD_FLAG' ? 2 : 1);
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
  let server: SessionServer;
  try {
    server = new SessionServer(cmd, { log, wrtc: nodeWebRtc, clientDir: clientDir() });
  } catch (err) {
    fail(err, cmd.json);
  }
  let exitCode = 0;
  let detachScreen = (): void => {};
  const shutdown = shutdownOn(async () => {
    detachScreen();
    await server.close();
  }, () => exitCode);
  if (cmd.json) attachJsonEvents(server, process.stdout);
  else detachScreen = attachStatusScreen(server, process.stdout, process.stdin, shutdown);
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
    await server.close();
    fail(err, cmd.json, server.failedLogin);
  }
}

async function interactive(cmd: RemoteControlCommand): Promise<void> {
  const log = createLogger(cmd.logLevel);
  const session = await runInteractive(cmd, { log, wrtc: nodeWebRtc, clientDir: clientDir(), authenticator: new Authenticator(new MemoryTrustStore()) }, { input: process.stdin, output: process.stdout }).catch(fail);
  let exitCode = 0;
  const shutdown = shutdownOn(() => session.close(), () => exitCode);
  exitCode = await session.exitCode;
  shutdown();
}

async function signal(cmd: SignalCommand): Promise<void> {
  const log = createLogger(cmd.logLevel);
  const server = await startSignalServer({ ...cmd, clientDir: clientDir(), log }).catch(fail);
  shutdownOn(() => server.close(), () => 0);
  const url = linkOrigin(cmd.bind, server.address().port, cmd.publicUrl);
  if (cmd.json) process.stdout.write(JSON.stringify({ event: 'ready', url, port: server.address().port }) + '\n');
  else process.stdout.write(`tether signal server listening on ${url}\nHosts use it with: tether remote-control --signal ${url}\n`);
}

async function attach(url: string): Promise<void> {
  const result = await runAttach(url, nodeWebRtc, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  if (result.error) {
    process.stderr.write(`tether: ${safeBlock(result.error.message)} (${result.error.code})\n`);
  }
  process.exit(result.exitCode);
}

const HELP: Record<string, string> = { main: MAIN_HELP, 'remote-control': REMOTE_CONTROL_HELP, signal: SIGNAL_HELP, attach: ATTACH_HELP };

let cmd: CliCommand;
try {
  cmd = parseCli(process.argv.slice(2), process.env, process.cwd());
} catch (err) {
  if (err instanceof TetherError) {
    process.stderr.write(`tether: ${err.message}. Run 'tether --help' for usage. (${err.code})\n`);
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
    void attach(cmd.url);
    break;
}
