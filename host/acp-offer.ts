/**
 * Turns what an ACP agent sends (the SDK's own types) into what the conversation document keeps:
 * content blocks and tool content, login methods (with the preset's variable for each), slash commands,
 * session settings, usage, a question's form fields, and an agent error explained (its JSON-RPC data, a
 * missing login, the known root refusal of claude-agent-acp). Everything is bounded and stripped of
 * control characters here, once, on the host.
 */
import type {
  AuthMethod,
  AvailableCommand,
  ElicitationSchema,
  SessionConfigOption,
  SessionConfigSelectGroup,
  SessionConfigSelectOption,
  ContentBlock,
  ToolCallContent,
  UsageUpdate,
} from '@agentclientprotocol/sdk';
import { acpSdk } from './acp-sdk.js';
import type { ToolContent } from '../protocol/conversation-doc.js';
import { MAX_OFFER_ITEMS, MAX_OFFER_TEXT, type AgentCommandInfo, type AuthMethodInfo, type ConfigOptionInfo, type ConfigValue, type UsageInfo } from '../protocol/agent-offer.js';
import { MAX_QUESTION_FIELDS, type QuestionChoice, type QuestionField } from '../protocol/agent-question.js';
import { TetherError } from '../protocol/errors.js';
import type { RootRefusal } from './agent-presets.js';

/** JSON-RPC error code ACP uses for "authentication required". */
export const AUTH_REQUIRED = -32000;
/** Longest error detail kept. */
const MAX_DETAIL = 1000;

/** Control characters (C0, DEL, C1) and bidi/format characters, which agent text must not carry into a view. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Agent text made safe to keep: no control or bidi characters, at most `max` characters. */
export function clean(text: string, max = MAX_OFFER_TEXT): string {
  const s = text.replace(UNSAFE, '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const cleanOrNull = (text: string | null | undefined, max?: number): string | null => (text == null || text === '' ? null : clean(text, max));

/** The agent's login methods; `authEnv` (from the preset) names the variable that satisfies a method. */
export function toAuthMethods(methods: readonly AuthMethod[], authEnv: Readonly<Record<string, string>>, env: Record<string, string>): AuthMethodInfo[] {
  return methods.slice(0, 50).map((m) => {
    const envVar = Object.hasOwn(authEnv, m.id) ? authEnv[m.id]! : null;
    return {
      id: clean(m.id, 200),
      name: clean(m.name, 200),
      description: cleanOrNull(m.description),
      type: 'type' in m && m.type === 'terminal' ? 'terminal' : 'agent',
      envVar,
      ready: envVar !== null && (env[envVar] ?? '') !== '',
    };
  });
}

/** The agent's slash commands. */
export function toCommands(commands: readonly AvailableCommand[]): AgentCommandInfo[] {
  return commands.slice(0, MAX_OFFER_ITEMS).map((c) => ({ name: clean(c.name, 200), description: clean(c.description ?? ''), hint: cleanOrNull(c.input?.hint) }));
}

/** The agent's session settings (selects flattened with their group names; unknown kinds skipped). */
export function toConfigOptions(options: readonly SessionConfigOption[]): ConfigOptionInfo[] {
  const out: ConfigOptionInfo[] = [];
  for (const o of options.slice(0, MAX_OFFER_ITEMS)) {
    const base = { id: clean(o.id, 200), name: clean(o.name, 200), description: cleanOrNull(o.description), category: cleanOrNull(o.category, 200) };
    if (o.type === 'boolean') out.push({ ...base, type: 'boolean', currentValue: o.currentValue });
    else if (o.type === 'select') {
      const values: ConfigValue[] = [];
      for (const item of o.options as ReadonlyArray<SessionConfigSelectOption | SessionConfigSelectGroup>) {
        const value = (v: SessionConfigSelectOption, group: string | null): ConfigValue => ({ value: clean(v.value, 200), name: clean(v.name, 200), description: cleanOrNull(v.description), group });
        if ('options' in item) for (const v of item.options) values.push(value(v, clean(item.name, 200)));
        else values.push(value(item, null));
      }
      out.push({ ...base, type: 'select', currentValue: clean(o.currentValue, 200), options: values.slice(0, MAX_OFFER_ITEMS) });
    }
  }
  return out;
}

/** A content block as text (an image or other block as a short placeholder). */
export function blockText(block: ContentBlock): string {
  if (block.type === 'text') return block.text;
  if (block.type === 'image') return '[image]';
  if (block.type === 'resource_link') return `[${block.name}](${block.uri})`;
  return `[${block.type}]`;
}

/** A tool call's content as the document keeps it. */
export function toolContent(content: ToolCallContent[] | null | undefined): ToolContent[] {
  return (content ?? []).map((c): ToolContent => {
    if (c.type === 'diff') return { type: 'diff', path: c.path, oldText: c.oldText ?? null, newText: c.newText };
    if (c.type === 'terminal') return { type: 'terminal', terminalId: c.terminalId };
    return { type: 'text', text: blockText(c.content) };
  });
}

/** Context use and cost, as the document keeps them. */
export function toUsage(update: UsageUpdate): UsageInfo {
  return {
    used: Math.max(0, update.used),
    size: Math.max(0, update.size),
    cost: update.cost ? { amount: update.cost.amount, currency: clean(update.cost.currency, 16) } : null,
  };
}

/** The fields of a form question, or a problem when the form cannot be shown (too many or unsupported fields). */
export function toQuestionFields(schema: ElicitationSchema): QuestionField[] | { problem: string } {
  const { ElicitationPropertySchema, MultiSelectItems } = acpSdk();
  const entries = Object.entries(schema.properties ?? {});
  if (entries.length > MAX_QUESTION_FIELDS) return { problem: `a form with more than ${MAX_QUESTION_FIELDS} fields` };
  const required = new Set(schema.required ?? []);
  const fields: QuestionField[] = [];
  for (const [name, prop] of entries) {
    const { title, description } = prop as { title?: unknown; description?: unknown };
    const base = {
      name: clean(name, 200),
      title: clean(typeof title === 'string' ? title : name, 200),
      description: cleanOrNull(typeof description === 'string' ? description : null),
      required: required.has(name),
    };
    if (ElicitationPropertySchema.isString(prop)) {
      const choices: QuestionChoice[] | null = prop.oneOf
        ? prop.oneOf.map((c) => ({ value: clean(c.const, 200), title: clean(c.title, 200) }))
        : prop.enum
          ? prop.enum.map((v) => ({ value: clean(v, 200), title: clean(v, 200) }))
          : null;
      fields.push({ ...base, type: 'string', minLength: prop.minLength ?? null, maxLength: prop.maxLength ?? null, format: prop.format ?? null, choices, default: prop.default ?? null });
    } else if (ElicitationPropertySchema.isNumber(prop) || ElicitationPropertySchema.isInteger(prop)) {
      fields.push({ ...base, type: prop.type, minimum: prop.minimum ?? null, maximum: prop.maximum ?? null, default: prop.default ?? null });
    } else if (ElicitationPropertySchema.isBoolean(prop)) {
      fields.push({ ...base, type: 'boolean', default: prop.default ?? null });
    } else if (ElicitationPropertySchema.isArray(prop)) {
      const items = prop.items;
      const choices = MultiSelectItems.isTitled(items)
        ? items.anyOf.map((c) => ({ value: clean(c.const, 200), title: clean(c.title, 200) }))
        : MultiSelectItems.isString(items)
          ? items.enum.map((v) => ({ value: clean(v, 200), title: clean(v, 200) }))
          : null;
      if (!choices) return { problem: `field ${name}: a kind of list tether cannot show` };
      fields.push({ ...base, type: 'multi', choices, minItems: prop.minItems ?? null, maxItems: prop.maxItems ?? null, default: prop.default ?? null });
    } else {
      return { problem: `field ${name}: a kind of field tether cannot show (${String(prop.type)})` };
    }
  }
  return fields;
}

/** What a JSON-RPC error's data says, as one bounded line (its `details` or `message` when it has one). */
export function errorDetail(data: unknown): string | null {
  if (data === undefined || data === null) return null;
  let text: string;
  if (typeof data === 'string') text = data;
  else if (typeof data === 'object' && typeof (data as Record<string, unknown>).details === 'string') text = (data as { details: string }).details;
  else if (typeof data === 'object' && typeof (data as Record<string, unknown>).message === 'string') text = (data as { message: string }).message;
  else {
    try {
      text = JSON.stringify(data);
    } catch {
      // Circular or otherwise unserialisable data says nothing we could show.
      return null;
    }
  }
  return clean(text.replace(/\s+/g, ' ').trim(), MAX_DETAIL) || null;
}

/** Facts for explaining an agent's failure. */
export interface FailureContext {
  /** 'session/new', 'initialize', 'prompt'… */
  what: string;
  agentName: string;
  rootRefusal: RootRefusal | undefined;
  env: Record<string, string>;
  /** The host process's uid (null where there is none). */
  uid: number | null;
}

/**
 * An agent's error as a TetherError that says why: AGENT_LOGIN_REQUIRED for "authentication required",
 * AGENT_ROOT_REFUSED for a preset's known refusal under root (its variable set, but not to the value the
 * agent accepts), else AGENT_FAILED; the agent's own words (its error data) go in `detail`.
 */
export function explainAgentError(err: unknown, ctx: FailureContext): TetherError {
  if (err instanceof TetherError) return err;
  const { RequestError } = acpSdk();
  if (!(err instanceof RequestError)) return new TetherError('AGENT_FAILED', `${ctx.what} failed: ${clean(String((err as Error)?.message ?? err), 500)}`, { cause: err });
  const detail = errorDetail(err.data);
  const said = clean(err.message, 300);
  if (err.code === AUTH_REQUIRED) return new TetherError('AGENT_LOGIN_REQUIRED', `${ctx.agentName} needs a login (${ctx.what}: ${said})`, { cause: err, detail });
  const refusal = ctx.rootRefusal;
  if (refusal && ctx.uid === 0 && (ctx.env[refusal.env] ?? '') !== '' && ctx.env[refusal.env] !== refusal.accepted && `${said} ${detail ?? ''}`.includes(refusal.signature)) {
    return new TetherError('AGENT_ROOT_REFUSED', refusal.advice, { cause: err, detail: `${said}${detail ? `: ${detail}` : ''}` });
  }
  return new TetherError('AGENT_FAILED', `${ctx.what} failed: ${said}`, { cause: err, detail });
}
