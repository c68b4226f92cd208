/**
 * Interactive mode for ACP agents: a chat in the host's own terminal. The terminal is one more device:
 * it renders the same document every device sees and sends the same intents (prompts, permission and
 * question answers, settings, stop). Slash commands share the session (/remote-control, /rc), list
 * devices, log in (the agent's login program runs right here), and quit; the agent's own slash commands
 * and settings work too (client/terminal/chat-line.ts).
 */
import { PATH_LABEL } from '../protocol/ice-servers.js';
import { createInterface, type Interface } from 'node:readline';
import type { ConversationSession } from './conversation-session.js';
import { LOCAL_ACTOR } from './core/session-core.js';
import { ChatRenderer } from '../client/terminal/chat-renderer.js';
import { sharePanel } from './share-panel.js';
import { renderQr } from './status-screen.js';
import type { Sharing } from './sharing.js';
import { isTurnStatus, readConversationMeta, readStatus } from '../protocol/conversation-doc.js';
import { ChatInput, printAbovePrompt } from '../client/terminal/chat-line.js';
import { safeBlock, safeLine } from '../client/terminal/safe-text.js';
import { TetherError } from '../protocol/errors.js';
import { runInForeground } from './foreground-program.js';
import type { DeviceTrust } from './trust/device-trust.js';
import { deviceByRef, deviceRow, ttlText, waitingLine } from './device-lines.js';
import { RoleSchema } from '../protocol/roles.js';

const HELP = [
  'Type a message and press Enter to send it (it queues while the agent works).',
  '  /remote-control [name], /rc [name]  share this session (link + QR), or show the sharing panel',
  '  /rc new, /rc view                   a fresh link, or a view-only link (older links work until they expire)',
  '  /rc stop                            stop sharing and disconnect every device',
  '  /devices                            list connected and paired devices (numbered)',
  '  /devices revoke <n|id>              remove a device (kicked at once; its link and credential stop working)',
  '  /devices role <n|id> owner|control|view   change what a device may do',
  '  /devices rename <n|id> <name>       rename a device',
  '  /devices revoke-all                 remove every device and every link (a new link is made)',
  '  /allow <n|id> [view], /deny <n|id>  answer a device waiting to join',
  '  /stop                               stop the agent\'s current turn (Ctrl-C does too); queued messages wait',
  '  /run                                run the messages a stop left queued',
  '  /mode [id]                          list or switch the agent\'s modes',
  '  /config [setting value]             list or change the agent\'s settings (/model <n> and the like too)',
  '  /usage                              the context used and the cost so far',
  '  /login [n]                          run the agent\'s login program here',
  '  /                                   list the agent\'s own slash commands (Tab completes)',
  '  /quit                               end the session (Ctrl-D does too)',
  'When the agent asks for permission, type the number of an option; when it asks a question, type the answers.',
];

/** The chat's own commands (they win over an agent command of the same name). */
const OWN_COMMANDS = ['remote-control', 'rc', 'devices', 'allow', 'deny', 'stop', 'mode', 'config', 'usage', 'login', 'help', 'quit', 'exit'];

/** Runs the chat until /quit; resolves with the exit status. */
export function runChatConsole(
  session: ConversationSession,
  sharing: Sharing,
  io: { input: NodeJS.ReadStream; output: NodeJS.WriteStream },
  options: { shareAtStart: boolean; trust: DeviceTrust },
): Promise<number> {
  const view = session.writer.view;
  const trust = options.trust;
  const renderer = new ChatRenderer(view, LOCAL_ACTOR.name, () => io.output.columns || 80);
  const input = new ChatInput(view, OWN_COMMANDS);
  const rl: Interface = createInterface({
    input: io.input,
    output: io.output,
    prompt: '› ',
    terminal: io.input.isTTY === true,
    completer: (line: string) => [input.completions(line), line],
  });
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
  const onWaiting = (d: Parameters<typeof waitingLine>[0]): void => {
    const n = trust.list().findIndex((x) => x.deviceId === d.deviceId) + 1;
    print([`\x1b[33m${waitingLine(d, `/allow ${n} · /allow ${n} view · /deny ${n}`)}\x1b[0m`]);
  };
  trust.on('waiting', onWaiting);

  // The host's terminal goes through the same validation as every device.
  const intent = (body: Record<string, unknown>): Promise<TetherError | null> => session.applyLocalIntent(body);

  async function share(args: string[]): Promise<void> {
    if (args[0] === 'new' || args[0] === 'view') {
      if (!sharing.info) return print(['Not shared yet: /rc shares this session (with a new link).']);
      const info = sharing.newLink(args[0] === 'new' ? 'owner' : 'view')!;
      const url = args[0] === 'new' ? info.url : info.viewUrl!;
      const qr = renderQr(url);
      return print(['', ...qr.split('\n').map((l) => `  ${l}`), `  ${args[0] === 'new' ? 'New link' : 'View-only link'} (new devices can pair with it for ${ttlText(sharing.linkTtlMs)}):`, `  \x1b[4m${url}\x1b[0m`, '']);
    }
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
    print(sharePanel(sharing.info, session.core.devices, '/rc stop stops sharing · /rc shows this again'));
  }

  async function command(line: string): Promise<boolean> {
    const [cmd, ...args] = line.slice(1).split(/\s+/);
    switch (cmd) {
      case 'rc':
      case 'remote-control':
        await share(args);
        return true;
      case 'devices':
        devicesCommand(args);
        return true;
      case 'allow':
      case 'deny': {
        const d = deviceByRef(trust.list(), args[0]);
        if (!d?.pending) {
          print([`No such device waiting to join: ${safeLine(args[0] ?? '(none given)')}. /devices lists them.`]);
          return true;
        }
        const answer = cmd === 'deny' ? 'deny' : args[1] === 'view' ? 'view' : 'allow';
        report(trust.answer(d.deviceId, answer, LOCAL_ACTOR), `${safeLine(d.name)} ${answer === 'deny' ? 'was denied' : answer === 'view' ? 'joined view-only' : 'joined'}.`);
        return true;
      }
      case 'stop':
        report(await intent({ type: 'stop' }), readStatus(view) === 'idle' ? 'Nothing to stop.' : undefined);
        return true;
      case 'run':
        report(await intent({ type: 'run-queue' }), view.queue.length === 0 ? 'Nothing is queued.' : undefined);
        return true;
      case 'usage':
        print(input.describe('usage'));
        return true;
      case 'login':
        await login(args[0]);
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
        await typed(line);
        return true;
    }
  }

  /** Runs a terminal login method's program right here; other methods say what to do. */
  async function login(which: string | undefined): Promise<void> {
    const methods = readConversationMeta(view).authMethods;
    if (methods.length === 0) return print(['This agent names no login methods.']);
    const method = which === undefined ? (methods.filter((m) => m.type === 'terminal').length === 1 ? methods.find((m) => m.type === 'terminal') : undefined) : (methods[Number(which) - 1] ?? methods.find((m) => m.id === which));
    if (!method) return print(['Login methods (/login <n>):', ...methods.map((m, i) => `  [${i + 1}] ${safeLine(m.name)}${m.envVar ? ` (set ${m.envVar})` : m.type === 'terminal' ? ' (runs its login program here)' : ''}`)]);
    const program = session.loginProgram(method.id);
    if (program instanceof TetherError) return report(program);
    print([`Running ${safeLine(program.display)} — tether's chat is back when it ends.`]);
    const code = await runInForeground(program, io, rl, readConversationMeta(view).cwd);
    session.login.finished(method.id, null, LOCAL_ACTOR.name, code);
  }

  /** Any other line: a prompt, an answer, an agent command or a setting. */
  async function typed(line: string): Promise<void> {
    const outcome = input.line(line);
    if (outcome.print) print(outcome.print);
    if (!outcome.intent) return;
    const before = readStatus(view);
    const err = await intent(outcome.intent);
    report(err);
    if (!err && outcome.intent.type === 'prompt') print(input.queuedNote(before));
    if (!err && outcome.intent.type === 'set-config') print(input.describe('config'));
  }

  function devicesCommand(args: string[]): void {
    const all = trust.list();
    const [action, ref, ...rest] = args;
    if (action === undefined) {
      const here = session.core.devices.filter((d) => d.deviceId !== 'local');
      print([
        `  Connected: ${here.length ? here.map((d) => `${safeLine(d.name)} (${d.role}${d.path ? `, ${PATH_LABEL[d.path]}` : ''})`).join(', ') : 'none'}`,
        ...(all.length ? all.map((d, i) => `  ${deviceRow(d, i)}`) : ['  No paired devices.']),
        '  /devices revoke <n> · /devices role <n> owner|control|view · /devices rename <n> <name> · /devices revoke-all',
      ]);
      return;
    }
    if (action === 'revoke-all') return report(trust.revokeAll(LOCAL_ACTOR), 'Every device and link was revoked. /rc shows the new link.');
    const d = deviceByRef(all, ref);
    if (!d) return print([`No such device: ${safeLine(ref ?? '(none given)')}. /devices lists them.`]);
    if (action === 'revoke') return report(trust.revoke(d.deviceId, LOCAL_ACTOR), `Revoked ${safeLine(d.name)}.`);
    if (action === 'role') {
      const role = RoleSchema.safeParse(rest[0]);
      if (!role.success) return print(['/devices role <n|id> owner|control|view']);
      return report(trust.setRole(d.deviceId, role.data, LOCAL_ACTOR), `${safeLine(d.name)} is now ${role.data}.`);
    }
    if (action === 'rename') {
      const name = rest.join(' ').trim();
      if (!name || name.length > 64) return print(['/devices rename <n|id> <name> (1–64 characters)']);
      return report(trust.rename(d.deviceId, name, LOCAL_ACTOR), `Renamed to ${safeLine(name)}.`);
    }
    print([`Unknown /devices action ${safeLine(action)}. /help lists them.`]);
  }

  return new Promise((resolve) => {
    let done = false;
    const quit = (): void => {
      if (done) return;
      done = true;
      trust.off('waiting', onWaiting);
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
          await typed(line);
        }
        rl.prompt();
      })();
    });
    rl.on('SIGINT', () => {
      if (isTurnStatus(readStatus(view))) void intent({ type: 'stop' });
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
