/**
 * Interactive mode for terminal programs: the program's raw terminal in the host's own terminal, which
 * is one more device (typing sets the size, like any device). A key chord controls sharing:
 * Ctrl-] s shares (or shows the panel), Ctrl-] n makes a fresh link, Ctrl-] v a view-only one,
 * Ctrl-] a / o / d allow / allow view-only / deny a device waiting to join, Ctrl-] x stops sharing,
 * Ctrl-] q quits, Ctrl-] Ctrl-] sends Ctrl-].
 */
import type { TerminalSession } from './terminal-session.js';
import type { Sharing } from './sharing.js';
import { sharePanel } from './share-panel.js';
import { setRawModeSafely } from '../client/terminal/tty-mode.js';
import { safeLine } from '../client/terminal/safe-text.js';
import { readTerminal } from '../protocol/terminal-doc.js';
import type { TetherError } from '../protocol/errors.js';
import { exitWords, shellStatus } from '../protocol/process-exit.js';
import { LOCAL_ACTOR } from './core/session-core.js';
import type { DeviceTrust, DeviceAnswer, DeviceSummary } from './trust/device-trust.js';
import { ttlText, waitingLine } from './device-lines.js';
import { renderQr } from './status-screen.js';

/** The chord prefix. */
export const CHORD = '\x1d'; // Ctrl-]

/** Runs the raw terminal until the program exits or Ctrl-] q; resolves with the exit status. */
export function runPtyConsole(
  session: TerminalSession,
  sharing: Sharing,
  io: { input: NodeJS.ReadStream; output: NodeJS.WriteStream },
  options: { shareAtStart: boolean; trust: DeviceTrust },
): Promise<number> {
  const trust = options.trust;
  const size = (): { cols: number; rows: number } => ({
    cols: Math.max(2, Math.min(500, io.output.columns || 80)),
    rows: Math.max(1, Math.min(300, io.output.rows || 24)),
  });
  // Notices are ours, but carry error messages and the command line: one safe line each.
  const note = (lines: string[]): void => {
    io.output.write(`\r\n${lines.map((l) => `\x1b[2m[tether]\x1b[0m ${safeLine(l)}`).join('\r\n')}\r\n`);
  };
  const onOutput = (text: string): void => {
    io.output.write(text);
  };
  session.on('output', onOutput);
  const onWaiting = (d: DeviceSummary): void => note([waitingLine(d, 'Ctrl-] a allow · Ctrl-] o allow view-only · Ctrl-] d deny')]);
  trust.on('waiting', onWaiting);

  return new Promise((resolve) => {
    let chord = false;
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      session.off('output', onOutput);
      trust.off('waiting', onWaiting);
      io.input.off('data', onInput);
      process.off('SIGWINCH', onResize);
      setRawModeSafely(io.input, false);
      io.input.pause();
      resolve(code);
    };
    const share = async (): Promise<void> => {
      if (!sharing.info) {
        try {
          await sharing.start();
        } catch (err) {
          note([`${(err as TetherError).message} (${(err as TetherError).code})`]);
          return;
        }
      }
      const lines = sharePanel(sharing.info, session.core.devices, 'Ctrl-] x stops sharing · Ctrl-] s shows this again');
      io.output.write(`\r\n${lines.join('\r\n')}\r\n`);
    };
    const newLink = (role: 'owner' | 'view'): void => {
      const info = sharing.newLink(role);
      if (!info) return note(['not shared yet: Ctrl-] s shares this terminal']);
      const url = role === 'owner' ? info.url : info.viewUrl!;
      const qr = renderQr(url);
      io.output.write(`\r\n${qr.split('\n').map((l) => `  ${l}`).join('\r\n')}\r\n`);
      note([`${role === 'owner' ? 'new link' : 'view-only link'} (new devices can pair for ${ttlText(sharing.linkTtlMs)}): ${url}`]);
    };
    const answer = (how: DeviceAnswer): void => {
      const waiting = trust.list().find((d) => d.pending);
      if (!waiting) return note(['no device is waiting to join']);
      const err = trust.answer(waiting.deviceId, how, LOCAL_ACTOR);
      note([err ? `${err.message} (${err.code})` : `${waiting.name} ${how === 'deny' ? 'was denied' : how === 'view' ? 'joined view-only' : 'joined'}`]);
    };
    const onInput = (chunk: Buffer): void => {
      let text = chunk.toString('utf8');
      let data = '';
      while (text.length > 0) {
        const ch = text[0]!;
        text = text.slice(1);
        if (!chord) {
          if (ch === CHORD) chord = true;
          else data += ch;
          continue;
        }
        chord = false;
        if (ch === CHORD) data += CHORD;
        else if (ch === 's') void share();
        else if (ch === 'n') newLink('owner');
        else if (ch === 'v') newLink('view');
        else if (ch === 'a') answer('allow');
        else if (ch === 'o') answer('view');
        else if (ch === 'd') answer('deny');
        else if (ch === 'x') {
          void sharing.stop().then(() => {
            note(['sharing stopped; every device was disconnected']);
          });
        } else if (ch === 'q') return finish(0);
        else note(['Ctrl-] then: s share · n new link · v view-only link · a/o/d answer a waiting device · x stop sharing · q quit · Ctrl-] send Ctrl-]']);
      }
      if (data) session.localInput(data, size().cols, size().rows);
    };
    const onResize = (): void => session.localResize(size().cols, size().rows);
    session.on('exited', (exit) => {
      note([`program ${exitWords(exit.exitCode, exit.signal)}`]);
      finish(shellStatus(exit.exitCode, exit.signal));
    });
    setRawModeSafely(io.input, true);
    io.input.on('data', onInput);
    io.input.resume();
    process.on('SIGWINCH', onResize);
    session.localResize(size().cols, size().rows);
    note([`${safeLine(readTerminal(session.writer.view).command)} · Ctrl-] s shares this terminal · Ctrl-] q quits`]);
    if (options.shareAtStart) void share();
  });
}
