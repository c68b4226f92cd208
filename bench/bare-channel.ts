/**
 * What the bare data channel carries between two Node processes on this machine, with nothing of tether's
 * on it: the ceiling the issue holds tether's output throughput to (≥ 70 % of it, issue #14). A child
 * process (the sender, like a host) makes the offer, the bench process answers over the child's stdio, and
 * the child sends `bytes` in 60 KiB messages (tether's largest output batch) as fast as the channel takes
 * them: it keeps at most 1 MiB buffered (tether's high-water mark) and refills on `bufferedamountlow`,
 * which is the channel's own fastest refill. The same libdatachannel build tether uses (host/node-webrtc.ts).
 * The same sender can feed a Chromium page instead (bareChannelIntoChromium): the ceiling of output into a page.
 * Run with `--echo` the child sends every message back instead (bareChannelRoundTrips): the round trip a
 * keystroke's echo makes over the channel before any of tether's work, the floor under the echo benchmark.
 *
 * Run as a script with `--sender BYTES` or `--echo` it is the child.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { nodeWebRtc } from '../host/node-webrtc.js';
import { withTimeout } from './wait.js';
import { machineBusySeconds } from './proc-stats.js';
import type { Page } from 'playwright-core';

const MESSAGE_BYTES = 60 * 1024;
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
const ICE_TIMEOUT_MS = 5000;

/** The local description once ICE gathering is complete (no trickle, as tether does). */
async function gathered(pc: RTCPeerConnection): Promise<RTCSessionDescriptionInit> {
  if (pc.iceGatheringState !== 'complete') {
    await withTimeout(
      new Promise<void>((resolve) => {
        pc.onicegatheringstatechange = () => {
          if (pc.iceGatheringState === 'complete') resolve();
        };
      }),
      ICE_TIMEOUT_MS,
      'ICE gathering (bare channel)',
    );
  }
  const { type, sdp } = pc.localDescription!;
  return { type, sdp };
}

/** The child's end: offers over stdout, takes the answer from stdin, and returns the channel (not yet open). */
async function childChannel(): Promise<RTCDataChannel> {
  const pc = new nodeWebRtc.RTCPeerConnection({ iceServers: [] });
  const channel = pc.createDataChannel('bare', { ordered: true });
  channel.binaryType = 'arraybuffer';
  await pc.setLocalDescription(await pc.createOffer());
  process.stdout.write(JSON.stringify(await gathered(pc)) + '\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    await pc.setRemoteDescription(JSON.parse(line) as RTCSessionDescriptionInit);
    break;
  }
  return channel;
}

/** The child: offers, then sends `total` bytes once the channel opens, then waits to be killed. */
async function sender(total: number): Promise<void> {
  const channel = await childChannel();
  channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
  const payload = new Uint8Array(MESSAGE_BYTES).fill(0x41);
  let sent = 0;
  const fill = (): void => {
    while (sent < total && channel.bufferedAmount < HIGH_WATER_BYTES) {
      const n = Math.min(MESSAGE_BYTES, total - sent);
      channel.send(n === MESSAGE_BYTES ? payload : payload.subarray(0, n));
      sent += n;
    }
  };
  channel.onbufferedamountlow = fill;
  channel.onopen = fill;
  if (channel.readyState === 'open') fill();
}

/** The child: offers, then sends every message back as it arrives, until killed. */
async function echoer(): Promise<void> {
  const channel = await childChannel();
  channel.onmessage = (message: MessageEvent) => channel.send(message.data as ArrayBuffer);
}

export interface BareChannelRun {
  /** From the first message received to the last. */
  seconds: number;
  bytes: number;
  /** CPU seconds the whole machine was busy meanwhile (both ends, their threads, the kernel). */
  machineCpu: number;
}

/** What an answering end reports once `bytes` arrived. */
interface Received {
  /** ms from the first message received to the last (the answerer's own clock). */
  ms: number;
  bytes: number;
}

/**
 * The receiving end of a bare channel: answers the child's offer and resolves `received` once `bytes`
 * arrived. Node (this process) or a Chromium page (bareChannelIntoChromium).
 */
interface Answerer<R extends Received> {
  answer(offer: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit>;
  received(): Promise<R>;
  close(): Promise<void>;
}

/** The child ended before everything arrived (it could not connect): the attempt may be made again. */
class ChildExited extends Error {}

/**
 * Connects made in a run: the offering sender fails at once now and then (libdatachannel's DTLS fingerprint
 * race, host/node-webrtc.ts: 7 of 60 tether joins here), as tether's own devices do and retry.
 */
const ATTEMPTS = 3;

/** Starts the child (`--sender BYTES` or `--echo`), lets `answerer` answer it and waits for what it receives (`what`). */
async function runBareChannel<R extends Received>(childArgs: string[], what: string, answerer: Answerer<R>): Promise<R> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...childArgs], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new ChildExited(`the bare-channel child (${childArgs.join(' ')}) exited (${code}) before ${what} arrived`))));
  exited.catch(() => undefined); // also once the run is over and the child is killed
  try {
    const lines = createInterface({ input: child.stdout! });
    const offer = await withTimeout(
      Promise.race([exited, new Promise<RTCSessionDescriptionInit>((resolve) => lines.once('line', (line) => resolve(JSON.parse(line) as RTCSessionDescriptionInit)))]),
      30_000,
      'the bare-channel child to offer',
    );
    child.stdin!.write(JSON.stringify(await answerer.answer(offer)) + '\n');
    return await withTimeout(Promise.race([exited, answerer.received()]), 120_000, `${what} over the bare channel`);
  } finally {
    await answerer.close();
    child.kill('SIGKILL');
  }
}

/** Runs `attempt` again (with a fresh receiving end) while its sender could not connect. */
async function withAttempts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ChildExited) || i >= ATTEMPTS) throw err;
    }
  }
}

/** Sends `bytes` from a child process to this one over a bare data channel; resolves when all arrived. */
export function bareChannelThroughput(bytes: number): Promise<BareChannelRun> {
  return withAttempts(() => bareChannelThroughputOnce(bytes));
}

async function bareChannelThroughputOnce(bytes: number): Promise<BareChannelRun> {
  const pc = new nodeWebRtc.RTCPeerConnection({ iceServers: [] });
  let received = 0;
  let first = 0;
  let busyAtFirst = 0;
  const done = new Promise<Received & { machineCpu: number }>((resolve) => {
    pc.ondatachannel = (event) => {
      event.channel.binaryType = 'arraybuffer';
      event.channel.onmessage = (message: MessageEvent) => {
        const now = performance.now();
        if (received === 0) {
          first = now;
          busyAtFirst = machineBusySeconds();
        }
        received += (message.data as ArrayBuffer).byteLength;
        if (received >= bytes) resolve({ ms: now - first, bytes: received, machineCpu: machineBusySeconds() - busyAtFirst });
      };
    };
  });
  const got = await runBareChannel(['--sender', String(bytes)], `${bytes} bytes`, {
    async answer(offer) {
      await pc.setRemoteDescription(offer);
      await pc.setLocalDescription(await pc.createAnswer());
      return gathered(pc);
    },
    received: () => done,
    close: async () => pc.close(),
  });
  return { seconds: got.ms / 1000, bytes: got.bytes, machineCpu: got.machineCpu };
}

/**
 * The page side of the Chromium benchmarks, as a string (a function passed from tsx-compiled code would
 * carry tsx's helpers, which the page lacks): answers OFFER and stores in window.__bare.received the
 * promise that `onChannel` (the body of a function of `channel` and `resolve`) settles.
 */
function pageAnswerer(offer: RTCSessionDescriptionInit, onChannel: string): string {
  return `(async () => {
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.__bare = { pc };
  window.__bare.received = new Promise((resolve) => {
    pc.ondatachannel = (event) => {
      const channel = event.channel;
      channel.binaryType = 'arraybuffer';
      ${onChannel}
    };
  });
  await pc.setRemoteDescription(${JSON.stringify(offer)});
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve(); };
    setTimeout(resolve, ${ICE_TIMEOUT_MS});
  });
  return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
})()`;
}

/** The page's channel handler that resolves once `bytes` arrived. */
const RECEIVE_BYTES = (bytes: number): string => `
      let received = 0, first = 0;
      channel.onmessage = (message) => {
        const now = performance.now();
        if (received === 0) first = now;
        received += message.data.byteLength;
        if (received >= ${bytes}) resolve({ ms: now - first, bytes: received });
      };`;

/**
 * The page's channel handler that makes `count` round trips of a 32-byte message once the channel opens,
 * each after a random pause of `gapMs` (as between keystrokes), and resolves with their durations.
 */
const ROUND_TRIPS = (count: number, gapMs: [number, number]): string => `
      const message = new Uint8Array(32);
      const trips = [];
      const one = () => new Promise((done) => {
        channel.onmessage = () => done();
        channel.send(message);
      });
      const run = async () => {
        for (let i = 0; i < ${count}; i++) {
          await new Promise((r) => setTimeout(r, ${gapMs[0]} + Math.random() * ${gapMs[1] - gapMs[0]}));
          const start = performance.now();
          await one();
          trips.push(performance.now() - start);
        }
        resolve({ ms: 0, bytes: 0, trips });
      };
      if (channel.readyState === 'open') void run();
      else channel.onopen = () => void run();`;

/**
 * The same bare channel into a Chromium page (about:blank in `page`): what the browser's own data
 * channel stack carries on this machine, the ceiling of any output into the page.
 */
export async function bareChannelIntoChromium(page: Page, bytes: number): Promise<{ seconds: number; bytes: number }> {
  const got = await withAttempts(() => runBareChannel(['--sender', String(bytes)], `${bytes} bytes`, {
    answer: async (offer) => (await page.evaluate(pageAnswerer(offer, RECEIVE_BYTES(bytes)))) as RTCSessionDescriptionInit,
    received: async () => (await page.evaluate('window.__bare.received')) as Received,
    close: () => closePageEnd(page),
  }));
  return { seconds: got.ms / 1000, bytes: got.bytes };
}

async function closePageEnd(page: Page): Promise<void> {
  await page.evaluate('window.__bare && window.__bare.pc.close()').catch(() => undefined);
}

/**
 * Round trips of a small message between a Chromium page (about:blank in `page`) and a Node child echoing
 * it over a bare data channel, with `gapMs` pauses between them: what the channel alone adds to an echo.
 * The page's clock: Chromium rounds it to 0.1 ms.
 */
export async function bareChannelRoundTrips(page: Page, count: number, gapMs: [number, number]): Promise<number[]> {
  const got = await withAttempts(() => runBareChannel(['--echo'], `${count} round trips`, {
    answer: async (offer) => (await page.evaluate(pageAnswerer(offer, ROUND_TRIPS(count, gapMs)))) as RTCSessionDescriptionInit,
    received: async () => (await page.evaluate('window.__bare.received')) as Received & { trips: number[] },
    close: () => closePageEnd(page),
  }));
  return got.trips;
}

if (process.argv[2] === '--sender' || process.argv[2] === '--echo') {
  (process.argv[2] === '--echo' ? echoer() : sender(Number(process.argv[3]))).catch((err: unknown) => {
    process.stderr.write(`bare-channel child: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
