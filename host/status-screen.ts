/**
 * The human view of `tether remote-control` on a terminal: the server's link and QR code (space toggles
 * it; n mints a fresh link, v a view-only one), capacity, spawn mode (w toggles same-dir/worktree), every
 * session with its state and devices, live, a device waiting to join (a allow · o view-only · x deny) and
 * the devices panel (d: select, change role, revoke, revoke all). Without a TTY it prints the link once
 * and one line per event. Names come from devices and agents: they are printed through safeLine.
 */
import { PATH_LABEL } from '../protocol/ice-servers.js';
import { create as createQrCode } from 'qrcode/lib/core/qrcode.js';
import { readListedSessions, readListMeta } from '../protocol/session-list-doc.js';
import { describeListen } from './lan-address.js';
import type { SessionServer, ServerReady } from './session-server.js';
import { setRawModeSafely } from '../client/terminal/tty-mode.js';
import { safeBlock, safeLine } from '../client/terminal/safe-text.js';
import { formatBytes } from './sessions-command.js';
import { LOCAL_ACTOR } from './core/session-core.js';
import type { Role } from '../protocol/roles.js';
import type { TetherError } from '../protocol/errors.js';
import { deviceRow, ttlText, waitingLine } from './device-lines.js';

/** A terminal cell holds two modules, one above the other: light ones are drawn (terminals are dark). */
const HALF_BLOCKS = [' ', '▄', '▀', '█'] as const;

/**
 * Renders a QR code as text, two module rows per line, with a one-module light border (the terminal's
 * dark background around it). The library picks the mask as the standard says; this one takes about
 * half the time of the one used before (qrcode-terminal), cold at start: ~13 against ~27 ms.
 */
export function renderQr(text: string): string {
  const { modules } = createQrCode(text, { errorCorrectionLevel: 'L' });
  const n = modules.size;
  // Light where the code has a light module or its border; the extra dark row on top pairs the rows up.
  const light = (row: number, col: number): boolean =>
    row >= 0 && (row === 0 || row === n + 1 || col === 0 || col === n + 1 || !modules.get(row - 1, col - 1));
  const lines: string[] = [];
  for (let row = -1; row < n + 2; row += 2) {
    let line = '';
    for (let col = 0; col < n + 2; col++) line += HALF_BLOCKS[(light(row, col) ? 2 : 0) + (light(row + 1, col) ? 1 : 0)];
    lines.push(line);
  }
  return lines.join('\n');
}

const STATE_LABEL: Record<string, string> = {
  starting: '… starting',
  running: '● running',
  idle: '○ idle',
  working: '● working',
  'awaiting-permission': '\x1b[33m◆ waiting for approval\x1b[0m',
  ended: '\x1b[2m■ ended\x1b[0m',
  interrupted: '\x1b[33m◇ interrupted\x1b[0m',
};

/** Attaches the status screen to a server. `onQuit` is called for q / Ctrl-C. Returns a detach function. */
/** What the state folder holds, for the status screen and `--json`'s ready event. */
export interface StoredSummary {
  sessions: number;
  bytes: number;
  fileBytes: number;
}

/**
 * Attaches the status screen to a server. `onQuit` is called for q / Ctrl-C; `stored` reports the
 * state folder's disk use. Returns a detach function.
 */
export function attachStatusScreen(server: SessionServer, out: NodeJS.WriteStream, input: NodeJS.ReadStream, onQuit: () => void, stored?: () => StoredSummary): () => void {
  let ready: ServerReady | null = null;
  let qr = '';
  let showQr = true;
  let notice = '';
  /** The devices panel (d): open, which row is selected, and whether revoke-all awaits its y. */
  let panel = false;
  let selected = 0;
  let confirmAll = false;
  let scheduled: ReturnType<typeof setTimeout> | null = null;
  const tty = out.isTTY === true;

  let detached = false;
  let history: StoredSummary | null = null;
  let historyAt = 0;
  const render = (): void => {
    scheduled = null;
    if (!ready || !tty || detached) return;
    // Reading sizes scans the store: at most every 10 s.
    if (stored && Date.now() - historyAt > 10_000) {
      history = stored();
      historyAt = Date.now();
    }
    const view = server.list.list.view;
    const rows = readListedSessions(view).map((s) => {
      const devices = server.deviceNames(s.id).map((d) => safeLine(d));
      return `  ${STATE_LABEL[s.state] ?? safeLine(s.state)}  \x1b[1m${safeLine(s.name)}\x1b[0m  ${safeLine(s.agent)}  ${devices.length} device${devices.length === 1 ? '' : 's'}${devices.length ? ` (${devices.join(', ')})` : ''}${s.branch ? `  \x1b[2m${safeLine(s.branch)}\x1b[0m` : ''}`;
    });
    const spawn = server.spawn;
    const devices = server.trust.list();
    const waiting = devices.find((d) => d.pending);
    const paired = devices.filter((d) => !d.pending);
    selected = Math.min(selected, Math.max(0, paired.length - 1));
    const viewUrl = server.viewUrl;
    const lines = [
      `\x1b[2J\x1b[H\x1b[1mtether\x1b[0m · ${safeLine(ready.name)} · sessions ${server.running}/${readListMeta(view).capacity} · spawn: ${spawn}`,
      '',
      ...(showQr ? [qr] : []),
      `  Open the session list on your phone or another browser (same network, no internet needed):`,
      `  \x1b[4m${server.serverUrl}\x1b[0m`,
      ...(ready.listening ? [`  \x1b[2m${describeListen(ready.listening)}\x1b[0m`] : []),
      ...(viewUrl ? [`  View-only link: \x1b[4m${viewUrl}\x1b[0m`] : []),
      `  \x1b[2mNew devices can pair with a link for ${ttlText(server.linkTtlMs)} after it is made; paired devices keep working.\x1b[0m`,
      '',
      ...(waiting ? [`  \x1b[33m${waitingLine(waiting, 'a allow · o allow view-only · x deny')}\x1b[0m`, ''] : []),
      ...(rows.length ? rows : ['  no sessions yet: start one from the list']),
      '',
      ...(panel
        ? [
            `  \x1b[1mDevices\x1b[0m (${paired.length} paired)`,
            ...(paired.length ? paired.slice(0, 9).map((d, i) => `  ${deviceRow(d, i, i === selected)}`) : ['  none paired yet']),
            confirmAll
              ? '  \x1b[31mRevoke every device and every link? y yes · any other key no\x1b[0m'
              : '  \x1b[2m1–9 select · x revoke · O owner · C control · V view-only · X revoke all · d close\x1b[0m',
            '',
          ]
        : []),
      ...(notice ? [`  ${notice}`, ''] : []),
      ...(history ? [`  \x1b[2mstored: ${history.sessions} session${history.sessions === 1 ? '' : 's'}, ${formatBytes(history.bytes)} (tether sessions lists and prunes them)\x1b[0m`] : []),
      `  \x1b[2mq quit · space ${showQr ? 'hide' : 'show'} QR code · n new link · v view-only link · d devices${spawn === 'session' ? '' : ` · w new sessions in ${spawn === 'same-dir' ? 'a worktree' : 'this folder'}`}\x1b[0m`,
    ];
    out.write(lines.join('\n') + '\n');
  };
  const showLink = (url: string): void => {
    qr = renderQr(url).replace(/^/gm, '  ');
    render();
  };
  const report = (err: TetherError | null, done: string): void => {
    notice = err ? `\x1b[31m${safeBlock(err.message)} (${err.code})\x1b[0m` : done;
    render();
  };
  /** Keys of the devices panel; true when the key was one of them. */
  const panelKey = (key: string): boolean => {
    const paired = server.trust.list().filter((d) => !d.pending);
    const target = paired[selected];
    if (confirmAll) {
      confirmAll = false;
      if (key === 'y') report(server.trust.revokeAll(LOCAL_ACTOR), 'Every device was revoked; the link above is new.');
      else render();
      return true;
    }
    if (/^[1-9]$/.test(key)) {
      selected = Number(key) - 1;
      render();
      return true;
    }
    const roles: Record<string, Role> = { O: 'owner', C: 'control', V: 'view' };
    if (key === 'x' && target) report(server.trust.revoke(target.deviceId, LOCAL_ACTOR), `Revoked ${safeLine(target.name)}.`);
    else if (roles[key] && target) report(server.trust.setRole(target.deviceId, roles[key], LOCAL_ACTOR), `${safeLine(target.name)} is now ${roles[key]}.`);
    else if (key === 'X') {
      confirmAll = true;
      render();
    } else if (key === 'd' || key === '\x1b') {
      panel = false;
      render();
    } else return false;
    return true;
  };
  const soon = (): void => {
    if (tty && !scheduled) scheduled = setTimeout(render, 50);
  };
  const line = (text: string): void => {
    if (!tty) out.write(text + '\n');
  };

  server.on('ready', (info) => {
    ready = info;
    qr = renderQr(info.serverUrl).replace(/^/gm, '  ');
    if (tty) render();
    else out.write(`tether: serving "${safeLine(info.name)}"\n${qr}\nSession list: ${info.serverUrl}\n${info.listening ? `${describeListen(info.listening)}\n` : ''}${info.first ? `Session "${safeLine(info.first.name)}": ${info.first.url}\n` : ''}`);
  });
  server.on('changed', soon);
  // Something devices depend on broke after startup (e.g. another tether took a session over).
  server.on('warning', (err) => {
    notice = `\x1b[31m! ${safeBlock(err.message)} (${err.code})\x1b[0m`;
    if (tty) render();
    else out.write(`tether: ${safeBlock(err.message)} (${err.code})\n`);
  });
  server.trust.on('changed', soon);
  server.trust.on('waiting', (d) => line(waitingLine(d, 'answer with: tether devices allow|deny ' + d.deviceId)));
  server.trust.on('revoked', (d) => line(`device revoked: ${safeLine(d.name)} (${d.deviceId})`));
  server.trust.on('links-reset', () => {
    if (tty) showLink(server.serverUrl);
    else line(`every device was revoked; new session list link: ${server.serverUrl}`);
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
    if (key === 'q' || key === '\x03' || key === '\x04') return onQuit();
    if (panel && panelKey(key)) return;
    const waiting = server.trust.list().find((d) => d.pending);
    if (waiting && (key === 'a' || key === 'o' || key === 'x')) {
      const answer = key === 'a' ? 'allow' : key === 'o' ? 'view' : 'deny';
      report(server.trust.answer(waiting.deviceId, answer, LOCAL_ACTOR), `${safeLine(waiting.name)} ${answer === 'deny' ? 'was denied' : answer === 'view' ? 'joined view-only' : 'joined'}.`);
    } else if (key === 'n') {
      showLink(server.newLink('owner'));
      report(null, `New link (valid for ${ttlText(server.linkTtlMs)} to pair new devices).`);
    } else if (key === 'v') {
      showLink(server.newLink('view'));
      report(null, `New view-only link (valid for ${ttlText(server.linkTtlMs)}); the QR code shows it until n.`);
    } else if (key === 'd') {
      panel = true;
      render();
    } else if (key === ' ') {
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
    detached = true;
    if (scheduled) clearTimeout(scheduled);
    input.off('data', onKey);
    if (input.isTTY && tty) {
      setRawModeSafely(input, false);
      input.pause();
    }
  };
}
