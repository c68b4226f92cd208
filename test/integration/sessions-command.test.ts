/**
 * `tether sessions` against a real state folder: it lists what a running server stores (live, its size,
 * the total disk use), never prunes what a running tether serves, and once the server stopped lists its
 * session as interrupted and prunes it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { freshStateDir } from '../helpers/state-dir.js';
import { packageRoot } from '../../host/package-paths.js';

const running: CliHost[] = [];
after(() => {
  for (const h of running) h.kill();
});

interface Listed {
  storedBytes: number;
  fileBytes: number;
  sessions: Array<{ id: string; state: string; bytes: number; origin: string }>;
}

function sessions(stateDir: string, args: string[]): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(packageRoot(), 'bin', 'tether.js'), 'sessions', ...args, '--json', '--state-dir', stateDir], { timeout: 20_000 }, (err, stdout, stderr) => {
      try {
        resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, json: JSON.parse(stdout) as Record<string, unknown> });
      } catch (parseErr) {
        reject(new Error(`tether sessions printed no JSON (${String(parseErr)}): ${stdout}${stderr}`));
      }
    });
  });
}

test('tether sessions lists stored sessions and their disk use, and prunes only what no tether serves', async () => {
  const stateDir = freshStateDir();
  const folder = mkdtempSync(join(tmpdir(), 'tether-sessions-'));
  const host = startCli(['remote-control', '--json', '--local', '--port', '0', '--', '/bin/sh'], { TETHER_STATE_DIR: stateDir, PS1: '$ ' }, folder);
  running.push(host);
  const sessionId = String((await host.event('ready')).sessionId);

  const live = (await sessions(stateDir, [])).json as unknown as Listed;
  assert.deepEqual(live.sessions.map((s) => [s.id, s.state, s.origin]), [[sessionId, 'live', 'server']]);
  assert.ok(live.sessions[0]!.bytes > 0 && live.storedBytes >= live.sessions[0]!.bytes && live.fileBytes > 0, JSON.stringify(live));

  const refused = await sessions(stateDir, ['prune', sessionId]);
  assert.equal(refused.status, 1, 'a session a running tether serves is not removed');
  assert.deepEqual(refused.json.notRemoved, [sessionId]);

  host.child.kill('SIGTERM');
  await host.exited;
  const stopped = (await sessions(stateDir, [])).json as unknown as Listed;
  assert.deepEqual(stopped.sessions.map((s) => [s.id, s.state]), [[sessionId, 'interrupted']]);

  const pruned = await sessions(stateDir, ['prune', '--all']);
  assert.equal(pruned.status, 0);
  assert.deepEqual(pruned.json.removed, [sessionId]);
  const empty = (await sessions(stateDir, [])).json as unknown as Listed;
  assert.deepEqual(empty.sessions, []);
  assert.equal(empty.storedBytes, 0);
});
