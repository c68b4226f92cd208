/**
 * One seeded fault run against the running environment: a workload (terminal output streaming, prompts
 * sent at random moments), the fault, the recovery, then the invariants — every replica equal to the
 * host's document, no prompt lost or doubled, no device stuck, no process of a killed host left running —
 * and how long each device took to be live again after the fault ended.
 */
import { readConversationState, readEntry, readQueued, readStatus } from '../protocol/conversation-doc.js';
import { readListedSessions, sessionListDocView } from '../protocol/session-list-doc.js';
import { createHash } from 'node:crypto';
import { digest } from './digest.js';
import { sleep, waitUntil, type FaultEnv } from './fault-env.js';
import type { Scenario } from './scenario.js';
import type { FleetEvent } from './fleet.js';

/** What one run found. */
export interface RunResult {
  seed: number;
  kind: string;
  durationMs: number;
  prompts: number;
  lost: number;
  doubled: number;
  stuck: number;
  diverged: number;
  leftover: number;
  /** The host died during the run (a crash, not a fault the suite injected). */
  crashed?: number;
  /** Per device that was down when the fault ended: ms until it was live again. */
  recoveries: number[];
  hostRssBytes: number;
  /** The anonymous part of it (absent in results recorded before it was). */
  hostAnonBytes?: number;
  /** With --probe: V8's live data after a full collection, and memory held outside V8's heap (bytes). */
  hostV8LiveBytes?: number;
  hostExternalBytes?: number;
  wallMs: number;
  notes: string[];
}

/** Names of the always-on fleet devices. */
export const TERM_DEVICES = ['term-a', 'term-b'];
export const CONV_DEVICES = ['conv-a', 'conv-b'];
const STORM_DEVICES = 50;
/** A page not live by the check is watched this much longer, to tell late from never. */
const PAGE_LATE_WATCH_MS = 120_000;

function lastState(env: FaultEnv, name: string): string | null {
  for (let i = env.fleetEvents.length - 1; i >= 0; i--) {
    const e = env.fleetEvents[i]!;
    if (e.ev === 'state' && e.name === name) return e.state;
  }
  return null;
}

/** Asks the fleet for its replicas' digests. */
async function fleetDigest(env: FaultEnv, id: number): Promise<Extract<FleetEvent, { ev: 'digest' }>['devices']> {
  env.fleetSend({ op: 'digest', id });
  let found: Extract<FleetEvent, { ev: 'digest' }> | undefined;
  await waitUntil(() => (found = env.fleetEvents.find((e): e is Extract<FleetEvent, { ev: 'digest' }> & { seen: number } => e.ev === 'digest' && e.id === id)) !== undefined, 10_000, 'fleet digest');
  return found!.devices;
}

/** The page's terminal document, fingerprinted like digest() (content only: the page has no Yjs export). */
async function pageHash(env: FaultEnv): Promise<{ live: boolean; hash: string; state: string } | null> {
  if (!env.page) return null;
  const json = await env.page
    .evaluate(() => {
      const t = (window as unknown as { __tether?: { client: { state: string; error: { code: string; message: string } | null; doc: { share: Map<string, { toJSON(): unknown }> } } } }).__tether;
      if (!t) return null;
      const content: Record<string, unknown> = {};
      for (const key of [...t.client.doc.share.keys()].sort()) content[key] = t.client.doc.share.get(key)!.toJSON();
      const error = t.client.error;
      return { live: t.client.state === 'live', state: `${t.client.state}${error ? ` (${error.code}: ${error.message})` : ''}`, json: JSON.stringify(content) };
    })
    .catch(() => null);
  return json ? { live: json.live, state: json.state, hash: createHash('sha256').update(json.json).digest('base64url') } : null;
}

function contentHash(doc: Parameters<typeof digest>[0]): string {
  return digest(doc).hash;
}

/** Runs one scenario. */
export async function runOne(env: FaultEnv, sc: Scenario, long: boolean): Promise<RunResult> {
  const began = Date.now();
  const notes: string[] = [];
  const mark = env.fleetEvents.length;
  const markers: Array<{ name: string; marker: string }> = [];
  const lines = Math.ceil((sc.startAfterMs + sc.durationMs + 1500) / 50);
  const end = `r${sc.seed}-end`;
  void env.observer.term.sendIntent({ type: 'input', data: `i=0; while [ $i -lt ${lines} ]; do echo r${sc.seed}-$i; i=$((i+1)); sleep 0.05; done; echo ${end}\r` });
  const t0 = Date.now();
  const timers = sc.promptAt.flatMap((times, d) =>
    times.map((at, k) =>
      setTimeout(() => {
        const marker = `p${sc.seed}-${d}-${k}`;
        markers.push({ name: CONV_DEVICES[d]!, marker });
        env.fleetSend({ op: 'prompt', name: CONV_DEVICES[d]!, marker });
      }, at),
    ),
  );
  await sleep(sc.startAfterMs);
  let leftover = 0;
  let faultEnd: number;
  let stormNames: string[] = [];
  switch (sc.kind) {
    case 'cut':
      env.net.cut();
      await sleep(sc.durationMs);
      env.net.restore();
      faultEnd = Date.now();
      break;
    case 'loss':
      env.net.loss(sc.lossPercent);
      await sleep(sc.durationMs);
      env.net.noLoss();
      faultEnd = Date.now();
      break;
    case 'signal-restart':
      env.signal.child.kill('SIGKILL');
      await env.signal.exited;
      await sleep(sc.durationMs);
      await env.startSignal();
      faultEnd = Date.now();
      break;
    case 'host-stop':
      env.host.child.kill('SIGSTOP');
      await sleep(sc.durationMs);
      env.host.child.kill('SIGCONT');
      faultEnd = Date.now();
      break;
    case 'host-kill': {
      const groups = env.hostChildGroups();
      env.host.child.kill('SIGKILL');
      await env.host.exited;
      await sleep(sc.durationMs);
      await env.startHost();
      faultEnd = Date.now();
      // The killed host's programs and agents must be gone (its watchdog, or the new host, ends them).
      await sleep(Math.max(0, 3000 - sc.durationMs));
      leftover = groups.filter((g) => {
        try {
          process.kill(-g, 0);
          return true;
        } catch (err) {
          return (err as NodeJS.ErrnoException).code === 'EPERM';
        }
      }).length;
      // A person opens the list and resumes what was interrupted.
      await waitUntil(() => env.observer.list.state === 'live', 30_000, 'observer back on the list');
      for (const row of readListedSessions(sessionListDocView(env.observer.list.doc))) {
        if (row.state !== 'interrupted') continue;
        const r = await env.observer.list.sendIntent({ type: 'resume-session', sessionId: row.id });
        if (!r.ok) notes.push(`resume ${row.name}: ${r.error.code}`);
      }
      break;
    }
    case 'page-reload':
      if (env.page) await env.page.reload({ waitUntil: 'commit' }).catch((err: unknown) => notes.push(`reload: ${String(err)}`));
      faultEnd = Date.now();
      break;
    case 'storm': {
      stormNames = Array.from({ length: STORM_DEVICES }, (_, i) => `storm-${sc.seed}-${i}`);
      // Each storm slot pairs once per campaign: a campaign's storms must not fill the host's trust store.
      stormNames.forEach((name, i) => env.fleetSend({ op: 'open', name, url: env.termUrl, conversation: false, keys: `storm-${i}` }));
      await waitUntil(() => stormNames.every((n) => lastState(env, n) === 'live'), 90_000, 'storm devices live').catch((err: unknown) => notes.push(String(err)));
      env.net.cut();
      await sleep(sc.durationMs);
      env.net.restore();
      faultEnd = Date.now();
      break;
    }
  }
  // Every prompt of the scenario is handed to its device before the checks start.
  await sleep(Math.max(0, t0 + Math.max(0, ...sc.promptAt.flat()) - Date.now() + 50));
  for (const t of timers) clearTimeout(t);

  // Recovery and quiescence.
  const quiet = (long ? 120_000 : 45_000) + sc.durationMs;
  const deviceNames = [...TERM_DEVICES, ...CONV_DEVICES, ...stormNames];
  const allLive = (): boolean => deviceNames.every((n) => lastState(env, n) === 'live');
  const replied = (): boolean => markers.every((m) => env.fleetEvents.some((e) => e.ev === 'reply' && e.marker === m.marker));
  const termDone = (): boolean => sc.kind === 'host-kill' || env.observer.term.view.output.toArray().slice(-64).join('').includes(end);
  const convView = env.observer.conv.conversation;
  const convIdle = (): boolean => readStatus(convView) === 'idle' && convView.queue.length === 0;
  await waitUntil(() => allLive() && replied() && termDone() && convIdle() && env.observer.term.state === 'live' && env.observer.conv.state === 'live', quiet, 'devices live, prompts answered, output finished')
    .catch((err: unknown) => notes.push(String(err)));

  // Recovery: devices that were not live when the fault ended, until live again.
  const recoveries: number[] = [];
  for (const name of deviceNames) {
    const events = env.fleetEvents.slice(mark).filter((e) => e.ev === 'state' && e.name === name) as Array<Extract<FleetEvent, { ev: 'state' }>>;
    const before = events.filter((e) => e.at <= faultEnd);
    const downAtEnd = before.length > 0 && before.at(-1)!.state !== 'live';
    if (!downAtEnd) continue;
    const back = events.find((e) => e.at > faultEnd && e.state === 'live');
    if (back) recoveries.push(back.at - faultEnd);
  }

  // Replicas equal the host's document (the observer's replica, never faulted, follows the host).
  let stuck = 0;
  let diverged = 0;
  const expected = (): Map<string, ReturnType<typeof digest>> =>
    new Map([
      [env.observer.term.sessionId, digest(env.observer.term.doc)],
      [env.observer.conv.sessionId, digest(env.observer.conv.doc)],
    ]);
  let mismatched: string[] = [];
  const deadline = Date.now() + 20_000;
  for (let id = began; ; id++) {
    const devices = await fleetDigest(env, id);
    const want = expected();
    mismatched = devices.filter((d) => want.get(d.sessionId)?.hash !== d.hash || want.get(d.sessionId)?.sv !== d.sv).map((d) => d.name);
    if (mismatched.length === 0 || Date.now() > deadline) {
      for (const name of mismatched) {
        const d = devices.find((x) => x.name === name)!;
        if (d.state !== 'live') stuck++;
        else if (want.get(d.sessionId)?.sv === d.sv) diverged++;
        else stuck++;
        notes.push(`${name}: ${d.state}, ${want.get(d.sessionId)?.sv === d.sv ? 'same state vector, different content' : 'behind or ahead'}`);
      }
      break;
    }
    await sleep(250);
  }
  if (env.page) {
    let page = await pageHash(env);
    const until = Date.now() + 20_000;
    while ((!page?.live || page.hash !== contentHash(env.observer.term.doc)) && Date.now() < until) {
      await sleep(250);
      page = await pageHash(env);
    }
    if (!page?.live) {
      stuck++;
      // What the page says about itself, and whether it comes back at all (and when), for the next look at why.
      const said = page ? page.state : 'no answer from the page';
      const notLiveSince = Date.now();
      while (!page?.live && Date.now() - notLiveSince < PAGE_LATE_WATCH_MS) {
        await sleep(500);
        page = await pageHash(env);
      }
      notes.push(`page not live: ${said}; ${page?.live ? `live ${((Date.now() - faultEnd) / 1000).toFixed(1)} s after the fault ended` : `still not live ${((Date.now() - faultEnd) / 1000).toFixed(1)} s after the fault ended (${page ? page.state : 'no answer'})`}`);
    } else if (page.hash !== contentHash(env.observer.term.doc)) {
      diverged++;
      notes.push('page content differs');
    }
  }

  // Prompts: each exactly once in the host's conversation (started, or still queued).
  let lost = 0;
  let doubled = 0;
  const texts = [...convView.entries].map((e) => readEntry(e)).flatMap((e) => (e.type === 'user' ? [e.text] : []));
  texts.push(...[...convView.queue].map((q) => readQueued(q).text));
  for (const { marker } of markers) {
    const n = texts.filter((t) => t === `echo ${marker}`).length;
    if (n === 0) {
      lost++;
      const reply = env.fleetEvents.find((e): e is Extract<FleetEvent, { ev: 'reply' }> & { seen: number } => e.ev === 'reply' && e.marker === marker);
      notes.push(`lost ${marker}: ${reply ? (reply.ok ? 'host answered ok' : `host answered ${reply.code}`) : 'no answer'}`);
    }
    if (n > 1) doubled++;
  }
  if (lost > 0 || doubled > 0) notes.push(`conversation: ${readStatus(convView)} ${readConversationState(convView).endedReason ?? ''}`);

  for (const name of stormNames) env.fleetSend({ op: 'close-device', name });
  if (stormNames.length > 0) await sleep(1500);
  const heap = await env.hostHeap();
  const memory = env.hostMemory();
  return {
    seed: sc.seed, kind: sc.kind, durationMs: sc.durationMs, prompts: markers.length, lost, doubled, stuck, diverged, leftover,
    recoveries, hostRssBytes: memory.rss, hostAnonBytes: memory.anon,
    ...(heap ? { hostV8LiveBytes: Math.round(heap.heapUsed * 1048576), hostExternalBytes: Math.round(heap.external * 1048576) } : {}),
    wallMs: Date.now() - began, notes,
  };
}
