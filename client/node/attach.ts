/**
 * `tether attach <url>`: joins a shared terminal from this terminal. Raw mode in, output replayed
 * exactly once (OutputCursor), this terminal's size sent with each keystroke and on resize.
 * Ctrl-] detaches.
 */
import { hostname } from 'node:os';
import { SessionClient } from '../core/session-client.js';
import { OutputCursor, readTerminal } from '../../protocol/terminal-doc.js';
import { newId } from '../../protocol/ids.js';
import type { TetherError } from '../../protocol/errors.js';
import { setRawModeSafely } from './tty-mode.js';

const DETACH = '\x1d'; // Ctrl-]

/** How an attach ended: 0 after the program exited or on detach, 1 on a fatal error. */
export interface AttachResult {
  exitCode: number;
  error: TetherError | null;
}

/** Runs an interactive attach on the given streams until detach, session end or a fatal error. */
export function runAttach(
  url: string,
  wrtc: object,
  io: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream },
): Promise<AttachResult> {
  const client = new SessionClient({
    url,
    wrtc,
    deviceId: newId(),
    deviceName: `terminal on ${hostname()}`.slice(0, 64),
    deviceKind: 'terminal',
  });
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

    client.doc.on('update', () => {
      const { reset, text } = cursor.next(client.view);
      if (reset) io.stdout.write('\x1bc');
      if (text) io.stdout.write(text);
      const term = readTerminal(client.view);
      if (term.state === 'exited') {
        status(`program exited with code ${term.exitCode ?? '?'}`);
        finish({ exitCode: 0, error: null });
      }
    });
    client.on('state', (state, error) => {
      if (state === 'live') status('connected · Ctrl-] detaches');
      else if (state === 'reconnecting') status(`reconnecting… ${error ? `(${error.code})` : ''}`);
      else if (state === 'failed') finish({ exitCode: 1, error });
    });

    setRawModeSafely(io.stdin, true);
    io.stdin.on('data', onInput);
    io.stdin.resume();
    process.on('SIGWINCH', onResize);
    client.start();
  });
}
