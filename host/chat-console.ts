/**
 * Interactive mode for ACP agents: a chat in the host's own terminal. The terminal is one more device:
 * it renders the same document every device sees and sends the same intents (prompts, permission answers,
 * stop). Slash commands share the session (/remote-control, /rc), list devices, and quit.
 */
import { PATH_LABEL } from '../protocol/ice-servers.js';
import { createInterface, type Interface } from 'node:readline';
import type { ConversationSession } from './conversation-session.js';
import { LOCAL_ACTOR } from './core/session-core.js';
import { ChatRenderer } from '../client/terminal/chat-renderer.js';
import { sharePanel } from './share-panel.js';
import type { Sharing } from './sharing.js';
import { readConversationMeta, readStatus } from '../protocol/conversation-doc.js';
import { intentForLine, printAbovePrompt } from '../client/terminal/chat-line.js';
import { safeBlock, safeLine } from '../client/terminal/safe-text.js';
import type { TetherError } from '../protocol/errors.js';
import { readDevices } from '../protocol/device-roster.js';

const HELP = [
  'Type a message and press Enter to send it (it queues while the agent works).',
  '  /remote-control [name], /rc [name]  share this session (link + QR), or show the sharing panel',
  '  /rc stop                            stop sharing and disconnect every device',
  '  /devices                            list connected devices',
  '  /stop                               stop the agent\'s current turn (Ctrl-C does too)',
  '  /mode [id]                          list or switch the agent\'s modes',
  '  /quit                               end the session (Ctrl-D does too)',
  'When the agent asks for permission, type the number of an option and press Enter.',
];

/** Runs the chat until /quit; resolves with the exit status. */
export function runChatConsole(
  session: ConversationSession,
  sharing: Sharing,
  io: { input: NodeJS.ReadStream; output: NodeJS.WriteStream },
  options: { shareAtStart: boolean },
): Promise<number> {
  const view = session.writer.view;
  const renderer = new ChatRenderer(view, LOCAL_ACTOR.name);
  const rl: Interface = createInterface({ input: io.input, output: io.output, prompt: '› ', terminal: io.input.isTTY === true });
  session.addLocalDevice();

  const print = (lines: string[]): void => printAbovePrompt(rl, io.output, lines);
  const report = (err: TetherError | null, done?: string): void => {
    if (err) print([`! ${safeBlock(err.message)} (${err.code})`]);
    else if (done) print([`\x1b[2m${done}\x1b[0m`]);
  };
  const onUpdate = (): void => print(renderer.render());
  session.doc.on('update', onUpdate);
  session.on('device-joined', (actor) => print([`\x1b[2m· ${safeLine(actor.name)} joined\x1b[0m`]));
  session.on('device-left', () => print([`\x1b[2m· a device left (${session.core.subscriberCount} connected)\x1b[0m`]));

  // The host's terminal goes through the same validation as every device.
  const intent = (body: Record<string, unknown>): Promise<TetherError | null> => session.applyLocalIntent(body);

  async function share(args: string[]): Promise<void> {
    if (args[0] === 'stop') {
      if (!sharing.info) return print(['Not shared.']);
      await sharing.stop();
      return print(['Sharing stopped; every device was disconnected. /rc shares again (with a new link).']);
    }
    const name = args.join(' ').trim();
    if (name) session.writer.setName(name.slice(0, 64));
    if (!sharing.info) {
      try {
        await sharing.start();
      } catch (err) {
        return report(err as TetherError);
      }
    }
    print(await sharePanel(sharing.info, readDevices(view.devices).map(([, d]) => d), '/rc stop stops sharing · /rc shows this again'));
  }

  async function command(line: string): Promise<boolean> {
    const [cmd, ...args] = line.slice(1).split(/\s+/);
    switch (cmd) {
      case 'rc':
      case 'remote-control':
        await share(args);
        return true;
      case 'devices': {
        const devices = readDevices(view.devices).map(([, d]) => d);
        print(devices.length ? devices.map((d) => `  ${safeLine(d.name)} (${safeLine(d.kind)}${d.path ? `, ${PATH_LABEL[d.path]}` : ''})`) : ['  none']);
        return true;
      }
      case 'stop':
        report(await intent({ type: 'stop' }), readStatus(view) === 'idle' ? 'Nothing to stop.' : undefined);
        return true;
      case 'mode': {
        const { modes, currentModeId } = readConversationMeta(view);
        if (!args[0]) {
          print(modes.length ? modes.map((m) => `  ${m.id === currentModeId ? '●' : ' '} ${safeLine(m.id)} — ${safeLine(m.name)}`) : ['This agent offers no modes.']);
          return true;
        }
        report(await intent({ type: 'set-mode', modeId: args[0] }), `Mode: ${safeLine(args[0])}`);
        return true;
      }
      case 'help':
        print(HELP);
        return true;
      case 'quit':
      case 'exit':
        return false;
      default:
        print([`Unknown command /${cmd}. /help lists them.`]);
        return true;
    }
  }

  return new Promise((resolve) => {
    let done = false;
    const quit = (): void => {
      if (done) return;
      done = true;
      session.doc.off('update', onUpdate);
      rl.close();
      resolve(0);
    };
    rl.on('line', (raw) => {
      const line = raw.trim();
      // Erase the echoed input line: the document's version of it is printed instead (with the others').
      if (io.output.isTTY && line !== '' && !line.startsWith('/')) io.output.write('\x1b[1A\x1b[2K');
      if (line === '') return rl.prompt();
      void (async () => {
        if (line.startsWith('/')) {
          if (!(await command(line))) return quit();
        } else {
          report(await intent(intentForLine(view, line)));
        }
        rl.prompt();
      })();
    });
    rl.on('SIGINT', () => {
      const status = readStatus(view);
      if (status === 'working' || status === 'awaiting-permission') void intent({ type: 'stop' });
      else quit();
    });
    rl.on('close', quit);
    // The terminal went away (window closed, SIGHUP): readline cannot restore it; just end.
    rl.on('error', quit);
    const meta = readConversationMeta(view);
    print([`\x1b[1mtether\x1b[0m · ${safeLine(meta.agentName ?? meta.agent)} in ${safeLine(meta.cwd)} · /help for commands`, ...renderer.render()]);
    if (options.shareAtStart) void share([]);
  });
}
