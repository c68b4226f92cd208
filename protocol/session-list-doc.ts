/**
 * The schema of a server's session list, and its typed readers: a host-owned Yjs document synced peer to peer like a session,
 * so the list is live on every device and survives reconnects. A device that opened it can open any
 * listed session by id on the same connection: no other QR code or key is needed.
 */
import type * as Y from 'yjs';
import * as z from './zod.js';
import { UsageInfoSchema, type UsageInfo } from './agent-offer.js';
import { lazySchema } from './lazy-schema.js';

/** How new sessions get a folder. */
export type SpawnMode = 'same-dir' | 'worktree' | 'session';

/** A session's state as the list shows it. */
export type ListedState = 'starting' | 'running' | 'idle' | 'working' | 'awaiting-permission' | 'awaiting-answer' | 'ended' | 'interrupted';

/** One row of the list (stored as a Y.Map with these fields). */
export interface ListedSession {
  id: string;
  name: string;
  /** Preset label ('claude', 'shell', …). */
  agent: string;
  kind: 'terminal' | 'conversation';
  folder: string;
  /** Branch of the session's own worktree, or null when it works in the server's folder. */
  branch: string | null;
  state: ListedState;
  /** Why it ended, when it did. */
  endedReason: string | null;
  startedAt: number;
  lastActivity: number;
  /** Context use and cost of a conversation, once its agent reported them. */
  usage: UsageInfo | null;
}

/** An agent a device may start sessions with. */
export interface StartableAgent {
  label: string;
  command: string;
  /** False when the command is not on the host's PATH (starting it would fail). */
  installed: boolean;
  /** How to install it, when a preset says. */
  install: string | null;
}

/** One earlier session of an agent, as its `session/list` reported it. */
export const AgentSessionSchema = lazySchema(() => z.object({
  sessionId: z.string().check(z.maxLength(200)),
  title: z.nullable(z.string().check(z.maxLength(500))),
  updatedAt: z.nullable(z.string().check(z.maxLength(64))),
}));
export type AgentSession = z.infer<typeof AgentSessionSchema>;

/** What the host learned when a device asked for an agent's earlier sessions in the server's folder. */
export const AgentSessionListSchema = lazySchema(() => z.object({
  /** 'listing' while the host asks the agent. */
  state: z.enum(['listing', 'listed', 'failed']),
  folder: z.string(),
  sessions: z.array(AgentSessionSchema).check(z.maxLength(200)),
  /** Why listing failed (the agent cannot list, needs a login…). */
  error: z.nullable(z.string()),
  at: z.number(),
}));
export type AgentSessionList = z.infer<typeof AgentSessionListSchema>;

/** Typed views of a session list document. */
export interface SessionListDocView {
  /** kind='session-list', name, hostname, folder, capacity, spawnMode, agents (StartableAgent[]), defaultAgent */
  meta: Y.Map<unknown>;
  /** sessionId → Y.Map of ListedSession fields */
  sessions: Y.Map<Y.Map<unknown>>;
  /** agent label → AgentSessionList (asked for with list-agent-sessions) */
  agentSessions: Y.Map<unknown>;
}

/** Binds the typed views to a document. */
export function sessionListDocView(doc: Y.Doc): SessionListDocView {
  return { meta: doc.getMap('meta'), sessions: doc.getMap<Y.Map<unknown>>('sessions'), agentSessions: doc.getMap('agentSessions') };
}

/** The earlier sessions of `agent` the host listed, or null when no device asked yet (or the entry is malformed). */
export function readAgentSessions(view: SessionListDocView, agent: string): AgentSessionList | null {
  const parsed = AgentSessionListSchema.safeParse(view.agentSessions.get(agent));
  return parsed.success ? parsed.data : null;
}

const STATES: readonly ListedState[] = ['starting', 'running', 'idle', 'working', 'awaiting-permission', 'awaiting-answer', 'ended', 'interrupted'];
const SPAWN_MODES: readonly SpawnMode[] = ['same-dir', 'worktree', 'session'];
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Reads one listed session, with safe defaults for anything missing or malformed. */
export function readListedSession(id: string, entry: Y.Map<unknown> | unknown): ListedSession {
  const get = (k: string): unknown => (entry && typeof (entry as Y.Map<unknown>).get === 'function' ? (entry as Y.Map<unknown>).get(k) : undefined);
  const state = get('state');
  const branch = get('branch');
  const endedReason = get('endedReason');
  return {
    id,
    name: str(get('name'), 'session'),
    agent: str(get('agent')),
    kind: get('kind') === 'terminal' ? 'terminal' : 'conversation',
    folder: str(get('folder')),
    branch: typeof branch === 'string' && branch !== '' ? branch : null,
    state: STATES.includes(state as ListedState) ? (state as ListedState) : 'starting',
    endedReason: typeof endedReason === 'string' ? endedReason : null,
    startedAt: num(get('startedAt')),
    lastActivity: num(get('lastActivity')),
    usage: (() => {
      const parsed = UsageInfoSchema.safeParse(get('usage'));
      return parsed.success ? parsed.data : null;
    })(),
  };
}

/** Every listed session, in no particular order. */
export function readListedSessions(view: SessionListDocView): ListedSession[] {
  return [...view.sessions.entries()].map(([id, row]) => readListedSession(id, row));
}

/** The server's facts as the list shows them. */
export interface ListMeta {
  name: string;
  hostname: string;
  folder: string;
  capacity: number;
  spawnMode: SpawnMode;
  agents: StartableAgent[];
  defaultAgent: string;
  /** Whether the folder is in a git repository (a session can get its own worktree); true when unknown. */
  gitRepo: boolean;
}

/** Reads the list's meta map. */
export function readListMeta(view: SessionListDocView): ListMeta {
  const m = view.meta;
  const spawn = m.get('spawnMode');
  const agents = m.get('agents');
  return {
    name: str(m.get('name')),
    hostname: str(m.get('hostname')),
    folder: str(m.get('folder')),
    capacity: num(m.get('capacity')),
    spawnMode: SPAWN_MODES.includes(spawn as SpawnMode) ? (spawn as SpawnMode) : 'same-dir',
    agents: Array.isArray(agents)
      ? agents.flatMap((a: unknown): StartableAgent[] => {
          const parsed = StartableAgentSchema.safeParse(a);
          return parsed.success ? [{ installed: true, install: null, ...parsed.data }] : [];
        })
      : [],
    defaultAgent: str(m.get('defaultAgent')),
    gitRepo: m.get('gitRepo') !== false,
  };
}

const StartableAgentSchema = lazySchema(() => z.object({
  label: z.string(),
  command: z.string(),
  installed: z.optional(z.boolean()),
  install: z.optional(z.nullable(z.string())),
}));

/** Sessions that count against the capacity (neither ended nor interrupted: their program is not running). */
export function runningCount(view: SessionListDocView): number {
  let n = 0;
  for (const s of view.sessions.values()) if (s.get('state') !== 'ended' && s.get('state') !== 'interrupted') n++;
  return n;
}
