/**
 * The human view of `tether remote-control` on a terminal: link, QR code (space toggles it) and a live
 * status of the session and its devices. Without a TTY it prints the link once and one line per event.
 */
import qrcode from 'qrcode-terminal';
import type { RemoteControl, ReadyInfo } from './remote-control.js';

/** Renders a QR code as text. */
export function renderQr(text: string): Promise<string> {
  return new Promise((resolve) => qrcode.generate(text, { small: true }, resolve));
}

/** Attaches the status screen to a running host. `onQuit` is called for q / Ctrl-C. */
export function attachStatusScreen(host: RemoteControl, out: NodeJS.WriteStream, input: NodeJS.ReadStream, onQuit: () => void): () => void {
  const devices = new Map<string, string>();
  let ready: ReadyInfo | null = null;
  let qr = '';
  let showQr = true;
  let state = 'running';
  const tty = out.isTTY === true;

  const render = (): void => {
    if (!ready || !tty) return;
    const lines = [
      `\x1b[2J\x1b[H\x1b[1mtether\x1b[0m · sharing \x1b[1m${ready.command}\x1b[0m as "${ready.name}"`,
      '',
      ...(showQr ? [qr] : []),
      `  Open on your phone or another browser (same network, no internet needed):`,
      `  \x1b[4m${ready.url}\x1b[0m`,
      '',
      `  ● ${state} · ${devices.size} device${devices.size === 1 ? '' : 's'}${devices.size ? ': ' + [...devices.values()].join(', ') : ''}`,
      '',
      `  \x1b[2mq quit · space ${showQr ? 'hide' : 'show'} QR code\x1b[0m`,
    ];
    out.write(lines.join('\n') + '\n');
  };
  const line = (text: string): void => {
    if (!tty) out.write(text + '\n');
  };

  host.on('ready', (info) => {
    ready = info;
    void renderQr(info.url).then((code) => {
      qr = code.replace(/^/gm, '  ');
      if (tty) render();
      else out.write(`tether: sharing ${info.command} as "${info.name}"\n${qr}\nOpen: ${info.url}\n`);
    });
  });
  host.on('device-joined', (d) => {
    devices.set(d.peerId, d.name);
    render();
    line(`device joined: ${d.name} (${d.devices} connected)`);
  });
  host.on('device-left', (d) => {
    const name = devices.get(d.peerId) ?? d.peerId;
    devices.delete(d.peerId);
    render();
    line(`device left: ${name} (${d.devices} connected)`);
  });
  host.on('agent-exited', (exit) => {
    state = `agent ${exit.signal ? `killed by ${exit.signal}` : `exited (code ${exit.code})`} · the conversation stays readable · q quits`;
    render();
    line(`agent exited (${exit.signal ?? `code ${exit.code}`})${exit.stderrTail ? `:\n${exit.stderrTail}` : ''}`);
  });
  host.on('session-exited', (exit) => {
    state = `exited (code ${exit.exitCode})`;
    render();
    line(`program exited with code ${exit.exitCode}`);
  });

  const onKey = (data: Buffer): void => {
    const key = data.toString();
    if (key === 'q' || key === '\x03' || key === '\x04') onQuit();
    else if (key === ' ') {
      showQr = !showQr;
      render();
    }
  };
  if (input.isTTY && tty) {
    input.setRawMode(true);
    input.resume();
    input.on('data', onKey);
  }
  return () => {
    input.off('data', onKey);
    if (input.isTTY && tty) {
      input.setRawMode(false);
      input.pause();
    }
  };
}
