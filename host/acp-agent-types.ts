/**
 * The shapes of host/acp-agent.ts's API: how to start an agent (with the preset's facts), what it told
 * in `initialize`, what it offers once its session is open, and the callbacks through which it reaches
 * the conversation. Types only; the SDK's own types where ACP defines them.
 */
import type {
  CreateElicitationRequest,
  CreateElicitationResponse,
  RequestPermissionRequest,
  RequestPermissionResponse,
  SessionUpdate,
} from '@agentclientprotocol/sdk';
import type { AgentMode } from '../protocol/conversation-doc.js';
import type { AgentSessionCaps, AuthMethodInfo, ConfigOptionInfo } from '../protocol/agent-offer.js';
import type { RootRefusal } from './agent-presets.js';
import type { AgentExit } from './agent-process.js';
import type { TerminalSink } from './client-terminals.js';

/** How to start the agent, and the preset's facts about it. */
export interface AgentCommand {
  file: string;
  args: string[];
  display: string;
  /** Said when the command is missing, e.g. "install it with: npm install -g …". */
  installHint?: string;
  /** How to log in (the preset's words). */
  login?: string;
  /** Login method id → environment variable that satisfies it. */
  authEnv?: Readonly<Record<string, string>>;
  rootRefusal?: RootRefusal;
}

/** The agent's name and login methods, learned by `initialize`. */
export interface AgentIdentity {
  agentName: string | null;
  authMethods: AuthMethodInfo[];
  /** The method tether logged in with (a preset variable was set), if any. */
  authenticatedWith: string | null;
  promptImages: boolean;
  sessionCaps: AgentSessionCaps;
}

/** What the agent offers once its session is open. */
export interface AgentInfo extends AgentIdentity {
  modes: AgentMode[];
  currentModeId: string | null;
  configOptions: ConfigOptionInfo[];
  agentSessionId: string;
}

/** Callbacks from the agent. */
export interface AcpAgentHandlers {
  onUpdate(update: SessionUpdate): void;
  /** Resolve with the chosen outcome; `signal` aborts when the turn is cancelled. */
  onPermission(request: RequestPermissionRequest, signal: AbortSignal): Promise<RequestPermissionResponse>;
  /** A question (elicitation); resolve with the user's answer. */
  onQuestion(request: CreateElicitationRequest, signal: AbortSignal): Promise<CreateElicitationResponse>;
  /** A URL-mode question's out-of-band step finished. */
  onQuestionComplete(elicitationId: string): void;
  onExit(exit: AgentExit): void;
  /** Where commands the agent runs report their output. */
  terminals: TerminalSink;
}
