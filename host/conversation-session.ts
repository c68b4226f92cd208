/**
 * A conversation session: one ACP agent + its Yjs document + its devices. Prompts from any device (or
 * the host's own terminal) queue while the agent works and run in order; permission requests go to every
 * device and the first answer applied wins; Stop cancels the turn and its pending requests and pauses
 * the queue until a device runs it again (`run-queue`).
 */
import { EventEmitter } from 'node:events';
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { ContentBlock, RequestPermissionRequest, RequestPermissionResponse } from '@agentclientprotocol/sdk';
import { ConversationIntentSchema, type ConversationIntent, type PromptImage } from '../protocol/messages.js';
import type { Role } from '../protocol/roles.js';
import { TetherError } from '../protocol/errors.js';
import { newId } from '../protocol/ids.js';
import { readConversationState, readEntry, readStatus, type AgentMode, type PermissionOption } from '../protocol/conversation-doc.js';
import { AcpAgent, type AgentCommand, type AgentExit } from './acp-agent.js';
import { ConversationWriter } from './conversation-writer.js';
import { describeIssue, SessionCore, type Actor, type SessionBehaviour } from './core/session-core.js';

/** Everything a conversation session needs. */
export interface ConversationSessionConfig {
  name: string;
  /** Preset name or 'acp', shown to devices. */
  agentLabel: string;
  command: AgentCommand;
  cwd: string;
  env: Record<string, string>;
  log: Logger;
}

interface PendingPermission {
  options: PermissionOption[];
  resolve: (response: RequestPermissionResponse) => void;
}

interface ConversationSessionEvents {
  'device-joined': [Actor];
  'device-left': [Actor];
  /** The agent process ended (the conversation stays readable). */
  'agent-exited': [AgentExit];
}

/** Who sent something: a device's name and id. */
type Sender = Pick<Actor, 'name'> & { deviceId: string | null };

/** A shared conversation with an ACP agent. */
export class ConversationSession extends EventEmitter<ConversationSessionEvents> implements SessionBehaviour<ConversationIntent> {
  readonly kind = 'conversation' as const;
  readonly doc = new Y.Doc();
  readonly writer: ConversationWriter;
  readonly core: SessionCore<ConversationIntent>;
  private readonly agent: AcpAgent;
  private readonly pending = new Map<string, PendingPermission>();
  /** Images of queued prompts stay on the host (the document only says how many). */
  private readonly queuedImages = new Map<string, PromptImage[]>();
  private promptImages = false;
  private modes: AgentMode[] = [];
  private turnRunning = false;
  /** Who stopped the running turn, if someone did. */
  private stoppedBy: string | null = null;
  private ended = false;
  /** Why the host ended the agent, when it did (shown instead of the signal). */
  private stopReason: string | null = null;

  constructor(private readonly config: ConversationSessionConfig) {
    super();
    this.writer = new ConversationWriter(this.doc, { name: config.name, agent: config.agentLabel, command: config.command.display, cwd: config.cwd });
    this.core = new SessionCore(this.doc, this.writer, this, config.log);
    this.core.on('joined', (actor) => this.emit('device-joined', actor));
    this.core.on('left', (actor) => this.emit('device-left', actor));
    this.agent = new AcpAgent(config.command, config.cwd, config.env, {
      onUpdate: (update) => this.writer.applyUpdate(update),
      onPermission: (request, signal) => this.onPermission(request, signal),
      onExit: (exit) => this.onAgentExit(exit),
    }, config.log.child({ component: 'agent' }));
  }

  /** Starts the agent; throws AGENT_NOT_FOUND / AGENT_FAILED / SPAWN_FAILED. */
  async start(): Promise<void> {
    try {
      const info = await this.agent.start();
      this.promptImages = info.promptImages;
      this.modes = info.modes;
      this.writer.setAgentInfo(info);
      if (!this.ended) this.writer.setStatus('idle');
      this.pump();
    } catch (err) {
      const e = err instanceof TetherError ? err : new TetherError('AGENT_FAILED', String(err));
      if (!this.ended) {
        this.ended = true;
        this.writer.setEnded(e.message, null, this.agent.stderrTail);
      }
      throw e;
    }
  }

  /** Lists the host's own terminal among the devices (interactive mode). */
  addLocalDevice(): void {
    this.core.addLocal();
  }

  /** Applies an intent from the host's own terminal. Returns the reply's error, or null when applied. */
  applyLocalIntent(raw: Record<string, unknown>): Promise<TetherError | null> {
    return this.core.applyLocal(raw);
  }

  parseIntent(raw: Record<string, unknown>): ConversationIntent | TetherError {
    const parsed = ConversationIntentSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    if (raw.type === 'input' || raw.type === 'resize') return new TetherError('WRONG_SESSION_KIND', 'this is a conversation, not a terminal');
    return new TetherError('INTENT_INVALID', describeIssue(parsed.error.issues));
  }

  roleFor(): Role {
    return 'control';
  }

  /** Applies a valid, permitted intent from `actor`. Returns the reply's error, or null when applied. */
  async apply(intent: ConversationIntent, actor: Actor): Promise<TetherError | null> {
    const sender: Sender = { name: actor.name, deviceId: actor.deviceId };
    if (this.ended && intent.type !== 'queue-remove') return new TetherError('SESSION_ENDED', 'the agent has ended');
    switch (intent.type) {
      case 'prompt': {
        if ((intent.images?.length ?? 0) > 0 && !this.promptImages) return new TetherError('IMAGES_UNSUPPORTED');
        const id = newId();
        if (intent.images?.length) this.queuedImages.set(id, intent.images);
        this.writer.enqueue({ id, text: intent.text, images: intent.images?.length ?? 0, by: sender.name, byDeviceId: sender.deviceId });
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
        this.queuedImages.delete(intent.queueId);
        return null;
      }
      case 'permission':
        return this.answerPermission(intent.requestId, intent.optionId, sender);
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
    }
  }

  /** Stops the agent's process group; the conversation stays readable to devices. */
  async stop(reason = 'Ended on the host.'): Promise<void> {
    this.stopReason = reason;
    for (const [requestId] of this.pending) this.cancelPermission(requestId, { name: 'host', deviceId: null });
    await this.agent.close();
  }

  /** Ends the agent and every device connection. */
  async close(reason = 'Ended on the host.'): Promise<void> {
    this.stopReason ??= reason;
    for (const [requestId] of this.pending) this.cancelPermission(requestId, { name: 'host', deviceId: null });
    await this.agent.close();
    this.core.close();
  }

  /** Cancels the running turn and its pending permission requests. */
  private async stopTurn(sender: Sender): Promise<void> {
    if (!this.turnRunning) return;
    for (const requestId of [...this.pending.keys()]) this.cancelPermission(requestId, sender);
    // The notice is added when the turn ends, after the chunks already in flight. Whoever stopped a
    // turn rarely wants the next queued prompt to start a moment later: the queue waits.
    this.stoppedBy = sender.name;
    if (this.writer.view.queue.length > 0) this.writer.setQueuePaused(true);
    await this.agent.cancel();
  }

  /** Starts the next queued prompt when the agent is free. */
  private pump(): void {
    if (this.turnRunning || this.ended || readStatus(this.writer.view) === 'starting') return;
    if (readConversationState(this.writer.view).queuePaused) return;
    const next = this.writer.shiftQueue();
    if (!next) return;
    this.turnRunning = true;
    const images = this.queuedImages.get(next.id) ?? [];
    this.queuedImages.delete(next.id);
    this.writer.addUserPrompt(next);
    this.writer.setStatus('working');
    const blocks: ContentBlock[] = [];
    if (next.text.trim() !== '') blocks.push({ type: 'text', text: next.text });
    for (const image of images) blocks.push({ type: 'image', mimeType: image.mimeType, data: image.data });
    this.agent.prompt(blocks).then(
      (stopReason) => {
        if (stopReason === 'refusal') this.writer.addNotice('info', 'The agent refused this prompt.');
        else if (stopReason === 'max_tokens' || stopReason === 'max_turn_requests') this.writer.addNotice('info', `The turn ended early (${stopReason}).`);
        this.turnDone();
      },
      (err: unknown) => {
        if (!this.ended) this.writer.addNotice('error', `The agent failed this prompt: ${(err as Error).message}`);
        this.turnDone();
      },
    );
  }

  private turnDone(): void {
    this.turnRunning = false;
    if (this.stoppedBy !== null && !this.ended) this.writer.addNotice('info', `Stopped by ${this.stoppedBy}`);
    this.stoppedBy = null;
    for (const requestId of [...this.pending.keys()]) this.cancelPermission(requestId, { name: 'host', deviceId: null });
    if (this.ended) return;
    // One transaction: devices never see "idle with an empty queue" between a turn and the next queued one.
    this.doc.transact(() => {
      this.writer.setStatus('idle');
      this.pump();
    });
  }

  private onPermission(request: RequestPermissionRequest, signal: AbortSignal): Promise<RequestPermissionResponse> {
    const options = request.options.map((o) => ({ optionId: o.optionId, name: o.name, kind: o.kind }));
    const toolCallId = request.toolCall.toolCallId ?? null;
    const title = request.toolCall.title ?? (toolCallId ? this.writer.toolTitle(toolCallId) : undefined) ?? 'Permission requested';
    const requestId = this.writer.addPermission(toolCallId, title, options);
    this.writer.setStatus('awaiting-permission');
    return new Promise((resolve) => {
      this.pending.set(requestId, { options, resolve });
      signal.addEventListener('abort', () => this.cancelPermission(requestId, { name: 'agent', deviceId: null }), { once: true });
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
    if (this.pending.size === 0 && this.turnRunning) this.writer.setStatus('working');
    pending.resolve({ outcome: { outcome: 'selected', optionId } });
    return null;
  }

  private cancelPermission(requestId: string, by: Sender): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    this.writer.resolvePermission(requestId, 'cancelled', { optionId: null, name: 'Cancelled', by: by.name, byDeviceId: by.deviceId, at: Date.now() });
    if (this.pending.size === 0 && this.turnRunning && !this.ended) this.writer.setStatus('working');
    pending.resolve({ outcome: { outcome: 'cancelled' } });
  }

  private onAgentExit(exit: AgentExit): void {
    if (this.ended) return;
    this.ended = true;
    for (const requestId of [...this.pending.keys()]) this.cancelPermission(requestId, { name: 'agent', deviceId: null });
    // An agent the host ended says so, rather than the signal that ended it.
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    this.writer.setEnded(this.stopReason ?? `The agent ${how}.`, exit.code, exit.stderrTail);
    this.emit('agent-exited', exit);
  }
}
