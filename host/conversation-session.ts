/**
 * A conversation session: one ACP agent + its Yjs document + its devices. Prompts from any device (or
 * the host's own terminal) queue while the agent works and run in order; permission requests and
 * questions go to every device and the first answer applied wins; Stop cancels the turn, its pending
 * requests and the commands it runs, and pauses the queue until a device runs it again (`run-queue`).
 * Settings, logins and resuming an earlier agent session are here too.
 */
import { EventEmitter } from 'node:events';
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { ContentBlock, RequestPermissionRequest, RequestPermissionResponse } from '@agentclientprotocol/sdk';
import { ConversationIntentSchema, type ConversationIntent } from '../protocol/messages.js';
import type { Role } from '../protocol/roles.js';
import { TetherError } from '../protocol/errors.js';
import { newId } from '../protocol/ids.js';
import { readConversationMeta, readConversationState, readEntry, readStatus, type AgentMode, type PermissionOption } from '../protocol/conversation-doc.js';
import { AcpAgent, type AgentCommand, type AgentExit, type AgentInfo } from './acp-agent.js';
import { ConversationWriter } from './conversation-writer.js';
import { ConversationQuestions, type Answerer } from './conversation-questions.js';
import { ConversationLogin, type LoginProgram, type LoginTerminalStarter } from './conversation-login.js';
import { describeIssue, SessionCore, type Actor, type SessionBehaviour } from './core/session-core.js';

/** Base64 characters of images that may wait in the queue at once. */
const MAX_QUEUED_IMAGE_CHARS = 16 * 1024 * 1024;

/** Everything a conversation session needs. */
export interface ConversationSessionConfig {
  name: string;
  /** Preset name or 'acp', shown to devices. */
  agentLabel: string;
  command: AgentCommand;
  cwd: string;
  env: Record<string, string>;
  log: Logger;
  /** A stored session's document (restored after a restart): the conversation stays above. */
  doc?: Y.Doc;
  /** The agent's own session id from before the restart, to take it back on Resume. */
  agentSessionId?: string | null;
  /** Carries out a device's Resume of an interrupted session (the server's; none: it cannot resume). */
  onResume?: () => Promise<TetherError | null>;
  /** A stored interactive session shown from a server's list: ended, read-only. */
  readOnly?: boolean;
  /** An earlier session of the agent to resume (an id from its session list). */
  resume?: string;
  /** Runs a login program in a terminal session devices can open (server mode); absent: the host's terminal only. */
  loginTerminal?: LoginTerminalStarter;
}

interface PendingPermission {
  options: PermissionOption[];
  resolve: (response: RequestPermissionResponse) => void;
}

interface ConversationSessionEvents {
  'device-joined': [Actor];
  'device-left': [Actor];
  /** The agent's process exists (its pid is its process group). */
  spawned: [number];
  /** The agent process ended (the conversation stays readable). */
  'agent-exited': [AgentExit];
}

/** Who sent something: a device's name and id. */
type Sender = Answerer;

const HOST: Sender = { name: 'host', deviceId: null };
const AGENT: Sender = { name: 'agent', deviceId: null };

/** A shared conversation with an ACP agent. */
export class ConversationSession extends EventEmitter<ConversationSessionEvents> implements SessionBehaviour<ConversationIntent> {
  readonly kind = 'conversation' as const;
  readonly doc: Y.Doc;
  readonly writer: ConversationWriter;
  readonly core: SessionCore<ConversationIntent>;
  private readonly agent: AcpAgent;
  private readonly pending = new Map<string, PendingPermission>();
  private readonly questions: ConversationQuestions;
  readonly login: ConversationLogin;
  private promptImages = false;
  private modes: AgentMode[] = [];
  private turnRunning = false;
  /** Who stopped the running turn, if someone did. */
  private stoppedBy: string | null = null;
  private ended = false;
  /** A restored session whose agent ran when its host stopped: prompts queue until it is resumed. */
  private interruptedNow = false;
  /** While the agent starts, its exit is the start's failure (which says during what): start() reports it. */
  private starting = false;
  /** Why the session ended, once it did (the start failure, for one). */
  private endError: TetherError | null = null;
  /** True while the agent replays a history the document already holds (see takeBack). */
  private droppingReplay = false;
  /** The agent's own id of the open session. */
  private agentSession: string | null = null;
  /** Why the host ended the agent, when it did (shown instead of the signal). */
  private stopReason: string | null = null;

  constructor(private readonly config: ConversationSessionConfig) {
    super();
    this.doc = config.doc ?? new Y.Doc();
    this.writer = new ConversationWriter(this.doc, { name: config.name, agent: config.agentLabel, command: config.command.display, cwd: config.cwd }, config.doc !== undefined);
    if (config.doc) {
      if (config.readOnly && readStatus(this.writer.view) !== 'ended') this.writer.setEnded('An interactive session, stored read-only.', null, '');
      if (readStatus(this.writer.view) === 'ended') this.ended = true;
      else {
        this.interruptedNow = true;
        this.writer.setInterrupted();
      }
    }
    this.core = new SessionCore(this.doc, this, config.log);
    this.core.on('joined', (actor) => this.emit('device-joined', actor));
    this.core.on('left', (actor) => this.emit('device-left', actor));
    this.questions = new ConversationQuestions(this.writer, () => this.followWaiting());
    this.agent = new AcpAgent(
      config.command,
      config.cwd,
      config.env,
      {
        // A restored session taking its agent session back: the history the agent replays is in the document.
        onUpdate: (update) => {
          if (!this.droppingReplay) this.writer.applyUpdate(update);
        },
        onPermission: (request, signal) => this.onPermission(request, signal),
        onQuestion: (request, signal) => this.questions.ask(request, signal),
        onQuestionComplete: (elicitationId) => this.questions.completed(elicitationId),
        onExit: (exit) => this.onAgentExit(exit),
        onSpawn: (pid) => this.emit('spawned', pid),
        terminals: this.writer.terminals,
      },
      config.log.child({ component: 'agent' }),
    );
    this.login = new ConversationLogin(this.writer, this.agent, config.command, config.env, config.loginTerminal ?? null);
  }

  /** True while a restored session waits to be resumed. */
  get interrupted(): boolean {
    return this.interruptedNow;
  }

  /** The agent's process group while it runs (to end it should this host be killed). */
  get processGroup(): number | null {
    return this.ended || this.interruptedNow ? null : this.agent.pid;
  }

  /** The agent's own id of its session (stored, to take it back after a restart). */
  get agentSessionId(): string | null {
    return this.agentSession;
  }

  /**
   * After a restart: the agent's earlier session when it can load or resume it (the history it replays
   * is already in the document), else a new one.
   */
  private async takeBack(): Promise<{ info: AgentInfo; resumed: boolean }> {
    const previous = this.config.agentSessionId;
    if (previous) {
      this.droppingReplay = true;
      try {
        return { info: await this.agent.start({ resume: previous }), resumed: true };
      } catch (err) {
        this.config.log.warn({ err: String(err) }, 'the agent could not take its earlier session back; starting a new one');
      } finally {
        this.droppingReplay = false;
      }
    }
    return { info: await this.agent.start(), resumed: false };
  }

  /**
   * Starts the agent (again, for an interrupted session: see takeBack; resuming `config.resume` when given); throws AGENT_NOT_FOUND / AGENT_FAILED /
   * AGENT_LOGIN_REQUIRED / AGENT_ROOT_REFUSED / SPAWN_FAILED / RESUME_UNSUPPORTED. A failed start leaves
   * no agent process behind and an ended conversation that says why (a login card when it needs one).
   */
  async start(): Promise<void> {
    const resuming = this.interruptedNow;
    if (resuming) {
      this.interruptedNow = false;
      this.writer.setStatus('starting');
    }
    const resume = this.config.resume;
    this.starting = true;
    try {
      if (resume) this.writer.setReplaying(true);
      const taken = resuming ? await this.takeBack() : null;
      const info = taken ? taken.info : await this.agent.start(resume ? { resume } : {});
      this.writer.setReplaying(false);
      this.agentSession = info.agentSessionId;
      this.promptImages = info.promptImages;
      this.modes = info.modes;
      this.writer.setAgentInfo(info);
      if (resume) this.writer.setResumedFrom(resume);
      if (taken) {
        this.writer.addNotice('info', taken.resumed
          ? 'The host restarted; the agent took its session back.'
          : 'The host restarted; the agent started afresh and does not remember the conversation above.');
      }
      this.starting = false;
      if (!this.ended) this.writer.setStatus('idle');
      this.pump();
    } catch (err) {
      this.starting = false;
      this.writer.setReplaying(false);
      const e = err instanceof TetherError ? err : new TetherError('AGENT_FAILED', String(err));
      const identity = this.agent.identity;
      if (identity) this.writer.setAuthMethods(identity.authMethods, identity.agentName);
      if (e.code === 'AGENT_LOGIN_REQUIRED') this.login.need(e.message);
      if (!this.ended) {
        this.ended = true;
        this.endError = e;
        this.writer.setEnded(e.message, null, this.agent.stderrTail, e.detail);
      }
      throw e;
    }
  }

  /** Why the session ended, when it ended by a failure tether explained. */
  get failure(): TetherError | null {
    return this.endError;
  }

  /** Lists the host's own terminal among the devices (interactive mode). */
  addLocalDevice(): void {
    this.core.addLocal();
  }

  /** Applies an intent from the host's own terminal. Returns the reply's error, or null when applied. */
  applyLocalIntent(raw: Record<string, unknown>): Promise<TetherError | null> {
    return this.core.applyLocal(raw);
  }

  /** The login program of a terminal method, for the host's own terminal (`/login`). */
  loginProgram(methodId: string): LoginProgram | TetherError {
    return this.login.program(methodId);
  }

  parseIntent(raw: Record<string, unknown>): ConversationIntent | TetherError {
    const parsed = ConversationIntentSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    if (raw.type === 'input' || raw.type === 'resize') return new TetherError('WRONG_SESSION_KIND', 'this is a conversation, not a terminal');
    return new TetherError('INTENT_INVALID', describeIssue(parsed.error.issues));
  }

  /** Starting a login program runs a process on the host: owner only. Everything else: control. */
  roleFor(intent: ConversationIntent): Role {
    return intent.type === 'login' ? 'owner' : 'control';
  }

  /** A prompt the host took but lost in a crash is queued again: prompts are never lost. */
  replayAfterRestart(intent: ConversationIntent): boolean {
    return intent.type === 'prompt';
  }

  /** Applies a valid, permitted intent from `actor`. Returns the reply's error, or null when applied. */
  async apply(intent: ConversationIntent, actor: Actor): Promise<TetherError | null> {
    const sender: Sender = { name: actor.name, deviceId: actor.deviceId };
    if (intent.type === 'resume') {
      if (!this.interruptedNow) return this.ended ? new TetherError('SESSION_ENDED', 'the agent has ended') : null;
      return this.config.onResume ? this.config.onResume() : new TetherError('SESSION_INTERRUPTED', 'this session cannot be resumed here');
    }
    if (intent.type === 'login') return this.login.start(intent.methodId, actor);
    if (this.ended && intent.type !== 'queue-remove') return new TetherError('SESSION_ENDED', 'the agent has ended');
    // Interrupted: prompts queue (and can be edited or removed) until a device resumes the session.
    if (this.interruptedNow && !['prompt', 'queue-edit', 'queue-remove'].includes(intent.type)) return new TetherError('SESSION_INTERRUPTED');
    switch (intent.type) {
      case 'prompt': {
        const images = intent.images ?? [];
        if (images.length > 0 && !this.promptImages) return new TetherError('IMAGES_UNSUPPORTED');
        const chars = images.reduce((n, i) => n + i.data.length, 0);
        if (chars > 0 && this.writer.queuedImageChars() + chars > MAX_QUEUED_IMAGE_CHARS) {
          return new TetherError('INTENT_INVALID', 'too many images are waiting in the queue; send this once the agent has taken them');
        }
        this.writer.enqueue({ id: newId(), text: intent.text, images: images.length, imageData: images, by: sender.name, byDeviceId: sender.deviceId });
        this.pump();
        return null;
      }
      case 'queue-edit': {
        const at = this.writer.queueIndex(intent.queueId);
        if (at < 0) return new TetherError('QUEUE_ITEM_UNKNOWN');
        this.writer.editQueued(at, intent.text);
        return null;
      }
      case 'queue-remove': {
        const at = this.writer.queueIndex(intent.queueId);
        if (at < 0) return new TetherError('QUEUE_ITEM_UNKNOWN');
        this.doc.transact(() => {
          this.writer.removeQueued(at);
          if (this.writer.view.queue.length === 0) this.writer.setQueuePaused(false); // nothing left to wait
        });
        return null;
      }
      case 'permission':
        return this.answerPermission(intent.requestId, intent.optionId, sender);
      case 'answer':
        return this.questions.answer(intent.requestId, intent.action, intent.content, sender);
      case 'stop':
        await this.stopTurn(sender);
        return null;
      case 'run-queue':
        this.doc.transact(() => {
          this.writer.setQueuePaused(false);
          this.pump();
        });
        return null;
      case 'set-mode': {
        if (!this.modes.some((m) => m.id === intent.modeId)) return new TetherError('MODE_UNKNOWN');
        await this.agent.setMode(intent.modeId);
        this.writer.view.meta.set('currentModeId', intent.modeId);
        return null;
      }
      case 'set-config':
        return this.setConfig(intent.configId, intent.value);
    }
  }

  /** Closes the agent's session (session/close) and stops its process group; the conversation stays readable. */
  async stop(reason = 'Ended on the host.'): Promise<void> {
    this.stopReason = reason;
    this.cancelAsks(HOST);
    await this.agent.closeSession();
    await this.agent.close();
  }

  /** Ends the agent and every device connection. */
  async close(reason = 'Ended on the host.'): Promise<void> {
    this.stopReason ??= reason;
    await this.stop(this.stopReason);
    this.core.close();
  }

  private async setConfig(configId: string, value: string | boolean): Promise<TetherError | null> {
    const option = readConversationMeta(this.writer.view).configOptions.find((o) => o.id === configId);
    if (!option) return new TetherError('CONFIG_OPTION_UNKNOWN', `the agent offers no setting '${configId}'`);
    if (option.type === 'boolean' ? typeof value !== 'boolean' : typeof value !== 'string' || !option.options.some((o) => o.value === value)) {
      return new TetherError('CONFIG_VALUE_INVALID', `${option.name}: '${String(value)}' is not one of its values`);
    }
    try {
      this.writer.setConfigOptions(await this.agent.setConfig(configId, value));
      return null;
    } catch (err) {
      if (!(err instanceof TetherError)) throw err;
      return new TetherError(err.code, err.detail ? `${err.message}: ${err.detail}` : err.message);
    }
  }

  /** Cancels the running turn, its pending permission requests and questions, and the commands it runs. */
  private async stopTurn(sender: Sender): Promise<void> {
    if (!this.turnRunning) return;
    this.cancelAsks(sender);
    // The notice is added when the turn ends, after the chunks already in flight. Whoever stopped a
    // turn rarely wants the next queued prompt to start a moment later: the queue waits.
    this.stoppedBy = sender.name;
    if (this.writer.view.queue.length > 0) this.writer.setQueuePaused(true);
    await this.agent.cancel();
  }

  private cancelAsks(by: Sender): void {
    for (const requestId of [...this.pending.keys()]) this.cancelPermission(requestId, by);
    this.questions.cancelAll(by);
  }

  /** Starts the next queued prompt when the agent is free. */
  private pump(): void {
    if (this.turnRunning || this.ended || this.interruptedNow || readStatus(this.writer.view) === 'starting') return;
    if (readConversationState(this.writer.view).queuePaused) return;
    const next = this.writer.shiftQueue();
    if (!next) return;
    this.turnRunning = true;
    this.writer.addUserPrompt(next);
    this.writer.setStatus('working');
    const blocks: ContentBlock[] = [];
    if (next.text.trim() !== '') blocks.push({ type: 'text', text: next.text });
    for (const image of next.imageData) blocks.push({ type: 'image', mimeType: image.mimeType, data: image.data });
    this.agent.prompt(blocks).then(
      (stopReason) => {
        this.login.satisfied();
        if (stopReason === 'refusal') this.writer.addNotice('info', 'The agent refused this prompt.');
        else if (stopReason === 'max_tokens' || stopReason === 'max_turn_requests') this.writer.addNotice('info', `The turn ended early (${stopReason}).`);
        this.turnDone();
      },
      (err: unknown) => {
        if (!this.ended) {
          const e = err instanceof TetherError ? err : new TetherError('AGENT_FAILED', String(err));
          if (e.code === 'AGENT_LOGIN_REQUIRED') this.login.need(e.message);
          this.writer.addNotice('error', `The agent failed this prompt: ${e.message}${e.detail ? ` (${e.detail})` : ''}`);
        }
        this.turnDone();
      },
    );
  }

  private turnDone(): void {
    this.turnRunning = false;
    if (this.stoppedBy !== null && !this.ended) this.writer.addNotice('info', `Stopped by ${this.stoppedBy}`);
    this.stoppedBy = null;
    this.cancelAsks(HOST);
    if (this.ended) return;
    // One transaction: devices never see "idle with an empty queue" between a turn and the next queued one.
    this.doc.transact(() => {
      this.writer.setStatus('idle');
      this.pump();
    });
  }

  /** The status while a turn runs: waiting for an approval, for an answer, or working. */
  private followWaiting(): void {
    if (!this.turnRunning || this.ended) return;
    this.writer.setStatus(this.pending.size > 0 ? 'awaiting-permission' : this.questions.open > 0 ? 'awaiting-answer' : 'working');
  }

  private onPermission(request: RequestPermissionRequest, signal: AbortSignal): Promise<RequestPermissionResponse> {
    const options = request.options.map((o) => ({ optionId: o.optionId, name: o.name, kind: o.kind }));
    const toolCallId = request.toolCall.toolCallId ?? null;
    const title = request.toolCall.title ?? (toolCallId ? this.writer.toolTitle(toolCallId) : undefined) ?? 'Permission requested';
    const requestId = this.writer.addPermission(toolCallId, title, options);
    return new Promise((resolve) => {
      this.pending.set(requestId, { options, resolve });
      this.followWaiting();
      signal.addEventListener('abort', () => this.cancelPermission(requestId, AGENT), { once: true });
    });
  }

  private answerPermission(requestId: string, optionId: string, sender: Sender): TetherError | null {
    const entry = this.writer.permission(requestId);
    if (!entry) return new TetherError('PERMISSION_UNKNOWN');
    const pending = this.pending.get(requestId);
    if (!pending) {
      const read = readEntry(entry);
      const answer = read.type === 'permission' ? read.answer : null;
      return new TetherError('PERMISSION_ANSWERED', answer?.by ? `already answered by ${answer.by} (${answer.name})` : undefined);
    }
    const option = pending.options.find((o) => o.optionId === optionId);
    if (!option) return new TetherError('INTENT_INVALID', `optionId: not one of this request's options`);
    this.pending.delete(requestId);
    this.writer.resolvePermission(requestId, 'answered', { optionId, name: option.name, by: sender.name, byDeviceId: sender.deviceId, at: Date.now() });
    this.followWaiting();
    pending.resolve({ outcome: { outcome: 'selected', optionId } });
    return null;
  }

  private cancelPermission(requestId: string, by: Sender): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    this.writer.resolvePermission(requestId, 'cancelled', { optionId: null, name: 'Cancelled', by: by.name, byDeviceId: by.deviceId, at: Date.now() });
    this.followWaiting();
    pending.resolve({ outcome: { outcome: 'cancelled' } });
  }

  private onAgentExit(exit: AgentExit): void {
    if (this.ended || this.starting) return;
    this.ended = true;
    this.cancelAsks(AGENT);
    // An agent the host ended says so, rather than the signal that ended it.
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    this.writer.setEnded(this.stopReason ?? `The agent ${how}.`, exit.code, exit.stderrTail);
    this.emit('agent-exited', exit);
  }
}
