/**
 * Questions an agent asks the user (ACP elicitation): the form fields as the conversation document keeps
 * them — a bounded, flattened copy of the agent's JSON Schema that every device can render — and the
 * one check of an answer against them, shared by the pages (to say what is missing before sending) and
 * the host (which never forwards an answer that does not fit).
 */
import * as z from './zod.js';
import { lazySchema } from './lazy-schema.js';

/** Most fields one question may have. */
export const MAX_QUESTION_FIELDS = 20;
/** Longest string answer. */
export const MAX_ANSWER_CHARS = 10_000;

const text = lazySchema(() => z.string().check(z.maxLength(2000)));
const label = lazySchema(() => z.string().check(z.maxLength(200)));

/** One choice of a single- or multi-select field. */
export const QuestionChoiceSchema = lazySchema(() => z.object({ value: label, title: label }));
export type QuestionChoice = z.infer<typeof QuestionChoiceSchema>;

const fieldBase = { name: label, title: label, description: z.nullable(text), required: z.boolean() };

/** A form field. `choices` turns a string field into a single select. */
export const QuestionFieldSchema = lazySchema(() => z.discriminatedUnion('type', [
  z.object({
    ...fieldBase,
    type: z.literal('string'),
    minLength: z.nullable(z.int().check(z.nonnegative())),
    maxLength: z.nullable(z.int().check(z.nonnegative())),
    format: z.nullable(z.enum(['email', 'uri', 'date', 'date-time'])),
    choices: z.nullable(z.array(QuestionChoiceSchema).check(z.maxLength(200))),
    default: z.nullable(z.string().check(z.maxLength(MAX_ANSWER_CHARS))),
  }),
  z.object({
    ...fieldBase,
    type: z.enum(['number', 'integer']),
    minimum: z.nullable(z.number()),
    maximum: z.nullable(z.number()),
    default: z.nullable(z.number()),
  }),
  z.object({ ...fieldBase, type: z.literal('boolean'), default: z.nullable(z.boolean()) }),
  z.object({
    ...fieldBase,
    type: z.literal('multi'),
    choices: z.array(QuestionChoiceSchema).check(z.maxLength(200)),
    minItems: z.nullable(z.int().check(z.nonnegative())),
    maxItems: z.nullable(z.int().check(z.nonnegative())),
    default: z.nullable(z.array(label).check(z.maxLength(200))),
  }),
]));
export type QuestionField = z.infer<typeof QuestionFieldSchema>;

/** A value of an answered field. */
export const AnswerValueSchema = lazySchema(() => z.union([z.string().check(z.maxLength(MAX_ANSWER_CHARS)), z.number(), z.boolean(), z.array(label).check(z.maxLength(200))]));
export type AnswerValue = z.infer<typeof AnswerValueSchema>;

/** What the user said: accept (with the form's content), decline, or cancel. */
export const QuestionActionSchema = lazySchema(() => z.enum(['accept', 'decline', 'cancel']));
export type QuestionAction = z.infer<typeof QuestionActionSchema>;

/** How a question was answered, and by whom. */
export const QuestionAnswerSchema = lazySchema(() => z.object({
  action: QuestionActionSchema,
  content: z.nullable(z.record(z.string(), AnswerValueSchema)),
  by: z.string(),
  byDeviceId: z.nullable(z.string()),
  at: z.number(),
}));
export type QuestionAnswer = z.infer<typeof QuestionAnswerSchema>;

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Why `value` does not fit `field`, or null. */
function fieldProblem(field: QuestionField, value: AnswerValue): string | null {
  const name = field.title || field.name;
  switch (field.type) {
    case 'string': {
      if (typeof value !== 'string') return `${name}: expected text`;
      if (field.choices && !field.choices.some((c) => c.value === value)) return `${name}: not one of the choices`;
      if (field.minLength !== null && value.length < field.minLength) return `${name}: at least ${field.minLength} characters`;
      if (field.maxLength !== null && value.length > field.maxLength) return `${name}: at most ${field.maxLength} characters`;
      if (field.format === 'email' && !EMAIL.test(value)) return `${name}: not an email address`;
      if (field.format === 'date' && !DATE.test(value)) return `${name}: expected a date (YYYY-MM-DD)`;
      if (field.format === 'uri' && !/^[a-z][a-z0-9+.-]*:/i.test(value)) return `${name}: expected a URL`;
      return null;
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${name}: expected a number`;
      if (field.type === 'integer' && !Number.isInteger(value)) return `${name}: expected a whole number`;
      if (field.minimum !== null && value < field.minimum) return `${name}: at least ${field.minimum}`;
      if (field.maximum !== null && value > field.maximum) return `${name}: at most ${field.maximum}`;
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : `${name}: expected yes or no`;
    case 'multi': {
      if (!Array.isArray(value)) return `${name}: expected a list of choices`;
      if (value.some((v) => !field.choices.some((c) => c.value === v))) return `${name}: not one of the choices`;
      if (new Set(value).size !== value.length) return `${name}: a choice is listed twice`;
      if (field.minItems !== null && value.length < field.minItems) return `${name}: choose at least ${field.minItems}`;
      if (field.maxItems !== null && value.length > field.maxItems) return `${name}: choose at most ${field.maxItems}`;
      return null;
    }
  }
}

/** Why `content` does not answer a form of `fields` (missing required field, wrong type, unknown field), or null. */
export function answerProblem(fields: readonly QuestionField[], content: Record<string, AnswerValue>): string | null {
  for (const key of Object.keys(content)) if (!fields.some((f) => f.name === key)) return `${key}: not a field of this form`;
  for (const field of fields) {
    const value = content[field.name];
    if (value === undefined || value === '') {
      if (field.required) return `${field.title || field.name}: required`;
      continue;
    }
    const problem = fieldProblem(field, value);
    if (problem) return problem;
  }
  return null;
}

/**
 * Turns what a person typed for `field` into its value ("3" → 3, "y" → true, "1,3" → the first and
 * third choice); a number picks a choice by position. Returns the problem as a string when it cannot.
 */
export function parseTypedAnswer(field: QuestionField, typed: string): AnswerValue | { problem: string } {
  const t = typed.trim();
  const pick = (choices: readonly QuestionChoice[], word: string): string | null => {
    if (/^\d+$/.test(word) && choices[Number(word) - 1]) return choices[Number(word) - 1]!.value;
    return choices.find((c) => c.value === word || c.title.toLowerCase() === word.toLowerCase())?.value ?? null;
  };
  switch (field.type) {
    case 'string': {
      if (!field.choices) return typed;
      return pick(field.choices, t) ?? { problem: 'type the number of a choice' };
    }
    case 'number':
    case 'integer': {
      const n = Number(t);
      return t === '' || !Number.isFinite(n) ? { problem: 'type a number' } : n;
    }
    case 'boolean':
      if (/^(y|yes|true|1)$/i.test(t)) return true;
      if (/^(n|no|false|0)$/i.test(t)) return false;
      return { problem: 'type y or n' };
    case 'multi': {
      const words = t.split(/[,\s]+/).filter(Boolean);
      const values = words.map((w) => pick(field.choices, w));
      return values.some((v) => v === null) ? { problem: 'type the numbers of the choices, separated by commas' } : (values as string[]);
    }
  }
}
