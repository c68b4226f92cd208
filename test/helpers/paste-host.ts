/**
 * Paste tests against the real `tether remote-control` process: a host running a given program, a
 * device that pastes, a second shell session and /healthz watched meanwhile, and the three programs
 * (cat, bash with bracketed paste, vim) each paste size is tried on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type CliHost } from './cli-host.js';
import { joinClient, type TestClient } from './terminal-host.js';
import { asTyped, BRACKETED_PASTE_ON, pasteText, sendPaste, StallWatch } from './paste.js';
import { bounded, waitFor } from './wait-for.js';

/** The longest /healthz or second-session answer a paste may cause (a hang bound, not a speed target). */
export const HANG_BOUND_MS = 1000;

const running: CliHost[] = [];
const clients: TestClient[] = [];
const folders: string[] = [];

/** Ends every host and device started here and deletes their folders (call from `after`). */
export function closePasteHosts(): void {
  for (const c of clients.splice(0)) c.close();
  for (const h of running.splice(0)) h.kill();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}


/** A host under test. */
export interface PasteHost {
  cli: CliHost;
  /** The program's working folder. */
  dir: string;
  device: TestClient;
  healthz: string;
  /** A second terminal session (a shell) on the same host. */
  other: TestClient;
}

/** Starts the real CLI running `program` in a fresh folder, a device on it, and a second shell session. */
export async function startPasteHost(program: string[]): Promise<PasteHost> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'tether-paste-')));
  folders.push(dir);
  const cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--allow-agent', 'shell', '--', ...program], { SHELL: '/bin/sh', PS1: '$ ', HISTFILE: '/dev/null' }, dir);
  running.push(cli);
  const ready = await cli.event('ready');
  const device = await joinClient(String(ready.url), 'paster');
  clients.push(device);
  const list = await joinClient(String(ready.serverUrl), 'list');
  clients.push(list);
  const started = await list.client.sendIntent({ type: 'start-session', agent: 'shell', name: 'other' });
  assert.equal(started.ok, true, JSON.stringify(started));
  const isOther = (e: Record<string, unknown>): boolean => e.event === 'session-started' && e.name === 'other';
  await waitFor(() => cli.events.some(isOther), 10_000, 'second session started');
  const other = await joinClient(String(cli.events.find(isOther)!.url), 'other');
  clients.push(other);
  list.close();
  return { cli, dir, device, other, healthz: `${String(ready.signal)}/healthz` };
}

/** Types into the second session and measures each echo round trip; the worst is the session's stall. */
class SessionWatch {
  private worst = 0;
  private stopped = false;
  private failure: Error | null = null;
  private readonly loop: Promise<void>;

  constructor(private readonly client: TestClient) {
    // Kept until stop(), so a stall fails the test that is watching rather than surfacing unhandled.
    this.loop = this.run().catch((err: Error) => void (this.failure = err));
  }

  /** Stops typing; returns the worst round trip in ms, or throws why the session stopped answering. */
  async stop(): Promise<number> {
    this.stopped = true;
    await this.loop;
    if (this.failure) throw this.failure;
    return this.worst;
  }

  private async run(): Promise<void> {
    for (let n = 1; !this.stopped; n++) {
      const t0 = performance.now();
      // The shell computes the answer, so the typed command itself never matches.
      const expected = `pong-${n * 2}`;
      const reply = await bounded(this.client.client.sendIntent({ type: 'input', data: `echo pong-$((${n}*2))\r` }), 5000, 'second session input');
      assert.equal(reply.ok, true, JSON.stringify(reply));
      await waitFor(() => this.client.text().includes(expected), 10_000, `second session answers ${expected}`);
      this.worst = Math.max(this.worst, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Runs `work` while watching /healthz and the second session; asserts both kept answering. */
export async function whileWatching(host: PasteHost, work: () => Promise<void>): Promise<void> {
  const health = new StallWatch(host.healthz);
  const session = new SessionWatch(host.other);
  try {
    await work();
  } finally {
    const healthWorst = await health.stop();
    const sessionWorst = await session.stop().catch((err: Error) => {
      throw new Error(`${err.message} (meanwhile /healthz: worst ${healthWorst.toFixed(0)} ms, ${health.failures} failed)`);
    });
    assert.equal(health.failures, 0, '/healthz never failed');
    assert.ok(healthWorst < HANG_BOUND_MS, `/healthz stalled ${healthWorst.toFixed(0)} ms`);
    assert.ok(sessionWorst < HANG_BOUND_MS, `second session stalled ${sessionWorst.toFixed(0)} ms`);
  }
}

/** Types `data` on the device (bounded); the intent must be accepted. */
export async function typeKeys(host: PasteHost, data: string): Promise<void> {
  const reply = await bounded(host.device.client.sendIntent({ type: 'input', data }), 5000, JSON.stringify(data));
  assert.equal(reply.ok, true, JSON.stringify(reply));
}

/** Sends a paste; every intent must be accepted. */
async function paste(host: PasteHost, data: string): Promise<void> {
  const replies = await bounded(sendPaste(host.device.client, data), 30_000, 'the paste\'s intents');
  for (const r of replies) assert.equal(r.ok, true, JSON.stringify(r));
}

/** Waits until `path` holds as many bytes as `expected`, then compares, naming the first difference. */
export async function assertFileBecomes(path: string, expected: string, timeoutMs = 60_000): Promise<void> {
  const want = Buffer.from(expected);
  const size = (): number => (existsSync(path) ? statSync(path).size : -1);
  await waitFor(() => size() >= want.length, timeoutMs, `${path} to reach ${want.length} bytes`).catch((err: Error) => {
    throw new Error(`${err.message} (it has ${size()})`);
  });
  const got = readFileSync(path);
  if (got.equals(want)) return;
  let i = 0;
  while (i < got.length && got[i] === want[i]) i++;
  assert.fail(`${path}: ${got.length} bytes, expected ${want.length}; first difference at byte ${i}: got ${JSON.stringify(got.subarray(i, i + 40).toString())}, expected ${JSON.stringify(want.subarray(i, i + 40).toString())}`);
}

/** Defines the tests that paste `bytes` into cat, bash and vim. */
export function pasteProgramTests(bytes: number): void {
  const label = bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;

  test(`${label} pasted into cat arrives complete and in order; /healthz and a second session keep answering`, async () => {
    // tee is cat that keeps a copy: it writes the paste back to the terminal as `cat` does (so a
    // host that stops reading the PTY deadlocks it), and to a file to compare.
    const host = await startPasteHost(['tee', 'pasted.txt']);
    const text = pasteText(bytes);
    await whileWatching(host, async () => {
      await paste(host, asTyped(text, false));
      await assertFileBecomes(join(host.dir, 'pasted.txt'), text);
    });
  });

  test(`${label} pasted into bash as a bracketed paste arrives complete and in order`, async () => {
    const host = await startPasteHost(['/bin/bash', '--norc', '--noprofile', '-i']);
    await waitFor(() => host.device.text().includes(BRACKETED_PASTE_ON), 10_000, 'bash asks for bracketed pastes');
    const text = pasteText(bytes);
    await whileWatching(host, async () => {
      await paste(host, asTyped(`cat > pasted.txt <<'EOF'\n${text}EOF\n`, true));
      // Inside a bracketed paste the line ends are text, not Enter: nothing has run yet.
      assert.equal(existsSync(join(host.dir, 'pasted.txt')), false, 'the paste was not executed line by line');
      await typeKeys(host, '\r');
      await assertFileBecomes(join(host.dir, 'pasted.txt'), text);
    });
  });

  test(`${label} pasted into vim arrives complete and in order`, async () => {
    const host = await startPasteHost(['vim', '-u', 'NONE', '-i', 'NONE', '-N', '-n']);
    await waitFor(() => host.device.text().includes(BRACKETED_PASTE_ON), 10_000, 'vim asks for bracketed pastes');
    const text = pasteText(bytes);
    await whileWatching(host, async () => {
      await typeKeys(host, 'i');
      await paste(host, asTyped(text, true));
      // The paste's last line break leaves an empty last line in the buffer: delete it, then write.
      for (const keys of ['\x1b', ':$d\r', ':w pasted.txt\r']) await typeKeys(host, keys);
      await assertFileBecomes(join(host.dir, 'pasted.txt'), text);
    });
  });
}
