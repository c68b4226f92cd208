/**
 * How long an ACP agent takes to become usable on its own, without tether: spawn its command line
 * (as the host does, through /bin/sh -c), send ACP initialize and session/new over stdio, and time
 * the replies. A reference for the time it takes to start a conversation session.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { withTimeout } from './wait.js';

/** Milliseconds from spawn to the initialize reply and to the session/new reply. */
export interface AgentStartup {
  initialized: number;
  sessionReady: number;
}

/** Starts `commandLine` once, opens an ACP session in `cwd`, then ends it. */
export async function timeAgentStartup(commandLine: string, cwd: string, timeoutMs = 15_000): Promise<AgentStartup> {
  const t0 = performance.now();
  const child = spawn('/bin/sh', ['-c', commandLine], { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  const replies = new Map<number, number>();
  const waiters = new Map<number, () => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    let id: unknown;
    try {
      id = (JSON.parse(line) as { id?: unknown }).id;
    } catch (err) {
      // Not JSON-RPC: the agent's own noise on stdout; it does not answer anything.
      void err;
      return;
    }
    if (typeof id !== 'number') return;
    replies.set(id, performance.now());
    waiters.get(id)?.();
  });
  const reply = (id: number): Promise<void> => (replies.has(id) ? Promise.resolve() : new Promise((resolve) => waiters.set(id, resolve)));
  const send = (id: number, method: string, params: object): void => {
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
  };
  try {
    send(1, 'initialize', { protocolVersion: 1, clientCapabilities: {} });
    await withTimeout(reply(1), timeoutMs, 'the agent to answer initialize');
    send(2, 'session/new', { cwd, mcpServers: [] });
    await withTimeout(reply(2), timeoutMs, 'the agent to answer session/new');
    return { initialized: replies.get(1)! - t0, sessionReady: replies.get(2)! - t0 };
  } finally {
    child.stdin.end();
    child.kill();
  }
}
