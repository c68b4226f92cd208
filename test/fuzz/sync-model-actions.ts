/**
 * What the host writes during a sync fuzz scenario, through the real writers of the three documents:
 * terminal output chunks (trimmed to a small scrollback), sizes and exits; conversation updates as the ACP
 * SDK types them, prompts, permissions and the queue; session list rows. Actions are plain data, so a
 * failing scenario can be stored and replayed.
 */
import fc from 'fast-check';
import * as Y from 'yjs';
import type { SessionUpdate } from '@agentclientprotocol/sdk';
import { TerminalDocWriter } from '../../host/terminal-doc-writer.js';
import { ConversationWriter } from '../../host/conversation-writer.js';
import { SessionListWriter } from '../../host/session-list-writer.js';
import { terminalDocView } from '../../protocol/terminal-doc.js';
import { conversationDocView } from '../../protocol/conversation-doc.js';
import { sessionListDocView } from '../../protocol/session-list-doc.js';
import type { ListedSession } from '../../protocol/session-list-doc.js';
import { canonicalJson } from './canonical-json.js';

/** The three hosted documents. */
export type DocKind = 'terminal' | 'conversation' | 'list';

/** One host-side write. */
export type HostAction =
  | { a: 'output'; text: string }
  | { a: 'size'; cols: number; rows: number; owner: string | null }
  | { a: 'exit'; code: number }
  | { a: 'rename'; name: string }
  | { a: 'acp'; update: SessionUpdate }
  | { a: 'prompt'; text: string }
  | { a: 'permission'; title: string; options: number }
  | { a: 'answer'; pick: number; cancel: boolean }
  | { a: 'queue'; text: string }
  | { a: 'queue-edit'; pick: number; text: string }
  | { a: 'queue-remove'; pick: number }
  | { a: 'queue-shift' }
  | { a: 'status'; status: 'idle' | 'working' | 'awaiting-permission' }
  | { a: 'ended'; reason: string }
  | { a: 'row-add'; name: string }
  | { a: 'row-update'; pick: number; state: ListedSession['state'] }
  | { a: 'row-remove'; pick: number };

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });
const toolId = fc.constantFrom('t0', 't1', 't2', 't3');
const contentBlock = fc.oneof(
  fc.record({ type: fc.constant('text' as const), text: fc.string({ maxLength: 40 }) }),
  fc.record({ type: fc.constant('image' as const), data: fc.constant('iVBORw0KGgo='), mimeType: fc.constant('image/png') }),
  fc.record({ type: fc.constant('resource_link' as const), name: text, uri: fc.constant('file:///tmp/x') }),
);
const toolContent = fc.array(
  fc.oneof(
    fc.record({ type: fc.constant('content' as const), content: contentBlock }),
    fc.record({ type: fc.constant('diff' as const), path: fc.constant('/tmp/a.ts'), oldText: fc.option(text), newText: text }),
    fc.record({ type: fc.constant('terminal' as const), terminalId: fc.constant('term-1') }),
  ),
  { maxLength: 3 },
);
const toolKind = fc.constantFrom('read', 'edit', 'execute', 'other' as const);
const toolStatus = fc.constantFrom('pending', 'in_progress', 'completed', 'failed' as const);
const locations = fc.array(fc.record({ path: fc.constant('/tmp/a.ts'), line: fc.option(fc.nat(500)) }), { maxLength: 2 });

/** ACP session updates as agents send them (the writer ignores the kinds it does not show). */
export const acpUpdate: fc.Arbitrary<SessionUpdate> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ sessionUpdate: fc.constantFrom('agent_message_chunk' as const, 'agent_thought_chunk' as const, 'user_message_chunk' as const), content: contentBlock }) },
  { weight: 2, arbitrary: fc.record({ sessionUpdate: fc.constant('tool_call' as const), toolCallId: toolId, title: text, kind: toolKind, status: toolStatus, content: toolContent, locations }, { requiredKeys: ['sessionUpdate', 'toolCallId', 'title'] }) },
  { weight: 3, arbitrary: fc.record({ sessionUpdate: fc.constant('tool_call_update' as const), toolCallId: toolId, title: fc.option(text), kind: fc.option(toolKind), status: fc.option(toolStatus), content: fc.option(toolContent), locations: fc.option(locations) }, { requiredKeys: ['sessionUpdate', 'toolCallId'] }) },
  { weight: 1, arbitrary: fc.record({ sessionUpdate: fc.constant('plan' as const), entries: fc.array(fc.record({ content: text, priority: fc.constantFrom('high', 'medium', 'low' as const), status: fc.constantFrom('pending', 'in_progress', 'completed' as const) }), { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ sessionUpdate: fc.constant('current_mode_update' as const), currentModeId: fc.constantFrom('ask', 'code') }) },
  { weight: 1, arbitrary: fc.record({ sessionUpdate: fc.constant('session_info_update' as const), title: fc.option(text) }) },
  { weight: 1, arbitrary: fc.record({ sessionUpdate: fc.constant('notice' as const), severity: fc.constantFrom('info', 'warning', 'error'), title: text, description: fc.option(text) }) },
  { weight: 1, arbitrary: fc.record({ sessionUpdate: fc.constant('usage_update' as const), used: fc.nat(1000), size: fc.constant(1000) }) },
);

/** Host writes for one kind of document. */
export function hostActions(kind: DocKind): fc.Arbitrary<HostAction> {
  const rename = { weight: 1, arbitrary: fc.record({ a: fc.constant('rename' as const), name: text }) };
  if (kind === 'terminal') {
    return fc.oneof(
      { weight: 10, arbitrary: fc.record({ a: fc.constant('output' as const), text: fc.oneof(text, fc.string({ minLength: 50, maxLength: 400 })) }) },
      { weight: 2, arbitrary: fc.record({ a: fc.constant('size' as const), cols: fc.integer({ min: 2, max: 300 }), rows: fc.integer({ min: 1, max: 100 }), owner: fc.option(fc.constantFrom('p1', 'p2')) }) },
      { weight: 1, arbitrary: fc.record({ a: fc.constant('exit' as const), code: fc.integer({ min: 0, max: 255 }) }) },
      rename,
    );
  }
  if (kind === 'conversation') {
    return fc.oneof(
      { weight: 10, arbitrary: fc.record({ a: fc.constant('acp' as const), update: acpUpdate }) },
      { weight: 2, arbitrary: fc.record({ a: fc.constant('prompt' as const), text }) },
      { weight: 1, arbitrary: fc.record({ a: fc.constant('permission' as const), title: text, options: fc.integer({ min: 1, max: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ a: fc.constant('answer' as const), pick: fc.nat(), cancel: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ a: fc.constant('queue' as const), text }) },
      { weight: 1, arbitrary: fc.record({ a: fc.constant('queue-edit' as const), pick: fc.nat(), text }) },
      { weight: 1, arbitrary: fc.record({ a: fc.constant('queue-remove' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.constant({ a: 'queue-shift' as const }) },
      { weight: 1, arbitrary: fc.record({ a: fc.constant('status' as const), status: fc.constantFrom('idle', 'working', 'awaiting-permission' as const) }) },
      { weight: 1, arbitrary: fc.record({ a: fc.constant('ended' as const), reason: text }) },
      rename,
    );
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ a: fc.constant('row-add' as const), name: text }) },
    { weight: 4, arbitrary: fc.record({ a: fc.constant('row-update' as const), pick: fc.nat(), state: fc.constantFrom('running', 'idle', 'working', 'ended' as const) }) },
    { weight: 1, arbitrary: fc.record({ a: fc.constant('row-remove' as const), pick: fc.nat() }) },
  );
}

/** A hosted document with its real writer: applies host actions and marks applied intents. */
export interface HostedDoc {
  readonly doc: Y.Doc;
  apply(action: HostAction): void;
  /** Writes what an applied intent did (a marker naming its id). */
  markIntent(id: string): void;
  /** Every shared type, as JSON, read through the document's own view. */
  snapshot(doc: Y.Doc): string;
}

/** Creates the host document of `kind`; `scrollback` keeps terminal trimming frequent. */
export function hostedDoc(kind: DocKind, scrollback: number): HostedDoc {
  const doc = new Y.Doc();
  if (kind === 'terminal') {
    const w = new TerminalDocWriter(doc, { name: 'fuzz', command: 'sh', cols: 80, rows: 24 }, scrollback);
    return {
      doc,
      apply(action) {
        if (action.a === 'output') w.appendOutput(action.text);
        else if (action.a === 'size') w.setSize(action.cols, action.rows, action.owner);
        else if (action.a === 'exit') w.setExited(action.code, null);
        else if (action.a === 'rename') w.setName(action.name);
        // Written now, not after OUTPUT_FLUSH_MS: the scenario, not a timer, decides the order.
        w.flush();
      },
      markIntent(id) {
        w.appendOutput(`<${id}>`);
        w.flush();
      },
      snapshot(d) {
        const v = terminalDocView(d);
        return canonicalJson([v.meta.toJSON(), v.term.toJSON(), v.output.toJSON()]);
      },
    };
  }
  if (kind === 'conversation') {
    const w = new ConversationWriter(doc, { name: 'fuzz', agent: 'fuzz', command: 'fuzz', cwd: '/tmp' });
    const requests: string[] = [];
    return {
      doc,
      apply(action) {
        const pick = <T>(list: T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);
        if (action.a === 'acp') w.applyUpdate(action.update);
        else if (action.a === 'prompt') w.addUserPrompt({ id: 'q', text: action.text, images: 0, by: 'fuzz', byDeviceId: null });
        else if (action.a === 'permission') requests.push(w.addPermission(null, action.title, Array.from({ length: action.options }, (_, i) => ({ optionId: `o${i}`, name: `option ${i}`, kind: 'allow_once' }))));
        else if (action.a === 'answer') {
          const id = pick(requests, action.pick);
          if (id) w.resolvePermission(id, action.cancel ? 'cancelled' : 'answered', { optionId: action.cancel ? null : 'o0', name: 'fuzz', by: 'fuzz', byDeviceId: null, at: 1 });
        } else if (action.a === 'queue') w.enqueue({ id: `q${w.view.queue.length}`, text: action.text, images: 0, by: 'fuzz', byDeviceId: null });
        else if (action.a === 'queue-edit' && w.view.queue.length) w.editQueued(action.pick % w.view.queue.length, action.text);
        else if (action.a === 'queue-remove' && w.view.queue.length) w.removeQueued(action.pick % w.view.queue.length);
        else if (action.a === 'queue-shift') w.shiftQueue();
        else if (action.a === 'status') w.setStatus(action.status);
        else if (action.a === 'ended') w.setEnded(action.reason, 0, '');
        else if (action.a === 'rename') w.setName(action.name);
      },
      markIntent(id) {
        w.addNotice('info', `<${id}>`);
      },
      snapshot(d) {
        const v = conversationDocView(d);
        return canonicalJson([v.meta.toJSON(), v.state.toJSON(), v.entries.toJSON(), v.queue.toJSON()]);
      },
    };
  }
  const w = new SessionListWriter(doc, { name: 'fuzz', hostname: 'fuzz', folder: '/tmp', capacity: 8, spawnMode: 'same-dir', agents: [], defaultAgent: 'shell' });
  const rows: string[] = [];
  const row = (id: string, name: string): ListedSession => ({ id, name, agent: 'shell', kind: 'terminal', folder: '/tmp', branch: null, state: 'starting', endedReason: null, startedAt: 1, lastActivity: 1, usage: null });
  return {
    doc,
    apply(action) {
      const at = rows.length ? (action as { pick?: number }).pick ?? 0 : 0;
      if (action.a === 'row-add') {
        rows.push(`row${rows.length}`);
        w.add(row(rows[rows.length - 1]!, action.name));
      } else if (action.a === 'row-update' && rows.length) w.update(rows[at % rows.length]!, { state: action.state, lastActivity: at });
      else if (action.a === 'row-remove' && rows.length) w.remove(rows.splice(at % rows.length, 1)[0]!);
    },
    markIntent(id) {
      w.add(row(id, `<${id}>`));
    },
    snapshot(d) {
      const v = sessionListDocView(d);
      return canonicalJson([v.meta.toJSON(), v.sessions.toJSON()]);
    },
  };
}
