/**
 * `tether attach <url>`: joins a session from this terminal and picks the view by what the link opens —
 * a shared terminal (raw), a conversation (chat), or a server's session list (printed, with links).
 */
import { hostname } from 'node:os';
import { watchNetwork } from './network-watch.js';
import { SessionClient } from '../core/session-client.js';
import { TetherError } from '../../protocol/errors.js';
import { sessionKind } from '../../protocol/session-kind.js';
import { sessionListDocView, readListedSessions, readListMeta } from '../../protocol/session-list-doc.js';
import { formatSessionUrl, parseSessionUrl } from '../../protocol/session-url.js';
import { attachTerminal, type AttachIo, type AttachResult } from './attach-terminal.js';
import { attachChat } from './attach-chat.js';
import { safeLine } from '../terminal/safe-text.js';
import { FileCredentialStore } from './file-credential-store.js';
import type { WebRtcImplementation } from '../../protocol/data-channel-peer.js';

/** How long to wait for the first sync before giving up. */
const FIRST_SYNC_TIMEOUT_MS = 30_000;

export type { AttachResult } from './attach-terminal.js';

/**
 * Joins `url` and runs the fitting view until it ends. `credentialsPath` keeps this terminal's device key
 * and what it paired with (the user's config folder), so a link without a token works once paired.
 */
export async function runAttach(url: string, wrtc: WebRtcImplementation, io: AttachIo, credentialsPath: string | null = null): Promise<AttachResult> {
  try {
    parseSessionUrl(url);
  } catch (err) {
    // A malformed link is the user's input: refuse it before contacting anyone.
    return { exitCode: 2, error: err instanceof TetherError ? err : new TetherError('BAD_FLAG', String(err)) };
  }
  const deviceName = `terminal on ${hostname()}`.slice(0, 64);
  const credentials = credentialsPath ? new FileCredentialStore(credentialsPath) : undefined;
  const client = new SessionClient({ url, wrtc, deviceName, deviceKind: 'terminal', ...(credentials ? { credentials } : {}) });
  const stopWatching = watchNetwork(() => client.nudge());
  io.stderr.write('\x1b[2m[tether] connecting…\x1b[0m\n');
  const first = await new Promise<TetherError | null>((resolve) => {
    const timer = setTimeout(() => resolve(new TetherError('CONNECT_TIMEOUT', `no connection within ${FIRST_SYNC_TIMEOUT_MS / 1000} s`)), FIRST_SYNC_TIMEOUT_MS);
    client.once('synced', () => {
      clearTimeout(timer);
      resolve(null);
    });
    client.on('state', (state, error) => {
      // An expired link will not start working by waiting: say so now (the page keeps trying instead).
      if (state === 'failed' || error?.code === 'LINK_EXPIRED') {
        clearTimeout(timer);
        resolve(error ?? new TetherError('PEER_CLOSED'));
      }
    });
    client.start();
  });
  if (first) {
    stopWatching();
    client.close();
    return { exitCode: 1, error: first };
  }
  const kind = sessionKind(client.doc);
  try {
    if (kind === 'conversation') return await attachChat(client, io, deviceName);
    if (kind === 'session-list') {
      const { origin, token } = parseSessionUrl(url);
      const list = sessionListDocView(client.doc);
      const rows = readListedSessions(list);
      io.stdout.write(`${safeLine(readListMeta(list).name)}: ${rows.length} session${rows.length === 1 ? '' : 's'}\n`);
      for (const r of rows) {
        const fields = [r.name, r.agent, r.state, ...(r.branch ? [r.branch] : [])].map((f) => safeLine(String(f)));
        io.stdout.write(`  ${fields.join(' · ')}\n    tether attach '${safeLine(formatSessionUrl(origin, r.id, token, r.kind))}'\n`);
      }
      return { exitCode: 0, error: null };
    }
    return await attachTerminal(client, io);
  } finally {
    stopWatching();
    client.close();
  }
}
