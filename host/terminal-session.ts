/**
 * A terminal session: one program in a PTY + its Yjs document + its devices. Applies the `input`
 * and `resize` intents with the size policy "the device that last typed or resized sets the size;
 * the others fit it", and reports the program's exit to every device before ending.
 */
import { EventEmitter } from 'node:events';
import * as Y from 'yjs';
import type { Logger } from 'pino';
import { TerminalIntentSchema, type ClientHello } from '../protocol/messages.js';
import { TetherError } from '../protocol/errors.js';
import { spawnPty, type PtyExit, type PtyProcess } from './pty-process.js';
import { TerminalDocWriter } from './terminal-doc-writer.js';
import { SessionPeers } from './session-peers.js';
import type { SignalSession } from './signal-link.js';

/** The size owner recorded for the host's own terminal. */
const LOCAL_PEER = 'local';

/** Everything a terminal session needs. */
export interface TerminalSessionConfig {
  sessionId: string;
  key: string;
  name: string;
  /** The program: file + args, and how to show it to users. */
  command: { file: string; args: string[]; display: string };
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  scrollbackChars?: number;
  wrtc: object | undefined;
  iceServers: RTCIceServer[];
  log: Logger;
}

interface TerminalSessionEvents {
  'device-joined': [peerId: string, hello: ClientHello];
  'device-left': [peerId: string];
  /** The program ended and every device was given the chance to see it. */
  exited: [PtyExit];
  /** Raw program output, as it arrives (for the host's own terminal in interactive mode). */
  output: [string];
}

/** A shared terminal. */
export class TerminalSession extends EventEmitter<TerminalSessionEvents> implements SignalSession {
  readonly kind = 'terminal' as const;
  readonly sessionId: string;
  readonly key: string;
  readonly doc = new Y.Doc();
  readonly writer: TerminalDocWriter;
  readonly peers: SessionPeers;
  private pty: PtyProcess | null = null;
  private exit: PtyExit | null = null;
  private size: { cols: number; rows: number };

  constructor(private readonly config: TerminalSessionConfig) {
    super();
    this.sessionId = config.sessionId;
    this.key = config.key;
    this.size = { cols: config.cols, rows: config.rows };
    this.writer = new TerminalDocWriter(
      this.doc,
      { name: config.name, command: config.command.display, cols: config.cols, rows: config.rows },
      config.scrollbackChars,
    );
    // config carries sessionId, wrtc, iceServers and log, as SessionPeers wants them.
    this.peers = new SessionPeers({ ...config, doc: this.doc, applyIntent: (peerId, raw) => this.applyIntent(peerId, raw), roster: this.writer });
    this.peers.on('joined', (peerId, hello) => this.emit('device-joined', peerId, hello));
    this.peers.on('left', (peerId) => this.emit('device-left', peerId));
  }

  /** Starts the program; throws TetherError SPAWN_FAILED. */
  start(): void {
    const { command, cwd, env } = this.config;
    const pty = spawnPty({ file: command.file, args: command.args, cwd, env, ...this.size });
    this.pty = pty;
    pty.onData((text) => {
      this.writer.appendOutput(text);
      this.emit('output', text);
    });
    pty.onExit((exit) => void this.onExit(exit));
    this.config.log.info({ pid: pty.pid, command: command.display }, 'program started');
  }

  /** The program's exit, once it ended. */
  get exited(): PtyExit | null {
    return this.exit;
  }

  /** Keystrokes from the host's own terminal (interactive mode): it takes the size like any device. */
  localInput(data: string, cols: number, rows: number): void {
    if (this.exit || !this.pty) return;
    this.takeSize(LOCAL_PEER, cols, rows);
    this.writer.expectEcho();
    const refused = this.pty.write(data);
    if (refused) this.config.log.warn({ code: refused.code }, refused.message);
  }

  /** The host's own terminal was resized. */
  localResize(cols: number, rows: number): void {
    if (!this.exit) this.takeSize(LOCAL_PEER, cols, rows);
  }

  onOffer(peerId: string, sdp: string, sendAnswer: (sdp: string) => void): void {
    this.peers.acceptOffer(peerId, sdp, sendAnswer);
  }

  onPeerLeft(peerId: string): void {
    this.peers.signalingLeft(peerId);
  }

  /** Ends the program's process group; the scrollback stays readable to devices. */
  async stop(): Promise<void> {
    if (this.pty && !this.exit) await this.pty.kill(1000);
  }

  /** Ends the program (if running) and every device connection. */
  async close(): Promise<void> {
    if (this.pty && !this.exit) await this.pty.kill(1000);
    this.writer.close();
    this.peers.close();
  }

  private async onExit(exit: PtyExit): Promise<void> {
    this.exit = exit;
    this.config.log.info(exit, 'program exited');
    this.writer.setExited(exit.exitCode, exit.signal);
    // Give devices up to a second to receive the last output and the exit status.
    await this.peers.drain(1000);
    this.emit('exited', exit);
  }

  private applyIntent(peerId: string, raw: Record<string, unknown>): TetherError | null {
    const parsed = TerminalIntentSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return new TetherError('INTENT_INVALID', issue ? `${issue.path.join('.') || 'intent'}: ${issue.message}` : undefined);
    }
    if (this.exit || !this.pty) return new TetherError('SESSION_ENDED');
    const intent = parsed.data;
    if (intent.type === 'resize') {
      this.takeSize(peerId, intent.cols, intent.rows);
      return null;
    }
    // Input first: a refused paste (INPUT_BACKLOG) changes nothing, not even the size.
    const refused = this.pty.write(intent.data);
    if (refused) return refused;
    if (intent.cols !== undefined && intent.rows !== undefined) this.takeSize(peerId, intent.cols, intent.rows);
    else this.writer.setSize(this.size.cols, this.size.rows, peerId);
    this.writer.expectEcho();
    return null;
  }

  /** The device that typed or resized last sets the PTY size. */
  private takeSize(peerId: string, cols: number, rows: number): void {
    if (cols !== this.size.cols || rows !== this.size.rows) {
      this.size = { cols, rows };
      this.pty?.resize(cols, rows);
    }
    this.writer.setSize(cols, rows, peerId);
  }
}
