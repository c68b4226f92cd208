/**
 * A terminal session: one program in a PTY + its Yjs document + its devices. Applies the `input`
 * and `resize` intents with the size policy "the device that last typed or resized sets the size;
 * the others fit it", and reports the program's exit to every device before ending.
 */
import { EventEmitter } from 'node:events';
import * as Y from 'yjs';
import type { Logger } from 'pino';
import { TerminalIntentSchema, TYPING_IDLE_MS, type TerminalIntent } from '../protocol/messages.js';
import { plainKeystroke } from '../protocol/keystroke-intent.js';
import { TetherError } from '../protocol/errors.js';
import { roleAllows, type Role } from '../protocol/roles.js';
import { spawnPty, type PtyExit, type PtyProcess } from './pty-process.js';
import { TerminalDocWriter } from './terminal-doc-writer.js';
import { readTerminal } from '../protocol/terminal-doc.js';
import { traceHop } from './echo-trace.js';
import { describeIssue, LOCAL_ACTOR, SessionCore, type Actor, type SessionBehaviour } from './core/session-core.js';

/** Everything a terminal session needs. */
export interface TerminalSessionConfig {
  name: string;
  /** The program: file + args, and how to show it to users. */
  command: { file: string; args: string[]; display: string };
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  scrollbackChars?: number;
  /** Least role that may type and resize (a shell reaches beyond any conversation: owner unless the policy says control). */
  inputRole?: Role;
  log: Logger;
  /** A stored session's document (restored after a restart): its scrollback is kept above. */
  doc?: Y.Doc;
  /** Carries out a device's Resume of an interrupted session (the server's; none: it cannot resume). */
  onResume?: () => Promise<TetherError | null>;
  /** A stored interactive session shown from a server's list: ended, read-only. */
  readOnly?: boolean;
}

interface TerminalSessionEvents {
  'device-joined': [Actor];
  'device-left': [Actor];
  /** The program's process exists (its pid is its process group). */
  spawned: [number];
  /** The program ended and every device was given the chance to see it. */
  exited: [PtyExit];
  /** Raw program output, as it arrives (for the host's own terminal in interactive mode). */
  output: [string];
}

/** A shared terminal. */
export class TerminalSession extends EventEmitter<TerminalSessionEvents> implements SessionBehaviour<TerminalIntent> {
  readonly kind = 'terminal' as const;
  readonly doc: Y.Doc;
  readonly writer: TerminalDocWriter;
  readonly core: SessionCore<TerminalIntent>;
  private pty: PtyProcess | null = null;
  private exit: PtyExit | null = null;
  /** Why the host ended the program, when it did (shown instead of the signal). */
  private stopReason: string | null = null;
  private size: { cols: number; rows: number };
  /** A restored session whose program ran when its host stopped: nothing runs until it is resumed. */
  private interruptedNow = false;
  /** When anyone last typed (performance.now()), so a page that just opened does not resize under a typist. */
  private lastInputAt = -Infinity;

  constructor(private readonly config: TerminalSessionConfig) {
    super();
    this.doc = config.doc ?? new Y.Doc();
    this.size = { cols: config.cols, rows: config.rows };
    this.writer = new TerminalDocWriter(
      this.doc,
      { name: config.name, command: config.command.display, cols: config.cols, rows: config.rows },
      config.scrollbackChars,
      config.doc !== undefined,
    );
    if (config.doc) {
      const stored = readTerminal(this.writer.view);
      this.size = { cols: stored.cols, rows: stored.rows };
      if (config.readOnly && stored.state !== 'exited') this.writer.setExited(stored.exitCode ?? 0, stored.exitSignal);
      if (stored.state === 'exited' || config.readOnly) this.exit = { exitCode: stored.exitCode ?? 0, signal: stored.exitSignal };
      else {
        this.interruptedNow = true;
        this.writer.setInterrupted();
      }
    }
    this.core = new SessionCore(this.doc, this, config.log);
    this.core.on('joined', (actor) => this.emit('device-joined', actor));
    this.core.on('left', (actor) => this.emit('device-left', actor));
  }

  /** Starts the program (again, below the old scrollback, for an interrupted session); throws TetherError SPAWN_FAILED. */
  start(): void {
    const { command, cwd, env } = this.config;
    const pty = spawnPty({ file: command.file, args: command.args, cwd, env, ...this.size });
    this.pty = pty;
    if (this.interruptedNow) {
      this.interruptedNow = false;
      this.writer.setResumed();
    }
    pty.onData((text) => {
      traceHop('pty-data');
      this.writer.appendOutput(text);
      this.emit('output', text);
    });
    pty.onExit((exit) => void this.onExit(exit));
    this.config.log.info({ pid: pty.pid, command: command.display }, 'program started');
    this.emit('spawned', pty.pid);
  }

  /** The program's exit, once it ended. */
  get exited(): PtyExit | null {
    return this.exit;
  }

  /** True while a restored session waits to be resumed. */
  get interrupted(): boolean {
    return this.interruptedNow;
  }

  /** The program's process group while it runs (to end it should this host be killed). */
  get processGroup(): number | null {
    return this.pty && !this.exit ? this.pty.pid : null;
  }

  /** Keystrokes from the host's own terminal (interactive mode): it takes the size like any device. */
  localInput(data: string, cols: number, rows: number): void {
    if (this.exit || !this.pty) return;
    this.lastInputAt = performance.now();
    this.takeSize(LOCAL_ACTOR.peerId, cols, rows);
    this.writer.expectEcho();
    const refused = this.pty.write(data);
    if (refused) this.config.log.warn({ code: refused.code }, refused.message);
  }

  /** The host's own terminal was resized. */
  localResize(cols: number, rows: number): void {
    if (!this.exit) this.takeSize(LOCAL_ACTOR.peerId, cols, rows);
  }

  /** Ends the program's process group; the scrollback stays readable to devices. */
  async stop(reason = 'Ended on the host.'): Promise<void> {
    this.stopReason = reason;
    if (this.pty && !this.exit) await this.pty.kill(1000);
  }

  /** Ends the program (if running) and every device connection. */
  async close(reason = 'Ended on the host.'): Promise<void> {
    this.stopReason ??= reason;
    if (this.pty && !this.exit) await this.pty.kill(1000);
    this.writer.close();
    this.core.close();
  }

  private async onExit(exit: PtyExit): Promise<void> {
    this.exit = exit;
    this.config.log.info(exit, 'program exited');
    // A program the host ended says so, rather than the signal that ended it.
    this.writer.setExited(exit.exitCode, exit.signal, this.stopReason);
    // Give devices up to a second to receive the last output and the exit status.
    await this.core.drain(1000);
    this.emit('exited', exit);
  }

  parseIntent(raw: Record<string, unknown>): TerminalIntent | TetherError {
    const keystroke = plainKeystroke(raw);
    if (keystroke) return keystroke;
    const parsed = TerminalIntentSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    if (typeof raw.type === 'string' && !['input', 'resize', 'resume'].includes(raw.type)) return new TetherError('WRONG_SESSION_KIND', 'this is a terminal; that action belongs to another kind of session');
    return new TetherError('INTENT_INVALID', describeIssue(parsed.error.issues));
  }

  roleFor(): Role {
    return this.config.inputRole ?? 'owner';
  }

  /** A device that may not type only watches: it never sets the size either. */
  roleIn(role: Role): Role {
    return roleAllows(role, this.roleFor()) ? role : 'view';
  }

  apply(intent: TerminalIntent, actor: Actor): Promise<TetherError | null> | TetherError | null {
    if (intent.type === 'resume') {
      if (!this.interruptedNow) return this.exit ? new TetherError('SESSION_ENDED') : null;
      return this.config.onResume ? this.config.onResume() : new TetherError('SESSION_INTERRUPTED', 'this session cannot be resumed here');
    }
    if (this.interruptedNow) return new TetherError('SESSION_INTERRUPTED');
    if (this.exit || !this.pty) return new TetherError('SESSION_ENDED');
    if (intent.type === 'resize') {
      if (intent.ifIdle && performance.now() - this.lastInputAt < TYPING_IDLE_MS) return null; // someone is typing: keep their size
      this.takeSize(actor.peerId, intent.cols, intent.rows);
      return null;
    }
    // A refused paste (INPUT_BACKLOG) changes nothing, not even the size; an accepted one takes the
    // size first, so the program reads the input at the typer's size.
    const refused = this.pty.refusal(intent.data);
    if (refused) return refused;
    this.lastInputAt = performance.now();
    if (intent.cols !== undefined && intent.rows !== undefined) this.resizePty(intent.cols, intent.rows);
    this.writer.expectEcho();
    traceHop('pty-write');
    const notWritten = this.pty.write(intent.data);
    // The document learns who set the size once the keystroke is on its way (the program already has it).
    if (!notWritten) this.writer.setSize(this.size.cols, this.size.rows, actor.peerId);
    return notWritten;
  }

  /** The device that typed or resized last sets the PTY size. */
  private takeSize(peerId: string, cols: number, rows: number): void {
    this.resizePty(cols, rows);
    this.writer.setSize(cols, rows, peerId);
  }

  private resizePty(cols: number, rows: number): void {
    if (cols === this.size.cols && rows === this.size.rows) return;
    this.size = { cols, rows };
    this.pty?.resize(cols, rows);
  }
}
