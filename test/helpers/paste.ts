/**
 * Large pastes for tests and the bench: deterministic text in short numbered lines (so order and
 * completeness can be checked byte for byte), sent the way the browser client sends a paste, and a
 * watcher that measures how long the host's /healthz stalls meanwhile.
 */
import type { SessionClient } from '../../client/core/session-client.js';
import { splitInput } from '../../client/web/terminal-input.js';
import type { IntentReply } from '../../protocol/messages.js';

/** Bracketed-paste markers (xterm.js wraps a paste in them once the program asks with CSI ?2004h). */
export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';
/** What a program prints to ask for bracketed pastes. */
export const BRACKETED_PASTE_ON = '\x1b[?2004h';

/**
 * About `bytes` of UTF-8 text in numbered lines of 20–120 characters, each ending in "\n", with
 * multi-byte characters and a surrogate pair on some lines, so a split inside a character shows.
 * No tty-special characters (^C, ^D, ^V…) and no "!" (bash history expansion).
 */
export function pasteText(bytes: number): string {
  const words = ['alpha', 'beta', 'gamma', 'délta', 'ε', '漢字', 'smile😀', 'tab\there', 'x'];
  const lines: string[] = [];
  let size = 0;
  for (let n = 0; size < bytes; n++) {
    let line = `line ${String(n).padStart(7, '0')}`;
    const target = 20 + ((n * 37) % 100);
    for (let w = n; line.length < target; w++) line += ` ${words[w % words.length]}`;
    line += '\n';
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  return lines.join('');
}

/** The text as xterm.js sends a paste: line ends become "\r", optionally wrapped in bracketed-paste markers. */
export function asTyped(text: string, bracketed: boolean): string {
  const typed = text.replace(/\r?\n/g, '\r');
  return bracketed ? PASTE_START + typed + PASTE_END : typed;
}

/**
 * Sends `data` as the browser client does: split into `input` intents of at most MAX_INPUT_CHARS,
 * all sent at once; resolves with every reply (in order).
 */
export function sendPaste(client: SessionClient, data: string): Promise<IntentReply[]> {
  return Promise.all(splitInput(data).map((part) => client.sendIntent({ type: 'input', data: part })));
}

/** Polls a URL every `everyMs` and records the slowest answer (a request with no answer counts as it waits). */
export class StallWatch {
  private worst = 0;
  private pending: { started: number } | null = null;
  private stopped = false;
  private readonly loop: Promise<void>;
  /** Requests that failed (not answered 200). */
  failures = 0;
  /** Requests answered. */
  answered = 0;

  constructor(private readonly url: string, private readonly everyMs = 50, private readonly timeoutMs = 10_000) {
    this.loop = this.run();
  }

  /** The longest wait for one answer so far, in ms, including a request still waiting. */
  get worstMs(): number {
    return Math.max(this.worst, this.pending ? performance.now() - this.pending.started : 0);
  }

  /** Stops polling and returns the worst stall in ms. */
  async stop(): Promise<number> {
    this.stopped = true;
    await this.loop;
    return this.worst;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const started = performance.now();
      this.pending = { started };
      try {
        const res = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
        await res.arrayBuffer();
        if (res.ok) this.answered++;
        else this.failures++;
      } catch {
        // A timeout or a refused connection is exactly what this watch exists to notice: count it.
        this.failures++;
      }
      this.pending = null;
      this.worst = Math.max(this.worst, performance.now() - started);
      await new Promise((r) => setTimeout(r, this.everyMs));
    }
  }
}
