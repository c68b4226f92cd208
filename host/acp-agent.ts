/**
 * The only module that talks ACP (@agentclientprotocol/sdk, client side). Starts an agent process in its
 * own process group, initializes it, opens one ACP session in the session's folder, and exposes prompt,
 * cancel and mode changes. Session updates and permission requests are handed to the caller; file reads
 * and writes are served only inside the session folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type {
  ClientConnection,
  ContentBlock,
  RequestPermissionRequest,
  RequestPermissionResponse,
  SessionUpdate,
  StopReason,
} from '@agentclientprotocol/sdk';
import { TetherError } from '../protocol/errors.js';
import type { AgentMode } from '../protocol/conversation-doc.js';
import { TETHER_VERSION } from '../protocol/version.js';
import { SessionFiles } from './session-files.js';
import { safeBlock } from '../client/terminal/safe-text.js';

type AcpSdk = typeof import('@agentclientprotocol/sdk');
let sdk: AcpSdk | null = null;

/**
 * The ACP SDK, loaded by the first agent session: a terminal-only host never pays its ~15 MB
 * (`tether remote-control -- bash` stays within the issue #14 memory budget).
 */
async function loadSdk(): Promise<AcpSdk> {
  sdk ??= await import('@agentclientprotocol/sdk');
  return sdk;
}

/** The SDK once an agent started (every caller runs after start(), which loaded it). */
function loadedSdk(): AcpSdk {
  if (!sdk) throw new TetherError('AGENT_FAILED', 'the agent is not running');
  return sdk;
}

/** Lines of the agent's stderr kept to show devices when it fails. */
const STDERR_TAIL_LINES = 20;
const INIT_TIMEOUT_MS = 30_000;

/** How to start the agent. */
export interface AgentCommand {
  file: string;
  args: string[];
  display: string;
  /** Said when the command is missing, e.g. "install it with: npm install -g …". */
  installHint?: string;
}

/** What the agent offers, learned at start. */
export interface AgentInfo {
  promptImages: boolean;
  modes: AgentMode[];
  currentModeId: string | null;
  agentName: string | null;
}

/** How the agent process ended. */
export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

/** Callbacks from the agent. */
export interface AcpAgentHandlers {
  onUpdate(update: SessionUpdate): void;
  /** Resolve with the chosen outcome; `signal` aborts when the turn is cancelled. */
  onPermission(request: RequestPermissionRequest, signal: AbortSignal): Promise<RequestPermissionResponse>;
  onExit(exit: AgentExit): void;
}

/** A running ACP agent with one session. */
export class AcpAgent {
  private child: ChildProcess | null = null;
  private connection: ClientConnection | null = null;
  private sessionId: string | null = null;
  private stderrLines: string[] = [];
  private stderrPartial = '';
  private exited: AgentExit | null = null;
  private readonly exitWaiters: Array<() => void> = [];
  private folder: string;
  private files: SessionFiles | null = null;

  constructor(
    private readonly command: AgentCommand,
    private readonly cwd: string,
    private readonly env: Record<string, string>,
    private readonly handlers: AcpAgentHandlers,
    private readonly log: Logger,
  ) {
    this.folder = resolve(cwd);
  }

  /** The agent's stderr, last lines, without escape sequences (colour codes would show as `[31m` on a page). */
  get stderrTail(): string {
    return safeBlock([...this.stderrLines, this.stderrPartial].filter(Boolean).join('\n'));
  }

  /** Spawns, initializes and opens a session. Throws AGENT_NOT_FOUND / AGENT_FAILED. */
  async start(): Promise<AgentInfo> {
    this.folder = await realpath(this.cwd);
    const { client: acpClient, methods, ndJsonStream, PROTOCOL_VERSION: ACP_PROTOCOL_VERSION } = await loadSdk();
    const child = spawn(this.command.file, this.command.args, {
      cwd: this.folder,
      env: this.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group: stopping the session stops everything it started
    });
    this.child = child;
    const spawned = new Promise<void>((resolveSpawn, rejectSpawn) => {
      child.once('spawn', resolveSpawn);
      child.once('error', (err: NodeJS.ErrnoException) => {
        rejectSpawn(
          err.code === 'ENOENT'
            ? new TetherError('AGENT_NOT_FOUND', `${this.command.file} not found${this.command.installHint ? `: ${this.command.installHint}` : ''}`)
            : new TetherError('SPAWN_FAILED', `could not start ${this.command.display}: ${err.message}`, { cause: err }),
        );
      });
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => this.collectStderr(text));
    child.on('exit', (code, signal) => {
      this.exited = { code, signal, stderrTail: this.stderrTail };
      this.log.info({ code, signal }, 'agent exited');
      this.connection?.close(new TetherError('AGENT_FAILED', 'the agent exited'));
      for (const w of this.exitWaiters.splice(0)) w();
      this.handlers.onExit(this.exited);
    });
    await spawned;

    const stream = ndJsonStream(
      Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>,
      Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
    );
    const app = acpClient({ name: 'tether' })
      .onNotification(methods.client.session.update, ({ params }) => {
        if (params.sessionId === this.sessionId) this.handlers.onUpdate(params.update);
      })
      .onRequest(methods.client.session.requestPermission, ({ params, signal }) => this.handlers.onPermission(params, signal))
      .onRequest(methods.client.fs.readTextFile, ({ params }) => this.confined(params.path, async (f) => ({ content: await f.read(params.path, params) })))
      .onRequest(methods.client.fs.writeTextFile, ({ params }) =>
        this.confined(params.path, async (f) => {
          await f.write(params.path, params.content);
          return {};
        }),
      );
    this.connection = app.connect(stream);
    const agent = this.connection.agent;
    const init = await this.withTimeout(
      agent.request(methods.agent.initialize, {
        protocolVersion: ACP_PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: false },
        clientInfo: { name: 'tether', version: TETHER_VERSION },
      }),
      'initialize',
    );
    const session = await this.withTimeout(agent.request(methods.agent.session.new, { cwd: this.folder, mcpServers: [] }), 'session/new');
    this.sessionId = session.sessionId;
    const modes = session.modes?.availableModes.map((m) => ({ id: m.id, name: m.name, ...(m.description ? { description: m.description } : {}) })) ?? [];
    return {
      promptImages: init.agentCapabilities?.promptCapabilities?.image === true,
      modes,
      currentModeId: session.modes?.currentModeId ?? null,
      agentName: init.agentInfo?.title ?? init.agentInfo?.name ?? null,
    };
  }

  /** Runs one prompt turn; resolves with the stop reason. */
  async prompt(blocks: ContentBlock[]): Promise<StopReason> {
    const { agent, sessionId } = this.ready();
    const response = await agent.request(loadedSdk().methods.agent.session.prompt, { sessionId, prompt: blocks });
    // The SDK can resolve a prompt before its last session/update handlers ran: let them run first.
    await new Promise((r) => setImmediate(r));
    return response.stopReason;
  }

  /** Asks the agent to cancel the running turn (ACP session/cancel). */
  async cancel(): Promise<void> {
    const { agent, sessionId } = this.ready();
    await agent.notify(loadedSdk().methods.agent.session.cancel, { sessionId });
  }

  /** Switches the agent's mode. */
  async setMode(modeId: string): Promise<void> {
    const { agent, sessionId } = this.ready();
    await agent.request(loadedSdk().methods.agent.session.setMode, { sessionId, modeId });
  }

  /** Stops the agent's whole process group (SIGTERM, then SIGKILL after `graceMs`). */
  async close(graceMs = 1000): Promise<void> {
    const child = this.child;
    if (!child || this.exited || child.pid === undefined) return;
    const gone = new Promise<void>((r) => this.exitWaiters.push(r));
    this.connection?.close();
    child.stdin?.end(); // closing the ACP connection leaves the agent's stdin open
    this.signalGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => this.signalGroup(child.pid!, 'SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  private ready(): { agent: ClientConnection['agent']; sessionId: string } {
    if (!this.connection || !this.sessionId || this.exited) throw new TetherError('AGENT_FAILED', 'the agent is not running');
    return { agent: this.connection.agent, sessionId: this.sessionId };
  }

  private signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  private collectStderr(text: string): void {
    const parts = (this.stderrPartial + text).split('\n');
    this.stderrPartial = parts.pop()!.slice(-2000);
    for (const line of parts) this.stderrLines.push(line.slice(0, 2000));
    if (this.stderrLines.length > STDERR_TAIL_LINES) this.stderrLines.splice(0, this.stderrLines.length - STDERR_TAIL_LINES);
  }

  /** Serves a file request through the session folder's SessionFiles; a refusal reaches the agent as invalid params. */
  private async confined<T>(path: string, use: (files: SessionFiles) => Promise<T>): Promise<T> {
    this.files ??= await SessionFiles.open(this.folder);
    try {
      return await use(this.files);
    } catch (err) {
      if (!(err instanceof TetherError)) throw err;
      this.log.warn({ path, code: err.code }, 'refused a file request outside the session folder');
      throw loadedSdk().RequestError.invalidParams({ path, code: err.code }, err.message);
    }
  }

  private async withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = new Promise<never>((_, reject) => {
      this.exitWaiters.push(() => reject(new TetherError('AGENT_FAILED', `the agent exited during ${what}${this.stderrTail ? `:\n${this.stderrTail}` : ''}`)));
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TetherError('AGENT_FAILED', `the agent did not answer ${what} within ${INIT_TIMEOUT_MS / 1000} s`)), INIT_TIMEOUT_MS);
    });
    try {
      return await Promise.race([promise, exited, timeout]);
    } catch (err) {
      if (err instanceof TetherError) throw err;
      throw new TetherError('AGENT_FAILED', `${what} failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}
