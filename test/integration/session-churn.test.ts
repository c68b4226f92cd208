/**
 * A long-running server stays bounded: sessions started and ended all day do not pile up — ended
 * sessions beyond MAX_ENDED_SESSIONS are removed oldest first (the host's memory for 1,000 cycles is
 * measured in `npm run bench`).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../../host/cli-args.js';
import { MAX_ENDED_SESSIONS, SessionServer } from '../../host/session-server.js';
import { nodeWebRtc } from '../../host/node-webrtc.js';
import { sessionListDocView } from '../../protocol/session-list-doc.js';
import { waitFor } from '../helpers/wait-for.js';

let server: SessionServer | null = null;
after(async () => server?.close());

test('ended sessions are pruned oldest first, so start/end cycles do not grow the server', async () => {
  const config = parseCli(['remote-control', 'churn', '--local', '--port', '0', '--no-create-session-in-dir', '--', '/bin/sh'], { ...process.env, SHELL: '/bin/sh' }, process.cwd()) as RemoteControlCommand;
  server = new SessionServer(config, { log: pino({ level: 'silent' }, new Writable({ write: (_c, _e, d) => d() })), wrtc: nodeWebRtc, clientDir: null });
  await server.start();
  const ids: string[] = [];
  const cycles = MAX_ENDED_SESSIONS + 30;
  for (let i = 0; i < cycles; i++) {
    const s = await server.startSession({ name: `c${i}` });
    ids.push(s.id);
    await server.endSession(s.id);
  }
  await waitFor(() => server!.sessions.size <= MAX_ENDED_SESSIONS, 20_000, 'ended sessions pruned');
  const rows = sessionListDocView(server.list.doc).sessions;
  assert.equal(rows.size, server.sessions.size, 'the list follows');
  // The newest are kept readable; the oldest went first.
  assert.ok(server.sessions.has(ids.at(-1)!));
  assert.ok(!server.sessions.has(ids[0]!));
});
