/**
 * An in-process conversation host for the benchmarks that must see inside the host: the real server
 * (`remote-control --spawn session --agent <scripted ACP agent>`, embedded signal server on port 0,
 * real WebRTC), with the session's document at hand to stamp when each streamed chunk was applied.
 */
import { pino } from 'pino';
import { parseCli, type RemoteControlCommand } from '../host/cli-args.js';
import { SessionServer } from '../host/session-server.js';
import { nodeWebRtc } from '../host/node-webrtc.js';
import { clientDir } from '../host/package-paths.js';
import type { ConversationSession } from '../host/conversation-session.js';
import { SCRIPTED_AGENT } from '../test/helpers/scripted-agent-command.js';
import { ChunkStamps } from './conversation-device.js';

/** A running in-process host with one conversation session. */
export interface ConversationHost {
  server: SessionServer;
  session: ConversationSession;
  url: string;
  close(): Promise<void>;
}

/** Starts the host; the scripted agent is started and idle when this resolves. */
export async function startConversationHost(): Promise<ConversationHost> {
  const config = parseCli(
    ['remote-control', 'bench', '--local', '--port', '0', '--spawn', 'session', '--agent', SCRIPTED_AGENT],
    { ...process.env, SHELL: '/bin/sh' },
    process.cwd(),
  ) as RemoteControlCommand;
  const server = new SessionServer(config, { log: pino({ level: 'silent' }), wrtc: nodeWebRtc, clientDir: clientDir() });
  try {
    const ready = await server.start();
    const first = ready.first;
    if (!first || first.session.kind !== 'conversation') throw new Error('the host did not start a conversation session');
    return { server, session: first.session, url: first.url, close: () => server.close() };
  } catch (err) {
    await server.close();
    throw err;
  }
}

/** When the host applied each chunk (the start of its transaction) and when it had handed it to every device. */
export interface HostChunkStamps {
  /** The transaction that wrote the chunk began. */
  applied: ChunkStamps;
  /** The document's 'update' listeners ran up to ours: the update was encoded and sent to every device. */
  sent: ChunkStamps;
  /** Stops stamping. */
  detach(): void;
}

/**
 * Stamps each chunk of the newest agent message on the host with `clock()`. Our 'update' listener is
 * added after the session's own (which sends the update to every device), so `sent` is taken after
 * the update was handed to each data channel.
 */
export function stampHostChunks(session: ConversationSession, clock: () => number): HostChunkStamps {
  const view = session.writer.view;
  const applied = new ChunkStamps(view);
  const sent = new ChunkStamps(view);
  let began = 0;
  const onBefore = (): void => {
    began = clock();
  };
  const onUpdate = (): void => {
    const now = clock();
    applied.observe(began);
    sent.observe(now);
  };
  session.doc.on('beforeTransaction', onBefore);
  session.doc.on('update', onUpdate);
  return {
    applied,
    sent,
    detach() {
      session.doc.off('beforeTransaction', onBefore);
      session.doc.off('update', onUpdate);
    },
  };
}
