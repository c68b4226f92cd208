/**
 * The `tether` command: parses the command line once, runs the command, and turns Ctrl-C / SIGTERM
 * into a clean shutdown (bounded to 2 s). Bad flags exit with status 2 and one line.
 */
import { parseCli, type CliCommand, type RemoteControlCommand, type SignalCommand } from './cli-args.js';
import { ATTACH_HELP, MAIN_HELP, REMOTE_CONTROL_HELP, SESSIONS_HELP, SIGNAL_HELP } from './help.js';
import { TetherError } from '../protocol/errors.js';
import { TETHER_VERSION } from '../protocol/version.js';
import { createLogger } from './logger.js';
import { SessionServer } from './session-server.js';
import { attachStatusScreen } from './status-screen.js';
import { attachJsonEvents } from './json-events.js';
import { clientDir } from './package-paths.js';
import { nodeWebRtc } from './node-webrtc.js';
import { startSignalServer } from './start-signal-server.js';
import { linkOrigin } from './lan-address.js';
import { runAttach } from '../client/node/attach.js';
import { runInteractive } from './interactive.js';
import { Authenticator } from './trust/authenticator.js';
import { safeBlock } from '../client/terminal/safe-text.js';
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { SessionStore } from './persist/session-store.js';
import { ProcessGuard } from './persist/process-guard.js';
import { ServerHistory } from './persist/server-history.js';
import { StoredTrustStore } from './persist/stored-trust-store.js';
import { historyReport, pruneHistory } from './persist/retention.js';
import { runSessionsCommand } from './sessions-command.js';
import type { Logger } from 'pino';

/** Stored sessions are pruned (--keep-history, --history-limit) at startup and this often after. */
const PRUNE_EVERY_MS = 6 * 3_600_000;

/** The store, the process watchdog and regular pruning, for a command that runs sessions. */
async function openPersistence(cmd: RemoteControlCommand, log: Logger): Promise<{ store: SessionStore; guard: ProcessGuard; close(): Promise<void> }> {
  const store = SessionStore.open(cmd.stateDir);
  const prune = (): Promise<unknown> =>
    pruneHistory(store, { olderThanMs: cmd.keepHistoryMs, limitBytes: cmd.historyLimitBytes }).then(
      (removed) => removed.length > 0 && log.info({ removed: removed.length }, 'pruned stored sessions'),
      (err: unknown) => log.warn({ err: String(err) }, 'could not prune stored sessions'),
    );
  await prune();
  const timer = setInterval(() => void prune(), PRUNE_EVERY_MS);
  timer.unref();
  const guard = new ProcessGuard(log);
  return {
    store,
    guard,
    async close() {
      clearInterval(timer);
      guard.close();
      await store.close();
    },
  };
}

const SHUTDOWN_DEADLINE_MS = 2000;

function fail(err: unknown): never {
  if (err instanceof TetherError) {
    // Messages can carry an agent's error text or stderr tail.
    process.stderr.write(`tether: ${safeBlock(err.message)} (${err.code})\n`);
    process.exit(err.code === 'BAD_FLAG' ? 2 : 1);
  }
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
  let persistence: Awaited<ReturnType<typeof openPersistence>>;
  try {
    persistence = await openPersistence(cmd, log);
    const history = new ServerHistory(persistence.store, persistence.guard, realpathSync(cmd.cwd), cmd.name ?? hostname(), log.child({ component: 'history' }));
    const authenticator = new Authenticator(new StoredTrustStore(persistence.store));
    server = new SessionServer(cmd, { log, wrtc: nodeWebRtc, clientDir: clientDir(), authenticator, history });
  } catch (err) {
    fail(err);
  }
  let exitCode = 0;
  let detachScreen = (): void => {};
  const shutdown = shutdownOn(async () => {
    detachScreen();
    await server.close();
    await persistence.close();
  }, () => exitCode);
  const stored = (): { sessions: number; bytes: number; fileBytes: number } => {
    const r = historyReport(persistence.store);
    return { sessions: r.sessions.length, bytes: r.storedBytes, fileBytes: r.fileBytes };
  };
  if (cmd.json) attachJsonEvents(server, process.stdout, stored);
  else detachScreen = attachStatusScreen(server, process.stdout, process.stdin, shutdown, stored);
  if (cmd.spawn === 'session') {
    // One-session mode: when its terminal program exits, tether exits with its code.
    server.on('session-ended', (s, e) => {
      if (s.session.kind !== 'terminal') return;
      exitCode = e.exitCode ?? 0;
      shutdown();
    });
  }
  try {
    await server.start();
  } catch (err) {
    detachScreen();
    await server.close();
    await persistence.close();
    fail(err);
  }
}

async function interactive(cmd: RemoteControlCommand): Promise<void> {
  const log = createLogger(cmd.logLevel);
  const persistence = await openPersistence(cmd, log).catch(fail);
  const session = await runInteractive(
    cmd,
    { log, wrtc: nodeWebRtc, clientDir: clientDir(), authenticator: new Authenticator(new StoredTrustStore(persistence.store)), store: persistence.store, guard: persistence.guard },
    { input: process.stdin, output: process.stdout },
  ).catch(fail);
  let exitCode = 0;
  const shutdown = shutdownOn(async () => {
    await session.close();
    await persistence.close();
  }, () => exitCode);
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

const HELP: Record<string, string> = { main: MAIN_HELP, 'remote-control': REMOTE_CONTROL_HELP, signal: SIGNAL_HELP, attach: ATTACH_HELP, sessions: SESSIONS_HELP };

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
  case 'sessions':
    void runSessionsCommand(cmd, process.stdout).then((code) => process.exit(code), fail);
    break;
}
