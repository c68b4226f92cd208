/**
 * The only module that talks ACP (@agentclientprotocol/sdk, client side). Starts an agent process in its
 * own process group, initializes it (declaring what tether can do: files, terminals, terminal logins,
 * questions, boolean settings), logs in with a preset's environment variable when one is set, and opens
 * one ACP session in the session's folder — new, loaded or resumed. Exposes prompt, cancel, modes,
 * settings, the agent's session list and close. Session updates, permission requests and questions are
 * handed to the caller; file reads and writes are served only inside the session folder, and commands
 * run through ClientTerminals. A failed start stops the whole process group.
 */
import { Readable, Writable } from 'node:stream';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type {
  AuthMethod,
  ClientCapabilities,
  ClientConnection,
  ContentBlock,
  LoadSessionResponse,
  McpServer,
  NewSessionResponse,
  ResumeSessionResponse,
  SessionInfo,
  SessionNotification,
  StopReason,
} from '@agentclientprotocol/sdk';
import { acpSdk, loadAcpSdk } from './acp-sdk.js';
import { TetherError } from '../protocol/errors.js';
import type { ConfigOptionInfo } from '../protocol/agent-offer.js';
import { TETHER_VERSION } from '../protocol/version.js';
import { SessionFiles } from './session-files.js';
import { ClientTerminals } from './client-terminals.js';
import { clean, explainAgentError, toAuthMethods, toConfigOptions } from './acp-offer.js';
import { AgentProcess, type AgentExit } from './agent-process.js';
import { stallAwareTimeout } from '../protocol/stall-aware-timeout.js';
import type { AcpAgentHandlers, AgentCommand, AgentIdentity, AgentInfo } from './acp-agent-types.js';

export type { AgentExit } from './agent-process.js';

const INIT_TIMEOUT_MS = 30_000;
/** How long an agent gets to answer session/close before its process group is stopped anyway. */
const CLOSE_TIMEOUT_MS = 2000;
/** How long a failed write may wait for the agent's exit to be seen. */
const EXIT_SETTLE_MS = 1000;
/** Updates for a session id not known yet (sent before its session/new answer was handled), at most. */
const MAX_EARLY_UPDATES = 1000;

/** What tether can do, told to the agent in `initialize`. */
const CLIENT_CAPABILITIES: ClientCapabilities = {
  fs: { readTextFile: true, writeTextFile: true },
  terminal: true,
  auth: { terminal: true },
  elicitation: { form: {}, url: {} },
  session: { configOptions: { boolean: {} } },
};

export type { AcpAgentHandlers, AgentCommand, AgentIdentity, AgentInfo } from './acp-agent-types.js';

/** A running ACP agent with one session. */
export class AcpAgent {
  private process: AgentProcess | null = null;
  private connection: ClientConnection | null = null;
  private sessionId: string | null = null;
  private identityInfo: AgentIdentity | null = null;
  private readonly early: SessionNotification[] = [];
  private folder: string;
  private rawAuthMethods: AuthMethod[] = [];
  private files: SessionFiles | null = null;
  private terminals: ClientTerminals | null = null;

  constructor(
    private readonly command: AgentCommand,
    private readonly cwd: string,
    private readonly env: Record<string, string>,
    private readonly handlers: AcpAgentHandlers,
    private readonly log: Logger,
  ) {
    this.folder = resolve(cwd);
  }

  /** The agent's stderr, last lines, without escape sequences. */
  get stderrTail(): string {
    return this.process?.stderrTail ?? '';
  }

  private get exited(): AgentExit | null {
    return this.process?.exited ?? null;
  }

  /** What `initialize` told, once it did (also after a failed session/new). */
  get identity(): AgentIdentity | null {
    return this.identityInfo;
  }

  /** The agent's process id while it runs. */
  get pid(): number | null {
    return this.process?.child.pid ?? null;
  }

  /**
   * Spawns, initializes, logs in and opens a session (`resume`: an earlier session of the agent).
   * Throws AGENT_NOT_FOUND / SPAWN_FAILED / AGENT_FAILED / AGENT_LOGIN_REQUIRED / AGENT_ROOT_REFUSED /
   * RESUME_UNSUPPORTED, after stopping the agent's whole process group.
   */
  async start(options: { resume?: string } = {}): Promise<AgentInfo> {
    try {
      await this.connect();
      return await this.open(options);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Spawns, initializes and logs in (no session): enough to list the agent's sessions. Stops it on failure. */
  async connect(): Promise<AgentIdentity> {
    try {
      return await this.connectOnce();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** The agent's earlier sessions in `cwd` (session/list). Throws RESUME_UNSUPPORTED when it cannot list. */
  async listSessions(cwd: string): Promise<SessionInfo[]> {
    const identity = this.identityInfo;
    if (!identity) throw new TetherError('AGENT_FAILED', 'the agent is not running');
    if (!identity.sessionCaps.list) throw new TetherError('RESUME_UNSUPPORTED', `${identity.agentName ?? this.command.display} cannot list its sessions`);
    const folder = await realpath(cwd);
    const sessions: SessionInfo[] = [];
    let cursor: string | null | undefined;
    // A few pages at most: the sheet shows the newest ones.
    for (let page = 0; page < 5; page++) {
      const res = await this.guard(this.connection!.agent.request(acpSdk().methods.agent.session.list, { cwd: folder, ...(cursor ? { cursor } : {}) }), 'session/list');
      sessions.push(...res.sessions);
      cursor = res.nextCursor;
      if (!cursor || sessions.length >= 200) break;
    }
    return sessions.slice(0, 200);
  }

  /** Runs one prompt turn; resolves with the stop reason; rejects with an explained TetherError. */
  async prompt(blocks: ContentBlock[]): Promise<StopReason> {
    const { agent, sessionId } = this.ready();
    let response;
    try {
      response = await agent.request(acpSdk().methods.agent.session.prompt, { sessionId, prompt: blocks });
    } catch (err) {
      throw this.explain(err, 'prompt');
    }
    // The SDK can resolve a prompt before its last session/update handlers ran: let them run first.
    await new Promise((r) => setImmediate(r));
    return response.stopReason;
  }

  /** Asks the agent to cancel the running turn (ACP session/cancel) and kills the commands it runs. */
  async cancel(): Promise<void> {
    const { agent, sessionId } = this.ready();
    await agent.notify(acpSdk().methods.agent.session.cancel, { sessionId });
    await this.terminals?.killAll();
  }

  /** Switches the agent's mode. */
  async setMode(modeId: string): Promise<void> {
    const { agent, sessionId } = this.ready();
    await agent.request(acpSdk().methods.agent.session.setMode, { sessionId, modeId });
  }

  /** Changes a session setting; resolves with every setting as the agent now reports them. */
  async setConfig(configId: string, value: string | boolean): Promise<ConfigOptionInfo[]> {
    const { agent, sessionId } = this.ready();
    try {
      const res = await agent.request(
        acpSdk().methods.agent.session.setConfigOption,
        typeof value === 'boolean' ? { sessionId, configId, type: 'boolean', value } : { sessionId, configId, value },
      );
      return toConfigOptions(res.configOptions);
    } catch (err) {
      throw this.explain(err, 'session/set_config_option');
    }
  }

  /** Tells the agent the session is over (session/close, when it supports it), briefly; never throws. */
  async closeSession(): Promise<void> {
    if (!this.connection || !this.sessionId || this.exited || !this.identityInfo?.sessionCaps.close) return;
    const sessionId = this.sessionId;
    try {
      await this.withTimeout(this.connection.agent.request(acpSdk().methods.agent.session.close, { sessionId }), 'session/close', CLOSE_TIMEOUT_MS);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'session/close failed');
    }
  }

  /** One of the agent's login methods as `initialize` gave it (a terminal method's arguments and variables). */
  authMethod(id: string): AuthMethod | undefined {
    return this.rawAuthMethods.find((m) => m.id === id);
  }

  /** Stops the agent's whole process group (SIGTERM, then SIGKILL after `graceMs`), and the commands it runs. */
  async close(graceMs = 1000): Promise<void> {
    await this.terminals?.killAll();
    if (!this.process) return;
    if (!this.exited) this.connection?.close();
    await this.process.stop(graceMs);
  }

  private async connectOnce(): Promise<AgentIdentity> {
    await loadAcpSdk();
    this.folder = await realpath(this.cwd);
    const child = await AgentProcess.start(this.command, this.folder, this.env, (exit) => {
      this.connection?.close(new TetherError('AGENT_FAILED', 'the agent exited'));
      this.handlers.onExit(exit);
    }, this.log);
    this.process = child;
    // Watched from now on, so it never outlives this host (persist/process-guard.ts).
    if (child.child.pid !== undefined) this.handlers.onSpawn?.(child.child.pid);
    this.terminals = new ClientTerminals(this.folder, this.env, this.handlers.terminals, this.log.child({ component: 'terminals' }));

    const stream = acpSdk().ndJsonStream(
      Writable.toWeb(child.child.stdin!) as WritableStream<Uint8Array>,
      Readable.toWeb(child.child.stdout!) as ReadableStream<Uint8Array>,
    );
    this.connection = this.clientApp().connect(stream);
    const agent = this.connection.agent;
    const init = await this.guard(
      agent.request(acpSdk().methods.agent.initialize, {
        protocolVersion: acpSdk().PROTOCOL_VERSION,
        clientCapabilities: CLIENT_CAPABILITIES,
        clientInfo: { name: 'tether', version: TETHER_VERSION },
      }),
      'initialize',
    );
    this.rawAuthMethods = init.authMethods ?? [];
    const caps = init.agentCapabilities;
    const identity: AgentIdentity = {
      agentName: init.agentInfo?.title ? clean(init.agentInfo.title, 200) : init.agentInfo?.name ? clean(init.agentInfo.name, 200) : null,
      authMethods: toAuthMethods(this.rawAuthMethods, this.command.authEnv ?? {}, this.env),
      authenticatedWith: null,
      promptImages: caps?.promptCapabilities?.image === true,
      sessionCaps: {
        load: caps?.loadSession === true,
        list: caps?.sessionCapabilities?.list != null,
        resume: caps?.sessionCapabilities?.resume != null,
        close: caps?.sessionCapabilities?.close != null,
      },
    };
    this.identityInfo = identity;
    // Log in with the first method the host can satisfy (its preset variable is set).
    for (const method of identity.authMethods) {
      if (!method.ready) continue;
      try {
        await this.guard(agent.request(acpSdk().methods.agent.authenticate, { methodId: method.id }), 'authenticate');
        identity.authenticatedWith = method.id;
        this.log.info({ methodId: method.id }, 'authenticated with the preset variable');
        break;
      } catch (err) {
        this.log.warn({ methodId: method.id, err: (err as Error).message }, 'authenticate failed');
      }
    }
    return identity;
  }

  /** Opens the session: session/new, or session/load (history replayed) / session/resume for `resume`. */
  private async open(options: { resume?: string }): Promise<AgentInfo> {
    const identity = this.identityInfo!;
    const agent = this.connection!.agent;
    const base: { cwd: string; mcpServers: McpServer[] } = { cwd: this.folder, mcpServers: [] };
    let session: NewSessionResponse | LoadSessionResponse | ResumeSessionResponse;
    if (options.resume) {
      const caps = identity.sessionCaps;
      if (!caps.load && !caps.resume) throw new TetherError('RESUME_UNSUPPORTED', `${identity.agentName ?? this.command.display} cannot resume sessions`);
      // Updates the agent replays while loading carry this id: they must reach the document.
      this.sessionId = options.resume;
      session = caps.load
        ? await this.guard(agent.request(acpSdk().methods.agent.session.load, { ...base, sessionId: options.resume }), 'session/load')
        : await this.guard(agent.request(acpSdk().methods.agent.session.resume, { ...base, sessionId: options.resume }), 'session/resume');
    } else {
      const created = await this.guard(agent.request(acpSdk().methods.agent.session.new, { cwd: this.folder, mcpServers: [] }), 'session/new');
      this.sessionId = created.sessionId;
      session = created;
    }
    this.flushEarly();
    const modes = session.modes?.availableModes.map((m) => ({ id: m.id, name: clean(m.name, 200), ...(m.description ? { description: clean(m.description) } : {}) })) ?? [];
    return {
      ...identity,
      modes,
      currentModeId: session.modes?.currentModeId ?? null,
      configOptions: toConfigOptions(session.configOptions ?? []),
      agentSessionId: this.sessionId!,
    };
  }

  private clientApp(): ReturnType<typeof import('@agentclientprotocol/sdk').client> {
    const { client, methods, RequestError } = acpSdk();
    const ours = (sessionId: string): void => {
      if (sessionId !== this.sessionId) throw RequestError.invalidParams({ sessionId }, 'not this client\'s session');
    };
    return client({ name: 'tether' })
      .onNotification(methods.client.session.update, ({ params }) => {
        if (params.sessionId === this.sessionId) this.handlers.onUpdate(params.update);
        // Sent right after session/new answered, possibly before we learned the id: keep it for a moment.
        else if (this.sessionId === null && this.early.length < MAX_EARLY_UPDATES) this.early.push(params);
      })
      .onRequest(methods.client.session.requestPermission, ({ params, signal }) => this.handlers.onPermission(params, signal))
      .onRequest(methods.client.elicitation.create, ({ params, signal }) => {
        if ('sessionId' in params && params.sessionId !== this.sessionId) return { action: 'decline' };
        return this.handlers.onQuestion(params, signal);
      })
      .onNotification(methods.client.elicitation.complete, ({ params }) => this.handlers.onQuestionComplete(params.elicitationId))
      .onRequest(methods.client.fs.readTextFile, ({ params }) => this.confined(params.path, async (f) => ({ content: await f.read(params.path, params) })))
      .onRequest(methods.client.fs.writeTextFile, ({ params }) =>
        this.confined(params.path, async (f) => {
          await f.write(params.path, params.content);
          return {};
        }),
      )
      .onRequest(methods.client.terminal.create, ({ params }) => this.terminal(params.sessionId, ours, (t) => t.create(params)))
      .onRequest(methods.client.terminal.output, ({ params }) => this.terminal(params.sessionId, ours, async (t) => t.output(params.terminalId)))
      .onRequest(methods.client.terminal.waitForExit, ({ params }) => this.terminal(params.sessionId, ours, (t) => t.waitForExit(params.terminalId)))
      .onRequest(methods.client.terminal.kill, ({ params }) =>
        this.terminal(params.sessionId, ours, async (t) => {
          await t.kill(params.terminalId);
          return {};
        }),
      )
      .onRequest(methods.client.terminal.release, ({ params }) =>
        this.terminal(params.sessionId, ours, async (t) => {
          await t.release(params.terminalId);
          return {};
        }),
      );
  }

  /** Runs a terminal request; a refusal reaches the agent as invalid params with tether's code. */
  private async terminal<T>(sessionId: string, ours: (id: string) => void, use: (t: ClientTerminals) => Promise<T>): Promise<T> {
    ours(sessionId);
    try {
      return await use(this.terminals!);
    } catch (err) {
      if (!(err instanceof TetherError)) throw err;
      throw acpSdk().RequestError.invalidParams({ code: err.code }, err.message);
    }
  }

  private flushEarly(): void {
    for (const n of this.early.splice(0)) if (n.sessionId === this.sessionId) this.handlers.onUpdate(n.update);
  }

  private ready(): { agent: ClientConnection['agent']; sessionId: string } {
    if (!this.connection || !this.sessionId || this.exited) throw new TetherError('AGENT_FAILED', 'the agent is not running');
    return { agent: this.connection.agent, sessionId: this.sessionId };
  }

  private explain(err: unknown, what: string): TetherError {
    return explainAgentError(err, {
      what,
      agentName: this.identityInfo?.agentName ?? this.command.display,
      rootRefusal: this.command.rootRefusal,
      env: this.env,
      uid: process.getuid?.() ?? null,
    });
  }

  /** Serves a file request through the session folder's SessionFiles; a refusal reaches the agent as invalid params. */
  private async confined<T>(path: string, use: (files: SessionFiles) => Promise<T>): Promise<T> {
    this.files ??= await SessionFiles.open(this.folder);
    try {
      return await use(this.files);
    } catch (err) {
      if (!(err instanceof TetherError)) throw err;
      this.log.warn({ path, code: err.code }, 'refused a file request outside the session folder');
      throw acpSdk().RequestError.invalidParams({ path, code: err.code }, err.message);
    }
  }

  /** A startup request with the timeout and exit watch, its failure explained. */
  private async guard<T>(promise: Promise<T>, what: string): Promise<T> {
    try {
      return await this.withTimeout(promise, what, INIT_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof TetherError || err instanceof acpSdk().RequestError) throw this.explain(err, what);
      // A write to an agent that is exiting fails (EPIPE) before its exit is seen: say how it ended instead.
      if (this.process && (await this.process.exitWithin(EXIT_SETTLE_MS))) throw new TetherError('AGENT_FAILED', `the agent ${this.process.exitWords} during ${what}`, { detail: this.stderrTail || null });
      throw this.explain(err, what);
    }
  }

  private async withTimeout<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
    let cancel = (): void => {};
    const exited = new Promise<never>((_, reject) => {
      this.process?.onceExited(() => reject(new TetherError('AGENT_FAILED', `the agent ${this.process!.exitWords} during ${what}`, { detail: this.stderrTail || null })));
    });
    // Time the host spent stopped (a closed lid) does not count: the answer may be waiting in the pipe.
    const timeout = new Promise<never>((_, reject) => {
      cancel = stallAwareTimeout(ms, () => reject(new TetherError('AGENT_FAILED', `the agent did not answer ${what} within ${ms / 1000} s`)));
    });
    try {
      return await Promise.race([promise, exited, timeout]);
    } finally {
      cancel();
    }
  }
}
