/**
 * `tether attach` to a conversation: the same chat as the host's interactive mode, as one more device —
 * type a message and Enter to prompt, a number and Enter to answer a permission request, the answers to
 * the agent's questions, the agent's slash commands and settings, /stop, /quit.
 */
import { createInterface } from 'node:readline';
import type { SessionClient } from '../core/session-client.js';
import { ChatRenderer } from '../terminal/chat-renderer.js';
import { isTurnStatus, readConversationMeta, readStatus } from '../../protocol/conversation-doc.js';
import { watchForGone } from './attach-watch.js';
import { ChatInput, printAbovePrompt } from '../terminal/chat-line.js';
import { safeBlock, safeLine } from '../terminal/safe-text.js';
import type { IntentBody, IntentReply } from '../../protocol/messages.js';
import type { AttachIo, AttachResult } from './attach-terminal.js';

/** Runs a chat attach on a live client until /quit, Ctrl-D or a fatal error. */
export function attachChat(client: SessionClient, io: AttachIo, selfName: string): Promise<AttachResult> {
  let view = client.conversation;
  const columns = (): number => (io.stdout as NodeJS.WriteStream).columns || 80;
  let renderer = new ChatRenderer(view, selfName, columns);
  let input = new ChatInput(view, ['stop', 'usage', 'help', 'quit', 'exit']);
  const rl = createInterface({ input: io.stdin, output: io.stdout, prompt: '› ', terminal: io.stdin.isTTY === true, completer: (line: string) => [input.completions(line), line] });
  const print = (lines: string[]): void => printAbovePrompt(rl, io.stdout, lines);
  const send = async (body: IntentBody): Promise<boolean> => {
    const reply: IntentReply = await client.sendIntent(body);
    if (!reply.ok) print([`! ${safeBlock(reply.error.message)} (${safeLine(reply.error.code)})`]);
    return reply.ok;
  };
  const typed = async (line: string): Promise<void> => {
    const outcome = input.line(line);
    if (outcome.print) print(outcome.print);
    if (!outcome.intent) return;
    const before = readStatus(view);
    const ok = await send(outcome.intent);
    if (ok && outcome.intent.type === 'prompt') print(input.queuedNote(before));
    if (ok && outcome.intent.type === 'set-config') print(input.describe('config'));
  };
  const onUpdate = (): void => print(renderer.render());

  return new Promise((resolve) => {
    let done = false;
    const finish = (result: AttachResult): void => {
      if (done) return;
      done = true;
      unwatch();
      client.doc.off('afterTransaction', onUpdate);
      rl.close();
      resolve(result);
    };
    client.doc.on('afterTransaction', onUpdate);
    // The host lost changes this replica had (it crashed): the replica starts again from the host's.
    client.on('reset', () => {
      view = client.conversation;
      renderer = new ChatRenderer(view, selfName, columns);
      input = new ChatInput(view, ['stop', 'usage', 'help', 'quit', 'exit']);
      print(['\x1b[2m[tether] the host restarted and lost its last changes; showing the conversation again\x1b[0m']);
      client.doc.on('afterTransaction', onUpdate);
    });
    client.on('state', (state, error) => {
      if (state === 'reconnecting') print([`\x1b[2m[tether] reconnecting… ${error ? `(${error.code})` : ''}\x1b[0m`]);
      else if (state === 'live') print(['\x1b[2m[tether] connected\x1b[0m']);
    });
    const unwatch = watchForGone(client, (error) => finish({ exitCode: 1, error }));
    rl.on('line', (raw) => {
      const line = raw.trim();
      if (io.stdout.isTTY && line !== '' && !line.startsWith('/')) io.stdout.write('\x1b[1A\x1b[2K');
      if (line === '') return rl.prompt();
      if (line === '/quit' || line === '/exit') return finish({ exitCode: 0, error: null });
      if (line === '/stop') return void send({ type: 'stop' });
      if (line === '/run') return void send({ type: 'run-queue' });
      if (line === '/usage') return print(input.describe('usage'));
      if (line === '/help') return print(['/stop, /run (the messages a stop left queued), /quit, /usage, /config, / (the agent\'s commands). A number answers a permission request.']);
      void typed(line);
    });
    rl.on('SIGINT', () => {
      if (isTurnStatus(readStatus(view))) void send({ type: 'stop' });
      else finish({ exitCode: 0, error: null });
    });
    rl.on('close', () => finish({ exitCode: 0, error: null }));
    rl.on('error', () => finish({ exitCode: 0, error: null }));
    const meta = readConversationMeta(view);
    print([`\x1b[1mtether\x1b[0m · ${safeLine(meta.name)} · ${safeLine(meta.agentName ?? meta.agent)} · /help, /stop, /quit`, ...renderer.render()]);
  });
}
