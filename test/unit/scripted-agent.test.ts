/**
 * Proves test/fixtures/scripted-agent.ts is a real ACP agent: spawns it as a child process and drives it over
 * stdio with the SDK's client side (initialize, session/new, prompts, permission, cancel, crash, stdin close).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { tmpdir } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  client,
  methods,
  ndJsonStream,
  PROTOCOL_VERSION,
  type ClientConnection,
  type PromptResponse,
  type RequestPermissionRequest,
  type RequestPermissionResponse,
  type SessionNotification,
} from '@agentclientprotocol/sdk';
import { bounded, waitFor } from '../helpers/wait-for.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/scripted-agent.ts', import.meta.url));
/** tsx resolved from this file, so the agent can run with any cwd (a bare `--import tsx` resolves from the cwd). */
const TSX_LOADER = import.meta.resolve('tsx');

type AgentChild = ChildProcessByStdio<Writable, Readable, Readable>;

/** A running scripted agent with everything it wrote to stderr and its exit. */
interface RunningAgent {
  child: AgentChild;
  stderr(): string;
  exited: Promise<number | string>;
}

function startAgent(): RunningAgent {
  // cwd is deliberately not the package root: the fixture must not depend on it.
  const child = spawn(process.execPath, ['--import', TSX_LOADER, FIXTURE], { cwd: tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, stderr: () => stderr, exited };
}

/** An ACP stream over a child's stdio: we write its stdin and read its stdout, one JSON message per line. */
function childStream(child: AgentChild): ReturnType<typeof ndJsonStream> {
  return ndJsonStream(Writable.toWeb(child.stdin) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>);
}

/** The texts of the agent_message_chunk updates among `updates`, in arrival order. */
function messageTexts(updates: SessionNotification[]): string[] {
  return updates.flatMap(({ update }) =>
    update.sessionUpdate === 'agent_message_chunk' && update.content.type === 'text' ? [update.content.text] : [],
  );
}

describe('scripted ACP agent (child process, SDK client side)', () => {
  let agentProcess: RunningAgent;
  let connection: ClientConnection;
  let sessionId: string;
  /** Every session/update received, in order; tests slice from the length they saw before prompting. */
  const updates: SessionNotification[] = [];
  const permissionRequests: RequestPermissionRequest[] = [];
  /** How the next session/request_permission is answered; each test sets it. */
  let answerPermission: (request: RequestPermissionRequest) => Promise<RequestPermissionResponse> = async () => ({
    outcome: { outcome: 'cancelled' },
  });

  /**
   * Sends one text prompt and waits (with a timeout) for its response, then one macrotask more: the SDK
   * dispatches notifications through microtask hops, and a setImmediate lets every update that preceded
   * the response reach `updates` before the test looks.
   */
  async function prompt(text: string, timeoutMs = 5000): Promise<PromptResponse> {
    const res = await bounded(
      connection.agent.request(methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text }] }),
      timeoutMs,
      `the "${text}" turn`,
    );
    await new Promise<void>((r) => setImmediate(r));
    return res;
  }

  before(async () => {
    agentProcess = startAgent();
    // session/update is registered first on purpose: the SDK walks its handler list with one `await` per
    // handler, so a notification whose handler sits behind others can be handled *after* the prompt response
    // that followed it on the wire has already resolved (see `prompt` above).
    const app = client({ name: 'scripted-agent-test' })
      .onNotification(methods.client.session.update, ({ params }) => {
        updates.push(params);
      })
      .onRequest(methods.client.session.requestPermission, ({ params }) => {
        permissionRequests.push(params);
        return answerPermission(params);
      });
    connection = app.connect(childStream(agentProcess.child));
  });

  after(async () => {
    connection?.close();
    if (agentProcess && agentProcess.child.exitCode === null && agentProcess.child.signalCode === null) {
      agentProcess.child.kill('SIGKILL');
    }
    await agentProcess?.exited;
  });

  it('initializes with the SDK protocol version and its capabilities', async () => {
    const init = await bounded(
      connection.agent.request(methods.agent.initialize, {
        protocolVersion: PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
        clientInfo: { name: 'scripted-agent-test', version: '0.0.0' },
      }),
      5000,
      'initialize',
    );
    assert.equal(init.protocolVersion, PROTOCOL_VERSION);
    assert.equal(init.agentCapabilities?.loadSession, true);
    assert.equal(init.agentCapabilities?.promptCapabilities?.image, true);
  });

  it('creates a session with modes', async () => {
    const created = await bounded(connection.agent.request(methods.agent.session.new, { cwd: tmpdir(), mcpServers: [] }), 5000, 'session/new');
    sessionId = created.sessionId;
    assert.ok(sessionId.length > 0);
    assert.deepEqual(created.modes, {
      currentModeId: 'code',
      availableModes: [
        { id: 'ask', name: 'Ask' },
        { id: 'code', name: 'Code' },
      ],
    });
  });

  it('echo: answers in one chunk and ends the turn', async () => {
    const from = updates.length;
    const res = await prompt('echo hi');
    assert.equal(res.stopReason, 'end_turn');
    assert.deepEqual(messageTexts(updates.slice(from)), ['You said: hi']);
    assert.ok(updates.slice(from).every((n) => n.sessionId === sessionId));
  });

  it('stream 50: 50 chunks in order, all of one message', async () => {
    const from = updates.length;
    const res = await prompt('stream 50');
    assert.equal(res.stopReason, 'end_turn');
    const turnUpdates = updates.slice(from);
    assert.deepEqual(
      messageTexts(turnUpdates),
      Array.from({ length: 50 }, (_, i) => `w${i} `),
    );
    const ids = new Set(turnUpdates.map(({ update }) => (update.sessionUpdate === 'agent_message_chunk' ? update.messageId : undefined)));
    assert.equal(ids.size, 1, 'every chunk carries the same messageId');
  });

  it('permission: the agent asks with its three options and reports the answer', async () => {
    const from = updates.length;
    const asked = permissionRequests.length;
    answerPermission = async () => ({ outcome: { outcome: 'selected', optionId: 'allow-once' } });
    const res = await prompt('permission');
    assert.equal(res.stopReason, 'end_turn');
    assert.equal(permissionRequests.length, asked + 1);
    const request = permissionRequests[asked]!;
    assert.equal(request.sessionId, sessionId);
    assert.equal(request.toolCall.title, 'Do something risky');
    assert.deepEqual(
      request.options.map((o) => [o.optionId, o.name, o.kind]),
      [
        ['allow-once', 'Allow once', 'allow_once'],
        ['allow-always', 'Allow always', 'allow_always'],
        ['reject-once', 'Reject', 'reject_once'],
      ],
    );
    assert.deepEqual(messageTexts(updates.slice(from)), ['permission: allow-once']);
  });

  it('cancel: stream 1000 5 stops within 1 s of session/cancel with stopReason cancelled', async () => {
    const from = updates.length;
    const turn = connection.agent.request(methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: 'stream 1000 5' }] });
    await waitFor(() => messageTexts(updates.slice(from)).length >= 5, 5000, 'a few streamed chunks');
    const cancelledAt = Date.now();
    await connection.agent.notify(methods.agent.session.cancel, { sessionId });
    const res = await bounded(turn, 1000, 'the cancelled turn to end');
    assert.equal(res.stopReason, 'cancelled');
    assert.ok(Date.now() - cancelledAt < 1000);
    await new Promise<void>((r) => setImmediate(r));
    const chunks = messageTexts(updates.slice(from));
    assert.ok(chunks.length < 1000, `stopped early (${chunks.length} chunks)`);
    assert.deepEqual(chunks, Array.from({ length: chunks.length }, (_, i) => `w${i} `));
  });

  it('cancel while a permission request is pending: answered cancelled, turn cancelled', async () => {
    const asked = permissionRequests.length;
    // The client answers "cancelled" only once it has sent session/cancel, as ACP requires.
    let release!: () => void;
    const cancelSent = new Promise<void>((r) => (release = r));
    answerPermission = async () => {
      await cancelSent;
      return { outcome: { outcome: 'cancelled' } };
    };
    const turn = connection.agent.request(methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: 'permission' }] });
    await waitFor(() => permissionRequests.length > asked, 5000, 'the permission request');
    await connection.agent.notify(methods.agent.session.cancel, { sessionId });
    release();
    const res = await bounded(turn, 1000, 'the cancelled permission turn');
    assert.equal(res.stopReason, 'cancelled');
  });

  it('crash: exits with code 3 after five stderr lines, without answering', async () => {
    const turn = connection.agent.request(methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text: 'crash' }] });
    // The connection closes when the child's stdout ends, so the unanswered prompt must reject.
    const settled = turn.then(
      () => 'answered',
      () => 'rejected',
    );
    assert.equal(await bounded(agentProcess.exited, 5000, 'the agent to exit'), 3);
    assert.equal(await bounded(settled, 5000, 'the prompt to reject'), 'rejected');
    assert.deepEqual(
      agentProcess.stderr().trim().split('\n'),
      [1, 2, 3, 4, 5].map((n) => `fatal: scripted crash line ${n}`),
    );
  });
});

describe('scripted ACP agent lifecycle', () => {
  let agentProcess: RunningAgent | undefined;

  after(async () => {
    if (agentProcess && agentProcess.child.exitCode === null && agentProcess.child.signalCode === null) agentProcess.child.kill('SIGKILL');
    await agentProcess?.exited;
  });

  it('exits cleanly (code 0) when its stdin closes', async () => {
    agentProcess = startAgent();
    const running = agentProcess;
    // connectWith: the connection lives exactly as long as the callback, then closes. Closing stops reading
    // but does NOT end the writable side, so the child's stdin must be ended by hand.
    const init = await bounded(
      client({ name: 'scripted-agent-lifecycle' }).connectWith(childStream(running.child), (agent) =>
        agent.request(methods.agent.initialize, { protocolVersion: PROTOCOL_VERSION, clientCapabilities: {} }),
      ),
      5000,
      'initialize via connectWith',
    );
    assert.equal(init.protocolVersion, PROTOCOL_VERSION);
    assert.equal(running.child.stdin.writableEnded, false, 'the SDK leaves the stdin pipe open');
    running.child.stdin.end();
    assert.equal(await bounded(running.exited, 5000, 'the agent to exit after stdin closed'), 0);
    assert.equal(running.stderr(), '');
  });
});
