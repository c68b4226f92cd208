/**
 * Carries out the session list's intents (start, end, rename, remove, resume sessions) on the server;
 * a refusal is a coded error for the device, an unexpected failure is logged and reported as AGENT_FAILED.
 */
import type { Logger } from 'pino';
import { TetherError } from '../protocol/errors.js';
import type { ListIntent } from '../protocol/messages.js';
import type { Actor } from './core/session-core.js';
import type { SessionServer } from './session-server.js';

/** What the list's intents act on. */
export type ListActions = Pick<SessionServer, 'startSession' | 'endSession' | 'renameSession' | 'removeSession' | 'resumeSession'>;

/** Applies one list intent from `by`; resolves to the reply's error, or null when applied. */
export async function carryOutListIntent(server: ListActions, intent: ListIntent, by: Actor, log: Logger): Promise<TetherError | null> {
  try {
    switch (intent.type) {
      case 'start-session':
        await server.startSession({ name: intent.name ?? null, agent: intent.agent, spawn: intent.spawn, background: true });
        break;
      case 'end-session':
        await server.endSession(intent.sessionId, intent);
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
    log.error({ err: String(err) }, 'list intent failed');
    return new TetherError('AGENT_FAILED', (err as Error).message);
  }
}
