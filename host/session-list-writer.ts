/** The only writer of a server's session list document (protocol/session-list-doc.ts). */
import * as Y from 'yjs';
import { sessionListDocView, type AgentSessionList, type ListedSession, type SessionListDocView, type SpawnMode, type StartableAgent } from '../protocol/session-list-doc.js';

/** Writes the session list. */
export class SessionListWriter {
  readonly view: SessionListDocView;

  constructor(
    readonly doc: Y.Doc,
    meta: { name: string; hostname: string; folder: string; capacity: number; spawnMode: SpawnMode; agents: StartableAgent[]; defaultAgent: string },
  ) {
    this.view = sessionListDocView(doc);
    doc.transact(() => {
      this.view.meta.set('kind', 'session-list');
      for (const [k, v] of Object.entries(meta)) this.view.meta.set(k, v);
    });
  }

  setSpawnMode(mode: SpawnMode): void {
    this.view.meta.set('spawnMode', mode);
  }

  /** Whether the server's folder is in a git repository (devices offer "Own worktree" only then). */
  setGitRepo(gitRepo: boolean): void {
    if (this.view.meta.get('gitRepo') !== gitRepo) this.view.meta.set('gitRepo', gitRepo);
  }

  /** The startable agents, when they changed (an agent was installed or removed). */
  setAgents(agents: StartableAgent[]): void {
    if (JSON.stringify(this.view.meta.get('agents')) !== JSON.stringify(agents)) this.view.meta.set('agents', agents);
  }

  /** What the host learned about an agent's earlier sessions. */
  setAgentSessions(agent: string, list: AgentSessionList): void {
    this.view.agentSessions.set(agent, list);
  }

  /** Adds a session row. */
  add(session: ListedSession): void {
    const row = new Y.Map<unknown>();
    this.doc.transact(() => {
      for (const [k, v] of Object.entries(session)) row.set(k, v);
      this.view.sessions.set(session.id, row);
    });
  }

  /** Updates fields of a session row that changed. */
  update(id: string, fields: Partial<ListedSession>): void {
    const row = this.view.sessions.get(id);
    if (!row) return;
    this.doc.transact(() => {
      for (const [k, v] of Object.entries(fields)) {
        const old = row.get(k);
        if (JSON.stringify(old) !== JSON.stringify(v)) row.set(k, v);
      }
    });
  }

  remove(id: string): void {
    this.view.sessions.delete(id);
  }

}
