/**
 * Turning what agents send into what tether keeps and says: errors explained (a missing login, the
 * known root refusal of claude-agent-acp as measured, the agent's own words from its error data), login
 * methods with the preset's variables, settings, a question's fields, and answers checked against them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '@agentclientprotocol/sdk';
import { errorDetail, explainAgentError, toAuthMethods, toConfigOptions, toQuestionFields, clean } from '../../host/acp-offer.js';
import { BUILTIN_PRESETS } from '../../host/agent-presets.js';
import { loadAcpSdk } from '../../host/acp-sdk.js';
import { answerProblem, parseTypedAnswer, type QuestionField } from '../../protocol/agent-question.js';
import { formatUsage } from '../../protocol/agent-offer.js';

// The host loads the SDK when it starts an agent; these functions run only after that.
await loadAcpSdk();

const claude = BUILTIN_PRESETS.claude!;
/** What claude-agent-acp 0.23.1 answers session/new as root with IS_SANDBOX=yes (measured). */
const ROOT_REFUSAL = new RequestError(-32603, 'Internal error', { details: 'Query closed before response received' });
const ctx = { what: 'session/new', agentName: 'Claude Agent', rootRefusal: claude.rootRefusal, env: { IS_SANDBOX: 'yes' } as Record<string, string>, uid: 0 };

describe('explaining an agent\'s error', () => {
  it('the claude root refusal says what to do (root, IS_SANDBOX set but not to 1)', () => {
    const e = explainAgentError(ROOT_REFUSAL, ctx);
    assert.equal(e.code, 'AGENT_ROOT_REFUSED');
    assert.match(e.message, /cannot start as root with IS_SANDBOX set to anything but 1/);
    assert.match(e.message, /set IS_SANDBOX=1 .*or unset IS_SANDBOX, or run tether as a normal user/);
    assert.equal(e.detail, 'Internal error: Query closed before response received');
  });

  it('the same words are an ordinary failure for a normal user, with IS_SANDBOX=1 or unset, or for another preset', () => {
    for (const other of [{ ...ctx, uid: 1000 }, { ...ctx, env: { IS_SANDBOX: '1' } }, { ...ctx, env: {} }, { ...ctx, rootRefusal: undefined }]) {
      const e = explainAgentError(ROOT_REFUSAL, other);
      assert.equal(e.code, 'AGENT_FAILED');
      assert.equal(e.message, 'session/new failed: Internal error');
      assert.equal(e.detail, 'Query closed before response received');
    }
  });

  it('authentication required is a login the agent needs', () => {
    const e = explainAgentError(RequestError.authRequired(), { ...ctx, agentName: 'Codex' });
    assert.equal(e.code, 'AGENT_LOGIN_REQUIRED');
    assert.equal(e.message, 'Codex needs a login (session/new: Authentication required)');
  });

  it('error data becomes one bounded line without control characters', () => {
    assert.equal(errorDetail({ details: 'a\nb\x1b[31m red' }), 'a b[31m red');
    assert.equal(errorDetail({ message: 'from message' }), 'from message');
    assert.equal(errorDetail({ code: 7 }), '{"code":7}');
    assert.equal(errorDetail(undefined), null);
    assert.equal(errorDetail('x'.repeat(5000))!.length, 1000);
    assert.equal(clean('bidi\u202etext'), 'biditext');
  });
});

describe('what agents offer', () => {
  it('login methods carry the preset\'s variable and whether the host has it (codex, as measured)', () => {
    const methods = toAuthMethods(
      [
        { id: 'chatgpt', name: 'Login with ChatGPT', description: 'Use your ChatGPT login with Codex CLI (requires a paid ChatGPT subscription)' },
        { id: 'codex-api-key', name: 'Use CODEX_API_KEY' },
        { id: 'openai-api-key', name: 'Use OPENAI_API_KEY' },
      ],
      BUILTIN_PRESETS.codex!.authEnv!,
      { OPENAI_API_KEY: 'sk-x', CODEX_API_KEY: '' },
    );
    assert.deepEqual(methods.map((m) => [m.id, m.type, m.envVar, m.ready]), [
      ['chatgpt', 'agent', null, false],
      ['codex-api-key', 'agent', 'CODEX_API_KEY', false],
      ['openai-api-key', 'agent', 'OPENAI_API_KEY', true],
    ]);
    const terminal = toAuthMethods([{ id: 'claude-login', name: 'Log in with Claude', type: 'terminal', args: ['--cli'] }], {}, {});
    assert.equal(terminal[0]!.type, 'terminal');
  });

  it('settings: grouped values are flattened with their group; booleans kept', () => {
    const options = toConfigOptions([
      { id: 'model', name: 'Model', type: 'select', currentValue: 'b', options: [{ group: 'g', name: 'Group', options: [{ value: 'a', name: 'A' }, { value: 'b', name: 'B' }] }] },
      { id: 'fast', name: 'Fast', type: 'boolean', currentValue: true },
    ]);
    assert.deepEqual(options[0], { id: 'model', name: 'Model', description: null, category: null, type: 'select', currentValue: 'b', options: [{ value: 'a', name: 'A', description: null, group: 'Group' }, { value: 'b', name: 'B', description: null, group: 'Group' }] });
    assert.equal(options[1]!.type, 'boolean');
  });

  it('usage reads as tokens, percent and cost', () => {
    assert.equal(formatUsage({ used: 53000, size: 200000, cost: { amount: 0.42, currency: 'USD' } }), '53k of 200k tokens (27%) · $0.42');
    assert.equal(formatUsage({ used: 900, size: 0, cost: null }), '900 of 0 tokens');
  });
});

describe('questions', () => {
  const fields = toQuestionFields({
    type: 'object',
    properties: {
      name: { type: 'string', title: 'Name', maxLength: 5 },
      size: { type: 'string', enum: ['s', 'm'] },
      n: { type: 'integer', minimum: 1, maximum: 3 },
      ok: { type: 'boolean' },
      tags: { type: 'array', items: { anyOf: [{ const: 'x', title: 'X' }, { const: 'y', title: 'Y' }] }, maxItems: 1 },
    },
    required: ['name'],
  }) as QuestionField[];

  it('the form\'s fields are kept in order with their constraints', () => {
    assert.deepEqual(fields.map((f) => [f.name, f.type, f.required]), [['name', 'string', true], ['size', 'string', false], ['n', 'integer', false], ['ok', 'boolean', false], ['tags', 'multi', false]]);
    assert.deepEqual(toQuestionFields({ type: 'object', properties: { x: { type: 'object' } as never } }), { problem: 'field x: a kind of field tether cannot show (object)' });
  });

  it('answers are checked against the fields', () => {
    assert.equal(answerProblem(fields, { name: 'Ada' }), null);
    assert.equal(answerProblem(fields, {}), 'Name: required');
    assert.equal(answerProblem(fields, { name: 'Ada Lovelace' }), 'Name: at most 5 characters');
    assert.equal(answerProblem(fields, { name: 'Ada', size: 'l' }), 'size: not one of the choices');
    assert.equal(answerProblem(fields, { name: 'Ada', n: 1.5 }), 'n: expected a whole number');
    assert.equal(answerProblem(fields, { name: 'Ada', tags: ['x', 'y'] }), 'tags: choose at most 1');
    assert.equal(answerProblem(fields, { name: 'Ada', other: 1 }), 'other: not a field of this form');
  });

  it('typed answers: numbers pick choices, y/n are booleans', () => {
    assert.equal(parseTypedAnswer(fields[1]!, '2'), 'm');
    assert.equal(parseTypedAnswer(fields[2]!, '3'), 3);
    assert.equal(parseTypedAnswer(fields[3]!, 'y'), true);
    assert.deepEqual(parseTypedAnswer(fields[4]!, '1, 2'), ['x', 'y']);
    assert.deepEqual(parseTypedAnswer(fields[3]!, 'maybe'), { problem: 'type y or n' });
  });
});
