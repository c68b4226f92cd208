/**
 * Timestamps of a keystroke's trip through the host, published on a Node diagnostics channel for the
 * benchmark's hop-by-hop echo breakdown. With no subscriber (always, outside `npm run bench`) a hop costs
 * one property read: nothing is built, timed or kept.
 */
import diagnostics_channel from 'node:diagnostics_channel';

/** The channel's name; a subscriber receives `EchoHopEvent`s. */
export const ECHO_TRACE_CHANNEL = 'tether:echo-trace';

/** The host's hops, in the order a keystroke and its echo pass them. */
export type EchoHop =
  /** A device's intent frame was reassembled by the host. */
  | 'host-received'
  /** A valid, permitted `input` intent is handed to the PTY. */
  | 'pty-write'
  /** The program's output was read from the PTY. */
  | 'pty-data'
  /** The document update holding that output was made and encoded, and is being delivered to a device. */
  | 'update-encoded'
  /** That update's frame was handed to the data channel. */
  | 'frame-sent';

/** One published hop: `at` is a wall-clock time in ms (performance.timeOrigin + performance.now()). */
export interface EchoHopEvent {
  hop: EchoHop;
  at: number;
}

const channel = diagnostics_channel.channel(ECHO_TRACE_CHANNEL);

/** Records that a keystroke or its echo passed `hop` now (only when someone listens). */
export function traceHop(hop: EchoHop): void {
  if (channel.hasSubscribers) channel.publish({ hop, at: performance.timeOrigin + performance.now() } satisfies EchoHopEvent);
}
