/**
 * What an ACP agent offers a conversation, as the conversation document records it for every device:
 * its login methods, slash commands, session settings (model, reasoning effort…), context usage and
 * cost, and which session lifecycle methods it supports. Schemas (zod) with derived types, bounded so a
 * chatty agent cannot bloat the document; the host writes these, every reader validates them.
 */
import * as z from './zod.js';
import { lazySchema } from './lazy-schema.js';

/** Longest name, description or hint kept from an agent (they reach every device and terminal). */
export const MAX_OFFER_TEXT = 2000;
/** Most items of one kind kept (commands, settings, values of a setting, login methods). */
export const MAX_OFFER_ITEMS = 200;

const text = lazySchema(() => z.string().check(z.maxLength(MAX_OFFER_TEXT)));
const label = lazySchema(() => z.string().check(z.maxLength(200)));

/**
 * A login method of the agent. `type`: `terminal` runs the agent's login program in a terminal,
 * `agent` is handled by the agent through ACP `authenticate`; `envVar` is the host variable that
 * satisfies it (from the preset), and `ready` says whether the host has it set.
 */
export const AuthMethodInfoSchema = lazySchema(() => z.object({
  id: label,
  name: label,
  description: z.nullable(text),
  type: z.enum(['agent', 'terminal']),
  envVar: z.nullable(label),
  ready: z.boolean(),
}));
export type AuthMethodInfo = z.infer<typeof AuthMethodInfoSchema>;

/** A slash command the agent accepts (sent as a prompt starting with `/name`). */
export const AgentCommandInfoSchema = lazySchema(() => z.object({ name: label, description: text, hint: z.nullable(text) }));
export type AgentCommandInfo = z.infer<typeof AgentCommandInfoSchema>;

/** One value of a select setting; `group` names the group it was listed under, if any. */
export const ConfigValueSchema = lazySchema(() => z.object({ value: label, name: label, description: z.nullable(text), group: z.nullable(label) }));
export type ConfigValue = z.infer<typeof ConfigValueSchema>;

const configBase = { id: label, name: label, description: z.nullable(text), category: z.nullable(label) };

/** A session setting the agent offers (ACP configOptions): a select or a boolean, with its current value. */
export const ConfigOptionInfoSchema = lazySchema(() => z.discriminatedUnion('type', [
  z.object({ ...configBase, type: z.literal('select'), currentValue: label, options: z.array(ConfigValueSchema).check(z.maxLength(MAX_OFFER_ITEMS)) }),
  z.object({ ...configBase, type: z.literal('boolean'), currentValue: z.boolean() }),
]));
export type ConfigOptionInfo = z.infer<typeof ConfigOptionInfoSchema>;

/** Context window use and cumulative cost (ACP usage_update). */
export const UsageInfoSchema = lazySchema(() => z.object({
  used: z.number().check(z.nonnegative()),
  size: z.number().check(z.nonnegative()),
  cost: z.nullable(z.object({ amount: z.number(), currency: z.string().check(z.maxLength(16)) })),
}));
export type UsageInfo = z.infer<typeof UsageInfoSchema>;

/** Session lifecycle methods the agent supports. */
export const AgentSessionCapsSchema = lazySchema(() => z.object({ load: z.boolean(), list: z.boolean(), resume: z.boolean(), close: z.boolean() }));
export type AgentSessionCaps = z.infer<typeof AgentSessionCapsSchema>;

/** No lifecycle methods beyond the baseline. */
export const NO_SESSION_CAPS: AgentSessionCaps = Object.freeze({ load: false, list: false, resume: false, close: false });

/** "12.3k of 200k (6%) · $0.42" — what a status line shows for `usage`. */
export function formatUsage(usage: UsageInfo): string {
  const pct = usage.size > 0 ? Math.round((usage.used / usage.size) * 100) : null;
  const context = `${compactNumber(usage.used)} of ${compactNumber(usage.size)} tokens${pct === null ? '' : ` (${pct}%)`}`;
  return usage.cost ? `${context} · ${formatCost(usage.cost)}` : context;
}

/** "$0.42", "0.42 EUR", "12 credits". */
export function formatCost(cost: { amount: number; currency: string }): string {
  const amount = cost.amount.toFixed(cost.amount < 10 ? 2 : 0);
  return cost.currency.toUpperCase() === 'USD' ? `$${amount}` : `${amount} ${cost.currency}`;
}

function compactNumber(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1)}M`;
  if (n >= 1000) return `${(n / 1000).toFixed(n >= 10_000 ? 0 : 1)}k`;
  return String(Math.round(n));
}

/** The agent commands whose name starts with `prefix` (without the slash), in the agent's order. */
export function matchingCommands(commands: readonly AgentCommandInfo[], prefix: string): AgentCommandInfo[] {
  const p = prefix.toLowerCase();
  return commands.filter((c) => c.name.toLowerCase().startsWith(p));
}
