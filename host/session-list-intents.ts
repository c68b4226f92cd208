/**
 * What devices ask of the session list — start, end, rename, remove and resume sessions, list an agent's
 * earlier sessions, manage devices — carried out by the server: each intent is answered with null, or
 * with the TetherError the device is shown (INTERNAL_ERROR for anything without a code).
 */
import type { Logger } from 'pino';
import { TetherError } from '../protocol/errors.js';
import type { ListIntentHandler } from './session-list.js';
import type { SessionServer } from './session-server.js';

/** What the list's intents act on. */
export interface ListIntentDeps {
  /** The server's own operations (and its devices). */
  server: Pick<SessionServer, 'startSession' | 'endSession' | 'renameSession' | 'removeSession' | 'resumeSession' | 'trust'>;
  /** Lists an agent's earlier sessions in the list; throws AGENT_UNKNOWN. */
  listAgentSessions(agent: string): void;
  log: Logger;
}

/** The session list's intent handler for a server. */
export function listIntentHandler({ server, listAgentSessions, log }: ListIntentDeps): ListIntentHandler {
  return async (intent, by) => {
    try {
      switch (intent.type) {
        case 'start-session':
          await server.startSession({ name: intent.name ?? null, agent: intent.agent, spawn: intent.spawn, background: true, by, ...(intent.resume ? { resume: intent.resume } : {}) });
          break;
        case 'list-agent-sessions':
          listAgentSessions(intent.agent);
          break;
        case 'set-device-role':
          return server.trust.setRole(intent.deviceId, intent.role, by);
        case 'revoke-device':
          return server.trust.revoke(intent.deviceId, by);
        case 'answer-device':
          return server.trust.answer(intent.deviceId, intent.answer, by);
        case 'end-session':
          await server.endSession(intent.sessionId, { ...intent, by: by.name });
          break;
        case 'rename-session':
          server.renameSession(intent.sessionId, intent.name);
          break;
        case 'remove-session':
          await server.removeSession(intent.sessionId);
          break;
        case 'resume-session':
          await server.resumeSession(intent.sessionId);
          break;
      }
      log.info({ intent: intent.type, by: by.name }, 'list intent applied');
      return null;
    } catch (err) {
      if (err instanceof TetherError) return err;
      // Anything without a code is a bug in tether, not the agent's fault.
      log.error({ err }, 'list intent failed unexpectedly');
      return new TetherError('INTERNAL_ERROR');
    }
  };
}
