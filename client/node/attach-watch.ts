/**
 * How long `tether attach` keeps trying when it cannot reach the host, and what it says when it gives up:
 * a short outage is ridden out (the client reconnects by itself), a host that is gone, or that ended this
 * session for this device, ends the attach with a plain reason instead of "reconnecting…" forever.
 */
import type { SessionClient } from '../core/session-client.js';
import { TetherError } from '../../protocol/errors.js';

/** How long the host may be unreachable before attach gives up. */
export const UNREACHABLE_GIVE_UP_MS = 15_000;

/**
 * Calls `giveUp` once with the reason when the client fails, is ended by the host, or cannot reach the
 * host for `UNREACHABLE_GIVE_UP_MS`. Returns a function that stops watching.
 */
export function watchForGone(client: SessionClient, giveUp: (err: TetherError) => void, giveUpMs = UNREACHABLE_GIVE_UP_MS): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const onState = (state: string, error: TetherError | null): void => {
    if (stopped) return;
    if (state === 'live') {
      if (timer) clearTimeout(timer);
      timer = null;
      return;
    }
    if (state === 'failed' || (state === 'closed' && error)) {
      stop();
      giveUp(error ?? new TetherError('PEER_CLOSED'));
      return;
    }
    if ((state === 'reconnecting' || state === 'connecting') && !timer) {
      timer = setTimeout(() => {
        stop();
        const why = client.error ? ` (${client.error.message})` : '';
        giveUp(new TetherError('HOST_UNREACHABLE', `cannot reach the host for ${giveUpMs / 1000} s — is tether still running there?${why}`));
      }, giveUpMs);
    }
  };
  const stop = (): void => {
    stopped = true;
    if (timer) clearTimeout(timer);
    client.off('state', onState);
  };
  client.on('state', onState);
  return stop;
}
