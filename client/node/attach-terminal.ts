/**
 * `tether attach` to a shared terminal: raw mode in, output replayed exactly once (OutputCursor), this
 * terminal's size sent with each keystroke and on resize. Ctrl-] detaches.
 */
import type { SessionClient } from '../core/session-client.js';
import { OutputCursor, readTerminal } from '../../protocol/terminal-doc.js';
import type { TetherError } from '../../protocol/errors.js';
import { setRawModeSafely } from '../terminal/tty-mode.js';
import { exitWords } from '../../protocol/process-exit.js';
import { watchForGone } from './attach-watch.js';

const DETACH = '\x1d'; // Ctrl-]

/** How an attach ended: 0 after the program exited or on detach, 1 when the host ended it or is gone, 2 for a bad link. */
export interface AttachResult {
  exitCode: number;
  error: TetherError | null;
}

/** Attached streams. */
export interface AttachIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Runs a raw terminal attach on a live client until detach, session end or a fatal error. */
export function attachTerminal(client: SessionClient, io: AttachIo): Promise<AttachResult> {
  const cursor = new OutputCursor();
  const size = (): { cols: number; rows: number } => ({
    cols: Math.max(2, Math.min(500, io.stdout.columns || 80)),
    rows: Math.max(1, Math.min(300, io.stdout.rows || 24)),
  });
  const status = (text: string): void => {
    io.stderr.write(`\r\n\x1b[2m[tether] ${text}\x1b[0m\r\n`);
  };

  return new Promise((resolve) => {
    let done = false;
    const finish = (result: AttachResult): void => {
      if (done) return;
      done = true;
      unwatch();
      io.stdin.off('data', onInput);
      process.off('SIGWINCH', onResize);
      setRawModeSafely(io.stdin, false);
      io.stdin.pause();
      client.close();
      resolve(result);
    };
    const onInput = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      const at = text.indexOf(DETACH);
      const data = at >= 0 ? text.slice(0, at) : text;
      if (data) void client.sendIntent({ type: 'input', data, ...size() });
      if (at >= 0) {
        status('detached');
        finish({ exitCode: 0, error: null });
      }
    };
    const onResize = (): void => {
      void client.sendIntent({ type: 'resize', ...size() });
    };

    const render = (): void => {
      const { reset, text } = cursor.next(client.view);
      if (reset) io.stdout.write('\x1bc');
      if (text) io.stdout.write(text);
      const term = readTerminal(client.view);
      if (term.state === 'exited') {
        status(`program ${exitWords(term.exitCode, term.exitSignal)}`);
        finish({ exitCode: 0, error: null });
      }
    };
    client.doc.on('afterTransaction', render);
    // A replaced replica (the host lost its last changes in a crash) is rendered from the start.
    client.on('reset', () => client.doc.on('afterTransaction', render));
    client.on('state', (state, error) => {
      if (state === 'live') status('connected');
      else if (state === 'reconnecting') status(`reconnecting… ${error ? `(${error.code})` : ''}`);
    });
    const unwatch = watchForGone(client, (error) => finish({ exitCode: 1, error }));

    setRawModeSafely(io.stdin, true);
    io.stdin.on('data', onInput);
    io.stdin.resume();
    process.on('SIGWINCH', onResize);
    status('connected · Ctrl-] detaches');
    render();
  });
}
