/**
 * What the interactive chat and `tether attach`'s chat share about typed lines: printing above the
 * prompt line, and turning a line into an intent — a number answers the pending permission request
 * (and is refused when another device already answered it), a line answers the agent's question field
 * by field, `/<agent command>` goes to the agent, `/config` and `/<setting> <value>` change its
 * settings, anything else is a prompt. Tab completes slash commands.
 */
import type { Interface } from 'node:readline';
import {
  isTurnStatus,
  pendingPermissions,
  pendingQuestions,
  readConversationMeta,
  readEntry,
  readStatus,
  type ConversationDocView,
  type ConversationEntry,
} from '../../protocol/conversation-doc.js';
import { formatUsage, matchingCommands, type ConfigOptionInfo } from '../../protocol/agent-offer.js';
import { parseTypedAnswer, type AnswerValue, type QuestionField } from '../../protocol/agent-question.js';
import type { IntentBody } from '../../protocol/messages.js';
import { safeLine } from './safe-text.js';

/** Prints whole lines above the prompt, then redraws the prompt with what the user has typed so far. */
export function printAbovePrompt(rl: Interface, out: NodeJS.WritableStream, lines: string[]): void {
  if (lines.length === 0) return;
  out.write(`\r\x1b[K${lines.join('\n')}\n`);
  rl.prompt(true);
}

/** What a typed line comes to: an intent to send, lines to show, or both. */
export interface LineOutcome {
  intent?: IntentBody;
  print?: string[];
}

type Question = Extract<ConversationEntry, { type: 'question' }>;

/** A form being answered field by field. */
interface FormInProgress {
  requestId: string;
  index: number;
  content: Record<string, AnswerValue>;
}

const dim = (s: string): string => `\x1b[2m${s}\x1b[0m`;

/** Turns typed lines into intents for one conversation; keeps the state of a form being answered. */
export class ChatInput {
  private form: FormInProgress | null = null;

  /** `own`: slash commands the chat itself handles (they win over the agent's of the same name). */
  constructor(
    private readonly view: ConversationDocView,
    private readonly own: readonly string[],
  ) {}

  /** The outcome of a typed (trimmed, non-empty) line that is not one of the chat's own commands. */
  line(line: string): LineOutcome {
    const question = this.pendingQuestion();
    if (question && !line.startsWith('/')) return this.answerLine(question, line);
    if (line.startsWith('/')) return this.slash(line, question);
    const permission = this.permissionFor(line);
    if (permission) return permission;
    return { intent: { type: 'prompt', text: line } };
  }

  /** After a prompt was accepted: a confirmation when it waits behind a running turn. */
  queuedNote(statusWhenSent: string): string[] {
    const status = readStatus(this.view);
    if (!isTurnStatus(status) && statusWhenSent === 'idle') return [];
    const waiting = this.view.queue.length;
    return waiting > 0 ? [dim(`· queued (${waiting} waiting) — it runs when the agent finishes this turn`)] : [];
  }

  /** Slash commands for Tab: the chat's own, the agent's, and its settings. */
  completions(prefix: string): string[] {
    if (!prefix.startsWith('/')) return [];
    const meta = readConversationMeta(this.view);
    const all = [...this.own, ...meta.commands.map((c) => c.name), 'config', ...meta.configOptions.map((o) => o.id)];
    return [...new Set(all)].map((n) => `/${n}`).filter((n) => n.startsWith(prefix));
  }

  /** The lines that describe the agent's commands and settings (`/` alone, `/commands`, `/config`). */
  describe(what: 'commands' | 'config' | 'usage'): string[] {
    const meta = readConversationMeta(this.view);
    if (what === 'usage') return [meta.usage ? `Context: ${formatUsage(meta.usage)}` : 'The agent has not reported its context use yet.'];
    if (what === 'config') {
      if (meta.configOptions.length === 0) return ['This agent offers no settings.'];
      return meta.configOptions.flatMap((o) => configLines(o));
    }
    if (meta.commands.length === 0) return ['This agent offers no slash commands.'];
    return ['The agent\'s commands (sent to it as a prompt):', ...meta.commands.map((c) => `  /${safeLine(c.name)}${c.hint ? ` ${dim(`<${safeLine(c.hint)}>`)}` : ''} — ${safeLine(truncate(c.description, 100))}`)];
  }

  private slash(line: string, question: Question | null): LineOutcome {
    const [word = '', ...rest] = line.slice(1).split(/\s+/);
    const args = rest.join(' ').trim();
    if (question && (word === 'decline' || word === 'cancel')) {
      this.form = null;
      return { intent: { type: 'answer', requestId: question.requestId, action: word } };
    }
    if (word === '' || word === 'commands') return { print: this.describe('commands') };
    if (word === 'usage') return { print: this.describe('usage') };
    const meta = readConversationMeta(this.view);
    if (word === 'config') {
      if (!args) return { print: this.describe('config') };
      const [id = '', ...value] = args.split(/\s+/);
      return this.setConfig(meta.configOptions, id, value.join(' '));
    }
    const option = meta.configOptions.find((o) => o.id === word) ?? meta.configOptions.find((o) => o.category === word);
    if (option) return args ? this.setConfig(meta.configOptions, option.id, args) : { print: configLines(option) };
    if (meta.commands.some((c) => c.name === word)) return { intent: { type: 'prompt', text: line } };
    const near = matchingCommands(meta.commands, word).slice(0, 5).map((c) => `/${safeLine(c.name)}`);
    return { print: [`Unknown command /${safeLine(word)}.${near.length ? ` Did you mean ${near.join(', ')}?` : ''} /help lists tether's; / lists the agent's.`] };
  }

  private setConfig(options: ConfigOptionInfo[], id: string, typed: string): LineOutcome {
    const option = options.find((o) => o.id === id);
    if (!option) return { print: [`The agent has no setting '${safeLine(id)}'. /config lists them.`] };
    if (option.type === 'boolean') {
      const on = /^(on|true|yes|1)$/i.test(typed);
      const off = /^(off|false|no|0)$/i.test(typed);
      if (!on && !off) return { print: [`${safeLine(option.name)} is on or off.`] };
      return { intent: { type: 'set-config', configId: option.id, value: on } };
    }
    const byNumber = /^\d+$/.test(typed) ? option.options[Number(typed) - 1] : undefined;
    const value = byNumber ?? option.options.find((o) => o.value === typed || o.name.toLowerCase() === typed.toLowerCase());
    if (!value) return { print: [`'${safeLine(typed)}' is not a value of ${safeLine(option.name)}:`, ...configLines(option)] };
    return { intent: { type: 'set-config', configId: option.id, value: value.value } };
  }

  /** A bare number: the answer to the pending permission request, or refused when it was answered meanwhile. */
  private permissionFor(line: string): LineOutcome | null {
    if (!/^\d+$/.test(line)) return null;
    const raw = pendingPermissions(this.view)[0];
    const pending = raw ? readEntry(raw) : null;
    if (pending?.type === 'permission') {
      const choice = pending.options[Number(line) - 1];
      return choice ? { intent: { type: 'permission', requestId: pending.requestId, optionId: choice.optionId } } : { print: [`There is no option ${line}.`] };
    }
    // The latest request of this turn was answered (on another device) while this number was typed.
    const entries = this.view.entries.toArray();
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = readEntry(entries[i]!);
      if (entry.type === 'user') break;
      if (entry.type === 'permission' && entry.status !== 'pending') {
        const by = entry.answer?.by ? ` by ${safeLine(entry.answer.by)} (${safeLine(entry.answer.name)})` : '';
        return { print: [`! That permission request was already answered${by}; "${line}" was not sent. Type more than a number to send it as a prompt.`] };
      }
    }
    return null;
  }

  private pendingQuestion(): Question | null {
    const raw = pendingQuestions(this.view)[0];
    const q = raw ? readEntry(raw) : null;
    if (q?.type !== 'question') {
      this.form = null;
      return null;
    }
    return q;
  }

  /** A line typed while the agent waits for an answer. */
  private answerLine(q: Question, line: string): LineOutcome {
    if (q.mode === 'url') {
      if (/^(done|ok|y|yes)$/i.test(line)) return { intent: { type: 'answer', requestId: q.requestId, action: 'accept' } };
      if (/^(n|no|decline)$/i.test(line)) return { intent: { type: 'answer', requestId: q.requestId, action: 'decline' } };
      return { print: ['Type done once the page is finished, or decline.'] };
    }
    if (this.form?.requestId !== q.requestId) this.form = { requestId: q.requestId, index: 0, content: {} };
    const form = this.form;
    const field = q.fields[form.index];
    if (field) {
      if (line !== '-') {
        const value = parseTypedAnswer(field, line);
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { print: [`${safeLine(field.title)}: ${value.problem}`, fieldPrompt(field)] };
        form.content[field.name] = value;
      } else if (field.required) return { print: [`${safeLine(field.title)} is required.`, fieldPrompt(field)] };
      form.index++;
    }
    const next = q.fields[form.index];
    if (next) return { print: [fieldPrompt(next)] };
    this.form = null;
    return { intent: { type: 'answer', requestId: q.requestId, action: 'accept', content: form.content } };
  }
}

/** How to answer one field, shown before it is typed. */
export function fieldPrompt(field: QuestionField): string {
  const required = field.required ? '' : ' (optional: - skips)';
  const title = `${safeLine(field.title)}${field.description ? ` — ${safeLine(field.description)}` : ''}`;
  switch (field.type) {
    case 'string':
      return field.choices ? `${title}${required}: ${field.choices.map((c, i) => `[${i + 1}] ${safeLine(c.title)}`).join('  ')}` : `${title}${required}: type it`;
    case 'number':
    case 'integer':
      return `${title}${required}: a ${field.type === 'integer' ? 'whole ' : ''}number${field.minimum !== null ? ` ≥ ${field.minimum}` : ''}${field.maximum !== null ? ` ≤ ${field.maximum}` : ''}`;
    case 'boolean':
      return `${title}${required}: y or n`;
    case 'multi':
      return `${title}${required}: numbers separated by commas: ${field.choices.map((c, i) => `[${i + 1}] ${safeLine(c.title)}`).join('  ')}`;
  }
}

function configLines(o: ConfigOptionInfo): string[] {
  if (o.type === 'boolean') return [`  ${safeLine(o.name)} (/${safeLine(o.id)} on|off): ${o.currentValue ? 'on' : 'off'}`];
  return [
    `  ${safeLine(o.name)} (/${safeLine(o.id)} <number or value>):`,
    ...o.options.map((v, i) => `    ${v.value === o.currentValue ? '●' : ' '} [${i + 1}] ${safeLine(v.name)}${v.description ? dim(` — ${safeLine(truncate(v.description, 80))}`) : ''}`),
  ];
}

function truncate(text: string, max: number): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
