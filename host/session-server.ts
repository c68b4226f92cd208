/**
 * Server mode (`tether remote-control`): many sessions on one machine behind one signal server, up to
 * --capacity, each in the server's folder or its own git worktree (--spawn), plus the session list that
 * devices use to open, start, rename, end and remove sessions. A factory: createSessionServer(config) →
 * { start, close, address }. A failing session never takes the server or other sessions down.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { newId } from '../protocol/ids.js';
import { TetherError } from '../protocol/errors.js';
import { readConversationState, type LoginNeed } from '../protocol/conversation-doc.js';
import { formatSessionUrl } from '../protocol/session-url.js';
import { readListMeta, runningCount, type SpawnMode } from '../protocol/session-list-doc.js';
import { endedBy, rowFields } from './session-row.js';
import { MAX_PRESENCE_DEVICES, MAX_PRESENCE_ROWS, MAX_PRESENCE_TRUSTED } from '../protocol/presence.js';
import { sortTrustedDevices, type TrustedDevice } from '../protocol/trusted-devices.js';
import type { SignalServer } from '../signal/signal-server.js';
import type { ProgramSpec, RemoteControlCommand } from './cli-args.js';
import { AgentCatalog } from './agent-catalog.js';
import { AgentSessionLister } from './agent-session-lister.js';
import { createHostedSession, type HostedSession, type SessionDeps } from './hosted-session.js';
import type { LoginProgram } from './conversation-login.js';
import { SessionList } from './session-list.js';
import { listIntentHandler } from './session-list-intents.js';
import { SignalHub } from './signal-hub.js';
import type { ListenInfo } from './lan-address.js';
import { HostEndpoint } from './core/host-endpoint.js';
import { LOCAL_ACTOR, type Actor } from './core/session-core.js';
import { Authenticator } from './trust/authenticator.js';
import { MemoryTrustStore } from './trust/memory-trust-store.js';
import { DeviceTrust } from './trust/device-trust.js';
import { auditDevice } from './trust/audit-log.js';
import type { Role } from '../protocol/roles.js';
import { uniqueName } from './session-names.js';
import { createWorktree, removeWorktree, releaseWorktree, repositoryRoot, isDirty, type Worktree } from './worktrees.js';
import type { ServerHistory } from './persist/server-history.js';
import { restoreSession, type Restored } from './server-restore.js';
import { PushNotifier, type PushNotifierOptions } from './push/push-notifier.js';
import { PushSubscriptions } from './push/push-subscriptions.js';
import { endedNotice, onStatusNotice, type StatusNotice } from '../protocol/status-notices.js';

/** Ended sessions kept readable in the list; older ended ones are removed automatically. */
export const MAX_ENDED_SESSIONS = 50;

/** A device as the list's presence frames show it to owner devices (only the fields devices read). */
function trustedEntry(d: TrustedDevice): TrustedDevice {
  return { deviceId: d.deviceId, name: d.name, kind: d.kind, role: d.role, createdAt: d.createdAt, lastSeen: d.lastSeen, online: d.online, pending: d.pending };
}

/** How often a session's row in the list follows its document (state, usage, last activity). */
const LIST_REFRESH_MS = 100;
/**
 * A row's last activity is shown as "n min ago", so it is written at most this often: every overwrite of
 * a Yjs value leaves a tombstone in the list's document for good, and a busy session refreshing it ten
 * times a second grew that document (and every device's copy of it) by megabytes an hour.
 */
const ACTIVITY_STEP_MS = 15_000;

/** One session the server runs. */
export interface ManagedSession {
  id: string;
  name: string;
  url: string;
  agent: string;
  folder: string;
  worktree: Worktree | null;
  session: HostedSession;
  ended: boolean;
  /** When it ended (for pruning the oldest ended sessions). */
  endedAt?: number;
  /** Restored after a restart while its program ran: not running until a device resumes it. */
  interrupted: boolean;
}

/** What `ready` reports. */
export interface ServerReady {
  /** The server's link: the session list. */
  serverUrl: string;
  signal: string;
  /** Where the embedded signal server listens (null with --signal). */
  listening: ListenInfo | null;
  name: string;
  /** The session started in the folder at startup, if any. */
  first: ManagedSession | null;
}

export interface SessionServerEvents {
  ready: [ServerReady];
  'session-started': [ManagedSession];
  /**
   * A session's program or agent ended (`exitCode` null when it was stopped or killed; `signal` names
   * the signal that killed it; `status` is what a shell would report; `error` when it failed to start).
   */
  'session-ended': [ManagedSession, { exitCode: number | null; reason: string; signal?: string | null; status?: number; error?: TetherError }];
  'session-removed': [ManagedSession];
  /** An interrupted session's program or agent runs again. */
  'session-resumed': [ManagedSession];
  /** A stored session is served again after a restart (interrupted, ended, or read-only). */
  'session-restored': [ManagedSession];
  /** A device opened a session (null: the session list). */
  'device-joined': [ManagedSession | null, Actor];
  /** A device closed a session, or its connection ended (null: the session list). */
  'device-left': [ManagedSession | null, Actor];
  /** Something devices depend on failed after startup (e.g. re-registering with the signal server). */
  warning: [TetherError];
  /** Any change the status screen shows (state, devices, names, spawn mode). */
  changed: [];
}

/** Runtime dependencies. */
export interface SessionServerDeps extends SessionDeps {
  clientDir: string | null;
  /** The user's devices (trust store, audit log); in memory, without an audit log, when not given. */
  trust?: DeviceTrust;
  /** The server's stored state (sessions survive restarts); nothing is stored when not given. */
  history?: ServerHistory;
  /**
   * Web Push to devices with the page closed; none when not given. `dir`: the state folder the devices'
   * subscriptions are kept in (null: memory only).
   */
  push?: Pick<PushNotifierOptions, 'keys' | 'generic' | 'subject' | 'agent'> & { dir: string | null };
}

/** A multi-session server. */
export class SessionServer extends EventEmitter<SessionServerEvents> {
  readonly sessions = new Map<string, ManagedSession>();
  readonly list: SessionList;
  /** The session list's routing id: the server's link, and the scope its pairing tokens open (kept across restarts). */
  readonly listId: string;
  readonly endpoint: HostEndpoint;
  readonly authenticator: Authenticator;
  /** The user's devices as this server acts on them. */
  readonly trust: DeviceTrust;
  private readonly hub: SignalHub;
  /** The current pairing token of the server's link. */
  private linkToken: string | null = null;
  /** The current view-only link's token (`v` on the status screen), if one was minted. */
  private viewToken: string | null = null;
  private readonly log: Logger;
  private spawnMode: SpawnMode;
  private repo: string | null = null;
  private readonly catalog: AgentCatalog;
  private readonly lister: AgentSessionLister;
  private closing: Promise<void> | null = null;
  /** The login the agent asked for when the last foreground start failed for want of one. */
  failedLogin: LoginNeed | null = null;
  private readonly refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Web Push to the devices that asked for it; null when this server sends none. */
  readonly notifier: PushNotifier | null;

  constructor(
    private readonly config: RemoteControlCommand,
    private readonly deps: SessionServerDeps,
  ) {
    super();
    this.log = deps.log;
    this.listId = deps.history?.record.id ?? newId();
    // The session list as stored by the last run in this folder, if any (followed from here on).
    const storedList = deps.history?.load(this.listId) ?? null;
    this.spawnMode = config.spawn;
    this.trust = deps.trust ?? new DeviceTrust(new Authenticator(new MemoryTrustStore()), null, deps.log);
    this.authenticator = this.trust.authenticator;
    this.notifier = this.createNotifier();
    this.endpoint = new HostEndpoint({
      scope: this.listId,
      listId: this.listId,
      authenticator: this.authenticator,
      hostName: hostname(),
      wrtc: deps.wrtc,
      iceServers: [...(deps.iceServers ?? config.iceServers)],
      ownIceServers: () => this.hub.iceServers,
      iceTransportPolicy: config.iceTransportPolicy,
      log: deps.log,
      canOpen: (sessionId, actor) => this.trust.canOpen(sessionId, actor),
      notifier: this.notifier,
    });
    this.trust.watch(this.endpoint);
    // Revoke all revoked the server's link too: a new one is shown at once.
    this.trust.on('links-reset', () => this.newLink());
    // A server started again takes its old port back, so old links work (a taken port falls back to any).
    const port = deps.history?.storedPort;
    // `--port 0` asks for any free port: the stored one is as good as any, and keeps links working.
    const reuse = port && !config.signalUrl && (!config.portExplicit || config.port === 0);
    this.hub = new SignalHub(reuse ? { ...config, port, portExplicit: false } : config, deps.clientDir, this.endpoint, deps.log);
    this.catalog = new AgentCatalog(config);
    this.list = new SessionList(
      {
        name: config.name ?? hostname(),
        hostname: hostname(),
        folder: config.cwd,
        capacity: config.capacity,
        spawnMode: config.spawn,
        agents: this.catalog.agents(),
        defaultAgent: config.program.label,
      },
      listIntentHandler({ server: this, listAgentSessions: (agent) => this.lister.request(agent, this.catalog.program(agent)), log: deps.log }),
      deps.log.child({ component: 'session-list' }),
      storedList ?? undefined,
    );
    this.lister = new AgentSessionLister(this.list.list, config.cwd, config.env, deps.log.child({ component: 'agent-sessions' }));
    this.endpoint.addSession(this.listId, this.list.core);
    if (this.trust.audit) this.list.core.beforeApply = this.trust.audit.intentHook(this.listId);
    this.list.on('device-joined', (actor) => {
      // What can run may have changed since (an agent installed): the sheet a device opens is current.
      this.list.list.setAgents(this.catalog.agents());
      this.emit('device-joined', null, actor);
    });
    this.list.on('device-left', (actor) => this.emit('device-left', null, actor));
    this.on('device-left', (s, actor) => this.trust.recordDone('leave', { sessionId: s?.id ?? this.listId, device: auditDevice(actor) }));
    // Every device on the list sees who is in each session; owner devices manage devices from it, so
    // theirs also carry every paired and waiting device, live.
    this.list.core.presenceExtras = (role) => ({
      rows: [...this.sessions.values()]
        .map((m) => ({ sessionId: m.id, devices: m.session.core.devices.slice(0, MAX_PRESENCE_DEVICES).map((d) => d.name) }))
        .filter((row) => row.devices.length > 0)
        .slice(0, MAX_PRESENCE_ROWS),
      ...(role === 'owner' ? { trusted: sortTrustedDevices(this.trust.list()).slice(0, MAX_PRESENCE_TRUSTED).map(trustedEntry) } : {}),
    });
    this.trust.on('changed', () => this.list.core.presenceChanged());
  }

  private createNotifier(): PushNotifier | null {
    const push = this.deps.push;
    if (!push) return null;
    const { dir, ...options } = push;
    const notifier = new PushNotifier({
      ...options,
      subscriptions: new PushSubscriptions(dir ? PushSubscriptions.pathFor(dir, this.listId) : null, this.log),
      isPaired: (deviceId) => this.authenticator.store.credential(deviceId) !== null,
      log: this.log.child({ component: 'push' }),
    });
    this.trust.on('revoked', (device) => notifier.forget(device.deviceId));
    notifier.on('unreachable', (err) => this.emit('warning', err));
    return notifier;
  }

  /** Tells the devices that asked about a change in `managed` (not while the server shuts down). */
  private push(managed: ManagedSession, notice: StatusNotice): void {
    if (!this.notifier || this.closing) return;
    this.notifier.notify({ sessionId: managed.id, sessionName: managed.name, ...notice });
  }

  /** The current spawn mode. */
  get spawn(): SpawnMode {
    return this.spawnMode;
  }

  /** The names of the devices in a session now (the status screen shows them on its row). */
  deviceNames(sessionId: string): string[] {
    return this.sessions.get(sessionId)?.session.core.devices.map((d) => d.name) ?? [];
  }

  /** Sessions that are not ended. */
  get running(): number {
    return runningCount(this.list.list.view);
  }

  /** The embedded signal server (null with --signal). */
  get signalServer(): SignalServer | null {
    return this.hub.signalServer;
  }

  /** Starts the signal server, the list and (by default) one session in the folder. */
  async start(): Promise<ServerReady> {
    // Asked of git while the signal server starts (a git process takes tens of ms to answer).
    const repo = this.spawnMode === 'session' ? null : repositoryRoot(this.config.cwd);
    repo?.catch(() => {}); // awaited below, unless the signal server fails to start first
    await this.hub.start();
    if (repo && this.spawnMode === 'worktree') this.repo = await repo;
    else if (repo) this.list.list.setGitRepo(await repo.then(() => true, () => false));
    this.hub.signalLink?.on('register-failed', (sessionId, err) => {
      const what = sessionId === this.listId ? 'the session list' : (this.sessions.get(sessionId)?.name ?? sessionId);
      this.emit('warning', new TetherError(err.code, `devices cannot reach ${what}: ${err.message}`));
    });
    const history = this.deps.history;
    if (history) {
      await history.follow(this.listId, this.list.doc, this.list.core);
      const stored = history.storedPort;
      const port = this.hub.port;
      history.setSignal(port, this.config.signalUrl);
      if (stored !== null && port !== null && port !== stored) {
        this.emit('warning', new TetherError('PORT_CHANGED', `port ${stored}, which this server used before, is taken: links from before will not work; new links use port ${port}`));
      }
    }
    await this.hub.register(this.listId, history?.record.owner);
    this.linkToken = this.authenticator.mintToken(this.listId, 'owner', this.config.linkTtlMs).secret;
    this.viewToken = null;
    const serverUrl = this.serverUrl;
    let first: ManagedSession | null = null;
    const restored = history ? await this.restoreSessions(history) : [];
    const interrupted = restored.filter((m) => m.interrupted);
    if (this.spawnMode === 'session' && interrupted.length > 0) {
      // One-session mode: its session is the server; it comes back running.
      first = interrupted[0]!;
      await this.resumeSession(first.id);
    } else if (this.config.createSessionInDir && interrupted.length === 0 && !(this.spawnMode === 'session' && restored.length > 0)) {
      first = await this.startSession({ name: this.config.name, spawn: 'same-dir', program: this.config.program });
    }
    const ready: ServerReady = { serverUrl, signal: this.hub.signalOrigin, listening: this.hub.listening, name: readListMeta(this.list.list.view).name, first };
    this.emit('ready', ready);
    return ready;
  }

  /** The server's link (the session list) with the current pairing token. */
  get serverUrl(): string {
    return formatSessionUrl(this.hub.signalOrigin, this.listId, this.linkToken);
  }

  /**
   * Mints a fresh link for the server (`n` on the status screen; `v` for a view-only one); older links
   * keep working until they expire. The status screen and QR code show the newest owner link.
   */
  newLink(role: Role = 'owner'): string {
    const token = this.authenticator.mintToken(this.listId, role, this.config.linkTtlMs).secret;
    if (role === 'owner') this.linkToken = token;
    else this.viewToken = token;
    this.emit('changed');
    return formatSessionUrl(this.hub.signalOrigin, this.listId, token);
  }

  /** The newest view-only link, if one was minted. */
  get viewUrl(): string | null {
    return this.viewToken ? formatSessionUrl(this.hub.signalOrigin, this.listId, this.viewToken) : null;
  }

  /** How long links minted now stay valid (null: until revoked). */
  get linkTtlMs(): number | null {
    return this.config.linkTtlMs;
  }

  /** `w` on the status screen: same-dir ↔ worktree for sessions started from now on. */
  async toggleSpawnMode(): Promise<SpawnMode> {
    if (this.spawnMode === 'session') return this.spawnMode;
    const next = this.spawnMode === 'same-dir' ? 'worktree' : 'same-dir';
    if (next === 'worktree' && !this.repo) this.repo = await repositoryRoot(this.config.cwd);
    this.spawnMode = next;
    this.list.list.setSpawnMode(next);
    this.emit('changed');
    return next;
  }

  /** Starts a session; throws CAPACITY_REACHED, SPAWN_REFUSED, AGENT_UNKNOWN, WORKTREE_FAILED, AGENT_NOT_FOUND… */
  async startSession(options: {
    name?: string | null;
    agent?: string;
    spawn?: 'same-dir' | 'worktree';
    program?: RemoteControlCommand['program'];
    /** Return once an agent's process is spawned and listed as starting; it initializes in the background. */
    background?: boolean;
    /** Resume this earlier session of the agent (it lives in the server's folder). */
    resume?: string;
    /** The environment of the program (a login program's own variables). */
    env?: Record<string, string>;
    /** Who asked (the audit log); the host itself when absent. */
    by?: Actor;
  }): Promise<ManagedSession> {
    if (this.spawnMode === 'session' && this.sessions.size > 0) throw new TetherError('SPAWN_REFUSED', 'this server runs exactly one session (--spawn session); open it from the list');
    const running = this.running;
    if (running >= this.config.capacity) throw new TetherError('CAPACITY_REACHED', `capacity reached (${running}/${this.config.capacity})`);
    const program = options.program ?? this.catalog.program(options.agent);
    const taken = new Set([...this.sessions.values()].map((s) => s.name));
    const name = uniqueName(options.name ?? null, hostname(), taken);
    // An agent's earlier session belongs to the folder it was started in: the server's.
    const spawn = options.resume ? 'same-dir' : (options.spawn ?? (this.spawnMode === 'worktree' ? 'worktree' : 'same-dir'));
    let worktree: Worktree | null = null;
    if (spawn === 'worktree') {
      this.repo ??= await repositoryRoot(this.config.cwd);
      worktree = await createWorktree(this.repo, name);
    }
    const id = newId();
    const folder = worktree?.path ?? this.config.cwd;
    try {
      // Recorded before the session starts: a session the audit log cannot hold does not start.
      this.trust.record('session-start', { sessionId: id, name, agent: program.label, folder, device: auditDevice(options.by ?? LOCAL_ACTOR) });
    } catch (err) {
      if (worktree) releaseWorktree(worktree.path);
      throw err;
    }
    const session = createHostedSession({ ...this.config, cwd: folder, program, env: options.env ?? this.config.env }, name, this.log.child({ sessionId: id }), this.deps.scrollbackChars, {
      ...(options.resume ? { resume: options.resume } : {}),
      loginTerminal: (login, loginName, by) => this.startLoginTerminal(login, loginName, program.label, by),
    });
    const history = this.deps.history;
    const record = await history?.add({
      id, name, kind: session.kind, program, folder, branch: worktree?.branch ?? null, worktreePath: worktree?.path ?? null,
      state: 'running', endedReason: null, startedAt: Date.now(), lastActivity: Date.now(),
    });
    await history?.follow(id, session.doc, session.core);
    this.watchProcess(id, session);
    // An agent takes a second or so to initialize: a device's request need not wait for it.
    const background = options.background === true && session.kind === 'conversation';
    const starting = background ? null : session.start();
    try {
      await starting;
    } catch (err) {
      this.failedLogin = session.kind === 'conversation' ? readConversationState(session.writer.view).login : null;
      await session.close().catch((e: unknown) => this.log.warn({ err: String(e) }, 'cleanup after a failed start'));
      await history?.removed(id);
      if (worktree) releaseWorktree(worktree.path);
      throw err;
    }
    if (this.trust.audit) session.core.beforeApply = this.trust.audit.intentHook(id);
    this.endpoint.addSession(id, session.core);
    await this.hub.register(id, record?.owner);
    const url = formatSessionUrl(this.hub.signalOrigin, id, this.linkToken, session.kind);
    const managed: ManagedSession = { id, name, url, agent: program.label, folder, worktree, session, ended: false, interrupted: false };
    if (!background) this.recordRunning(managed);

    this.sessions.set(id, managed);
    this.list.list.add({
      id, name, agent: program.label, kind: session.kind, folder, branch: worktree?.branch ?? null,
      state: 'starting', endedReason: null, startedAt: Date.now(), lastActivity: Date.now(), usage: null,
    });
    this.follow(managed);
    if (background) {
      session.start().then(() => this.recordRunning(managed), async (err: unknown) => {
        const e = err instanceof TetherError ? err : new TetherError('AGENT_FAILED', String(err));
        this.log.warn({ sessionId: id, code: e.code, err: e.message }, 'session failed to start');
        this.markEnded(managed, null, e.detail ? `${e.message} (${e.detail})` : e.message, { error: e });
        // The agent stops its process group when its start fails; stop() makes sure nothing is left.
        await session.stop().catch((stopErr: unknown) => this.log.warn({ err: String(stopErr) }, 'cleanup after a failed start'));
      });
    }
    this.log.info({ sessionId: id, name, folder }, 'session started');
    this.emit('session-started', managed);
    this.emit('changed');
    return managed;
  }

  /** Stops a session's program or agent; it stays readable until removed. Optionally removes its worktree. */
  async endSession(id: string, options: { removeWorktree?: boolean; force?: boolean; by?: string } = {}): Promise<void> {
    const managed = this.sessions.get(id);
    if (!managed) throw new TetherError('SESSION_UNKNOWN', 'no such session on this server');
    if (options.removeWorktree && managed.worktree && !options.force && (await isDirty(managed.worktree.path))) {
      throw new TetherError('WORKTREE_DIRTY', `${managed.name}'s worktree has uncommitted changes; confirm to remove it anyway`);
    }
    // Record why first: stopping makes the agent exit, which would otherwise report the signal instead.
    const running = !managed.ended;
    const reason = options.by ? `Ended by ${options.by}.` : 'Ended on the host.';
    this.markEnded(managed, null, reason);
    if (running) await managed.session.stop(reason);
    if (options.removeWorktree && managed.worktree && this.repo) {
      await removeWorktree(this.repo, managed.worktree.path, options.force === true);
      this.list.list.update(id, { branch: managed.worktree.branch, folder: `${managed.worktree.path} (removed)` });
    }
  }

  /** Removes an ended session: its link stops working and it leaves the list. */
  async removeSession(id: string): Promise<void> {
    const managed = this.sessions.get(id);
    if (!managed) throw new TetherError('SESSION_UNKNOWN', 'no such session on this server');
    if (!managed.ended) throw new TetherError('SESSION_RUNNING');
    this.hub.unregister(id);
    this.endpoint.removeSession(id, new TetherError('SESSION_REMOVED'));
    await managed.session.close();
    await this.deps.history?.removed(id);
    if (managed.worktree) releaseWorktree(managed.worktree.path);
    this.sessions.delete(id);
    this.list.list.remove(id);
    this.emit('session-removed', managed);
    this.emit('changed');
  }

  /** Renames a session everywhere (list and the session's own document). */
  renameSession(id: string, name: string): void {
    const managed = this.sessions.get(id);
    if (!managed) throw new TetherError('SESSION_UNKNOWN', 'no such session on this server');
    if ([...this.sessions.values()].some((s) => s.id !== id && s.name === name)) throw new TetherError('NAME_TAKEN');
    managed.name = name;
    managed.session.writer.setName(name);
    this.deps.history?.renamed(id, name);
    this.list.list.update(id, { name });
    this.emit('changed');
  }

  /**
   * Starts an interrupted session's program or agent again (its scrollback or conversation stays above);
   * throws SESSION_UNKNOWN, CAPACITY_REACHED, or the program's start errors.
   */
  async resumeSession(id: string): Promise<void> {
    const managed = this.sessions.get(id);
    if (!managed) throw new TetherError('SESSION_UNKNOWN', 'no such session on this server');
    if (!managed.interrupted) {
      if (managed.ended) throw new TetherError('SESSION_ENDED');
      return;
    }
    if (this.running >= this.config.capacity) throw new TetherError('CAPACITY_REACHED', `capacity reached (${this.running}/${this.config.capacity})`);
    managed.interrupted = false;
    this.list.list.update(id, { state: 'starting', lastActivity: Date.now() });
    try {
      await managed.session.start();
    } catch (err) {
      this.markEnded(managed, null, (err as Error).message);
      throw err;
    }
    this.recordRunning(managed);
    this.log.info({ sessionId: id }, 'session resumed');
    this.emit('session-resumed', managed);
    this.emit('changed');
  }

  /** Stops every session (whole process groups), the list and the signal server. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.refreshTimers.values()) clearTimeout(t);
      // Stop recording first: sessions stopped by this shutdown come back interrupted, resumable (devices
      // still read "ended on the host" now; a replica that saw it is ahead of the store and resyncs).
      await this.deps.history?.close();
      await this.lister.settle();
      // Record why first: devices read "ended on the host", not the signal that stopped the program.
      for (const m of this.sessions.values()) this.markEnded(m, null, 'Ended on the host.');
      await Promise.all([...this.sessions.values()].map(async (m) => {
        await m.session.stop('Ended on the host.');
        // Let devices receive the final state before their connections close.
        await m.session.core.drain(300);
      }));
      await Promise.all([...this.sessions.values()].map((m) => m.session.close('Ended on the host.').catch((err: unknown) => this.log.warn({ err: String(err) }, 'session close failed'))));
      for (const m of this.sessions.values()) if (m.worktree) releaseWorktree(m.worktree.path);
      this.deps.history?.releaseGroups();
      this.list.close();
      await this.endpoint.close();
      await this.hub.stop();
    })();
    return this.closing;
  }

  /** The session link of a managed session. */
  linkOf(id: string): string {
    const m = this.sessions.get(id);
    if (!m) throw new TetherError('SESSION_UNKNOWN');
    return formatSessionUrl(this.hub.signalOrigin, m.id, this.linkToken, m.session.kind);
  }

  /** Runs an agent's login program as a terminal session of this server (the login card links to it). */
  private async startLoginTerminal(login: LoginProgram, name: string, agentLabel: string, by: Actor): Promise<{ sessionId: string | null; exited: Promise<number | null> }> {
    const program: ProgramSpec = { kind: 'pty', file: login.file, args: login.args, display: login.display, label: `${agentLabel}-login` };
    const managed = await this.startSession({ name, program, spawn: 'same-dir', env: login.env, by });
    const exited = new Promise<number | null>((resolve) => {
      const ended = (s: ManagedSession, e: { exitCode: number | null }): void => {
        if (s !== managed) return;
        this.off('session-ended', ended);
        resolve(e.exitCode);
      };
      this.on('session-ended', ended);
    });
    return { sessionId: managed.id, exited };
  }

  /** Keeps a session's row in step with its document, and notices when it ends. */
  private follow(managed: ManagedSession): void {
    const session = managed.session;
    let activityWritten = Date.now();
    const refresh = (): void => {
      this.refreshTimers.delete(managed.id);
      if (!this.sessions.has(managed.id)) return;
      this.deps.history?.touch(managed.id);
      const { state, ...fields } = rowFields(session);
      const now = Date.now();
      const activity = now - activityWritten >= ACTIVITY_STEP_MS ? now : null;
      if (activity !== null) activityWritten = now;
      this.list.list.update(managed.id, {
        // "Ended" comes with its reason, from markEnded: the document may say so a moment earlier.
        ...(managed.ended ? { state: 'ended' } : managed.interrupted ? { state: 'interrupted' } : state !== 'ended' ? { state } : {}),
        ...fields,
        ...(activity !== null ? { lastActivity: activity } : {}),
      });
      this.emit('changed');
    };
    // Leading edge: a change after a quiet spell shows at once; a busy session refreshes its row
    // at most every LIST_REFRESH_MS.
    let lastRefresh = -Infinity;
    session.doc.on('update', () => {
      if (this.refreshTimers.has(managed.id)) return;
      const wait = LIST_REFRESH_MS - (performance.now() - lastRefresh);
      const run = (): void => {
        lastRefresh = performance.now();
        refresh();
      };
      if (wait <= 0) run();
      else this.refreshTimers.set(managed.id, setTimeout(run, wait));
    });
    session.on('device-joined', (actor: Actor) => {
      this.list.core.presenceChanged();
      this.emit('device-joined', managed, actor);
    });
    session.on('device-left', (actor: Actor) => {
      this.list.core.presenceChanged();
      this.emit('device-left', managed, actor);
    });
    if (session.kind === 'conversation') onStatusNotice(session.writer.view, (notice) => this.push(managed, notice));
    const ended = ({ exitCode, reason, ...more }: ReturnType<typeof endedBy>): void => this.markEnded(managed, exitCode, reason, more);
    if (session.kind === 'terminal') session.on('exited', (exit) => ended(endedBy(exit.exitCode, exit.signal)));
    else session.on('agent-exited', (exit) => ended(endedBy(exit.code, exit.signal)));
    refresh();
  }

  /** Its program's or agent's process group is recorded and watched the moment it exists. */
  private watchProcess(id: string, session: HostedSession): void {
    session.on('spawned', (pid: number) => this.deps.history?.running(id, pid, null));
  }

  /** Records a running session's process group and (for an agent) its own session id. */
  private recordRunning(managed: ManagedSession): void {
    const s = managed.session;
    if (!managed.ended) this.deps.history?.running(managed.id, s.processGroup, s.kind === 'conversation' ? s.agentSessionId : null);
  }

  /** Brings back this server's stored sessions (and its folder's interactive ones, read-only). */
  private async restoreSessions(history: ServerHistory): Promise<ManagedSession[]> {
    const restored: ManagedSession[] = [];
    const deps = { config: this.config, log: this.log, scrollbackChars: this.deps.scrollbackChars, resume: (id: string) => this.resumeSession(id), watch: (id: string, s: HostedSession) => this.watchProcess(id, s) };
    for (const record of history.storedSessions()) {
      const doc = history.load(record.id);
      if (!doc) continue;
      await history.endLeftovers(record);
      try {
        restored.push(await this.serveRestored(await restoreSession(history, record, doc, deps)));
      } catch (err) {
        this.log.warn({ sessionId: record.id, err: String(err) }, 'could not restore a stored session');
      }
    }
    const kept = new Set(restored.map((m) => m.id));
    for (const id of [...this.list.list.view.sessions.keys()]) if (!kept.has(id)) this.list.list.remove(id);
    // The same bound as while running: the oldest ended sessions beyond it go (from the store too).
    this.pruneEnded();
    return restored;
  }

  /** Serves a restored session on the same link and lists it. */
  private async serveRestored({ record, session, worktree, interrupted, readOnly }: Restored): Promise<ManagedSession> {
    const { id } = record;
    const managed: ManagedSession = {
      id, name: record.name, url: formatSessionUrl(this.hub.signalOrigin, id, this.linkToken, session.kind), agent: record.program.label,
      folder: record.folder, worktree, session, ended: !interrupted, interrupted, ...(interrupted ? {} : { endedAt: record.lastActivity }),
    };
    if (this.trust.audit) session.core.beforeApply = this.trust.audit.intentHook(id);
    this.endpoint.addSession(id, session.core);
    await this.hub.register(id, record.owner);
    this.sessions.set(id, managed);
    const endedReason = readOnly ? 'interactive session (read-only)' : interrupted ? 'the host restarted' : record.endedReason;
    const row = { name: record.name, agent: record.program.label, kind: session.kind, folder: record.folder, branch: record.branch, state: interrupted ? 'interrupted' as const : 'ended' as const, endedReason, startedAt: record.startedAt, lastActivity: record.lastActivity, usage: null };
    if (this.list.list.view.sessions.has(id)) this.list.list.update(id, row);
    else this.list.list.add({ id, ...row });
    this.follow(managed);
    this.emit('session-restored', managed);
    return managed;
  }

  private markEnded(managed: ManagedSession, exitCode: number | null, reason: string, more: { signal?: string | null; status?: number; error?: TetherError } = {}): void {
    if (managed.ended) return;
    managed.ended = true;
    managed.interrupted = false;
    this.deps.history?.ended(managed.id, reason);
    managed.endedAt = Date.now();
    this.trust.recordDone('session-end', { sessionId: managed.id, name: managed.name, exitCode, reason });
    this.list.list.update(managed.id, { state: 'ended', endedReason: reason, lastActivity: Date.now() });
    this.push(managed, endedNotice(reason));
    this.emit('session-ended', managed, { exitCode, reason, ...more });
    this.emit('changed');
    this.pruneEnded();
  }

  /** Keeps at most MAX_ENDED_SESSIONS ended sessions: the oldest ended ones are removed (a long-running server stays bounded). */
  private pruneEnded(): void {
    if (this.closing) return;
    const ended = [...this.sessions.values()].filter((m) => m.ended).sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
    for (const m of ended.slice(0, Math.max(0, ended.length - MAX_ENDED_SESSIONS))) {
      this.removeSession(m.id).catch((err: unknown) => this.log.warn({ sessionId: m.id, err: String(err) }, 'could not prune an ended session'));
    }
  }
}
