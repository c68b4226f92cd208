/**
 * What the audit log keeps of the intents agents brought (issue #10): a question's answers are what the
 * user typed, like a prompt — hashed by default, in full only with --audit-prompts full; settings and
 * logins are recorded as they are.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../host/trust/audit-log.js';
import { LOCAL_ACTOR } from '../../host/core/session-core.js';
import type { Intent } from '../../protocol/messages.js';

const work = mkdtempSync(join(tmpdir(), 'tether-audit-intents-'));
after(() => rmSync(work, { recursive: true, force: true }));

const content = { token: 'hunter2', remember: true };
const intents: Intent[] = [
  { id: 'i1', type: 'answer', requestId: 'q1', action: 'accept', content },
  { id: 'i2', type: 'set-config', configId: 'model', value: 'fast' },
  { id: 'i3', type: 'login', methodId: 'terminal-login' },
];

function logged(prompts: 'full' | 'hash'): Array<Record<string, unknown>> {
  const path = join(work, `${prompts}.jsonl`);
  const log = new AuditLog(path, prompts);
  const hook = log.intentHook('s1');
  for (const intent of intents) assert.equal(hook(intent, LOCAL_ACTOR), null);
  log.close();
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test("a question's answers are hashed by default, like prompts; settings and logins as they are", () => {
  const [answer, config, login] = logged('hash');
  assert.equal(answer!.event, 'answer');
  assert.equal(answer!.requestId, 'q1');
  assert.equal(answer!.action, 'accept');
  assert.equal(answer!.content, undefined, 'the answers themselves are not in the log');
  assert.ok(!JSON.stringify(answer).includes('hunter2'));
  assert.equal(answer!.sha256, createHash('sha256').update(JSON.stringify(content)).digest('hex'));
  assert.deepEqual([config!.event, config!.configId, config!.value], ['set-config', 'model', 'fast']);
  assert.deepEqual([login!.event, login!.methodId], ['login', 'terminal-login']);
});

test('with --audit-prompts full the answers are kept', () => {
  const [answer] = logged('full');
  assert.deepEqual(answer!.content, content);
  assert.equal(answer!.sha256, undefined);
});
