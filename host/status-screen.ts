/**
 * The human view of `tether remote-control` on a terminal: the server's link and QR code (space toggles
 * it), capacity, spawn mode (w toggles same-dir/worktree), and every session with its state and devices,
 * live. Without a TTY it prints the link once and one line per event. Names come from devices and
 * agents: they are printed through safeLine.
 */
import { PATH_LABEL } from '../protocol/ice-servers.js';
import qrcode from 'qrcode-terminal';
import { readListedSessions, readListMeta } from '../protocol/session-list-doc.js';
import { describeListen } from './lan-address.js';
import type { SessionServer, ServerReady } from './session-server.js';
import { setRawModeSafely } from '../client/terminal/tty-mode.js';
import { safeBlock, safeLine } from '../client/terminal/safe-text.js';

/** Renders a QR code as text. */
export function renderQr(text: string): Promise<string> {
  return new Promise((resolve) => qrcode.generate(text, { small: true }, resolve));
}

const STATE_LABEL: Record<string, string> = {
  starting: '… starting',
  running: '● running',
  idle: '○ idle',
  working: '● working',
  'awaiting-permission': '\x1b[33m◆ waiting for approval\x1b[0m',
  ended: '\x1b[2m■ ended\x1b[0m',
};

/** Attaches the status screen to a server. `onQuit` is called for q / Ctrl-C. Returns a detach function. */
export function attachStatusScreen(server: SessionServer, out: NodeJS.WriteStream, input: NodeJS.ReadStream, onQuit: () => void): () => void {
  let ready: ServerReady | null = null;
  let qr = '';
  let showQr = true;
  let notice = '';
  let scheduled: ReturnType<typeof setTimeout> | null = null;
  const tty = out.isTTY === true;

  const render = (): void => {
    scheduled = null;
    if (!ready || !tty) return;
    const view = server.list.list.view;
    const rows = readListedSessions(view).map((s) => {
      const devices = s.devices.map((d) => safeLine(d));
      return `  ${STATE_LABEL[s.state] ?? safeLine(s.state)}  \x1b[1m${safeLine(s.name)}\x1b[0m  ${safeLine(s.agent)}  ${devices.length} device${devices.length === 1 ? '' : 's'}${devices.length ? ` (${devices.join(', ')})` : ''}${s.branch ? `  \x1b[2m${safeLine(s.branch)}\x1b[0m` : ''}`;
    });
    const spawn = server.spawn;
    const lines = [
      `\x1b[2J\x1b[H\x1b[1mtether\x1b[0m · ${safeLine(ready.name)} · sessions ${server.running}/${readListMeta(view).capacity} · spawn: ${spawn}`,
      '',
      ...(showQr ? [qr] : []),
      `  Open the session list on your phone or another browser (same network, no internet needed):`,
      `  \x1b[4m${ready.serverUrl}\x1b[0m`,
      ...(ready.listening ? [`  \x1b[2m${describeListen(ready.listening)}\x1b[0m`] : []),
      '',
      ...(rows.length ? rows : ['  no sessions yet: start one from the list']),
      '',
      ...(notice ? [`  ${notice}`, ''] : []),
      `  \x1b[2mq quit · space ${showQr ? 'hide' : 'show'} QR code${spawn === 'session' ? '' : ` · w new sessions in ${spawn === 'same-dir' ? 'a worktree' : 'this folder'}`}\x1b[0m`,
    ];
    out.write(lines.join('\n') + '\n');
  };
  const soon = (): void => {
    if (tty && !scheduled) scheduled = setTimeout(render, 50);
  };
  const line = (text: string): void => {
    if (!tty) out.write(text + '\n');
  };

  server.on('ready', (info) => {
    ready = info;
    void renderQr(info.serverUrl).then((code) => {
      qr = code.replace(/^/gm, '  ');
      if (tty) render();
      else out.write(`tether: serving "${safeLine(info.name)}"\n${qr}\nSession list: ${info.serverUrl}\n${info.listening ? `${describeListen(info.listening)}\n` : ''}${info.first ? `Session "${safeLine(info.first.name)}": ${info.first.url}\n` : ''}`);
    });
  });
  server.on('changed', soon);
  // Something devices depend on broke after startup (e.g. another tether took a session over).
  server.on('warning', (err) => {
    notice = `\x1b[31m! ${safeBlock(err.message)} (${err.code})\x1b[0m`;
    if (tty) render();
    else out.write(`tether: ${safeBlock(err.message)} (${err.code})\n`);
  });
  server.on('session-started', (s) => line(`session started: ${safeLine(s.name)} (${safeLine(s.agent)}) in ${safeLine(s.folder)}`));
  server.on('session-ended', (s, e) => line(`session ended: ${safeLine(s.name)} (${safeLine(e.reason)})`));
  server.on('device-joined', (s, d) => {
    soon();
    line(`device joined ${s ? safeLine(s.name) : 'the session list'}: ${safeLine(d.name)}${d.path ? ` (${PATH_LABEL[d.path]})` : ''}`);
  });
  server.on('device-left', (s) => {
    soon();
    line(`device left ${s ? safeLine(s.name) : 'the session list'}`);
  });

  const onKey = (data: Buffer): void => {
    const key = data.toString();
    if (key === 'q' || key === '\x03' || key === '\x04') onQuit();
    else if (key === ' ') {
      showQr = !showQr;
      render();
    } else if (key === 'w') {
      server.toggleSpawnMode().then(
        (mode) => {
          notice = mode === 'session' ? '' : `New sessions now start in ${mode === 'worktree' ? 'their own git worktree' : 'this folder'}.`;
          render();
        },
        (err: Error) => {
          notice = `\x1b[31m${safeBlock(err.message)}\x1b[0m`;
          render();
        },
      );
    }
  };
  if (input.isTTY && tty) {
    setRawModeSafely(input, true);
    input.resume();
    input.on('data', onKey);
  }
  return () => {
    if (scheduled) clearTimeout(scheduled);
    input.off('data', onKey);
    if (input.isTTY && tty) {
      setRawModeSafely(input, false);
      input.pause();
    }
  };
}
