/**
 * Asks the host for a new terminal size when this device's own viewport changes (rotation, window
 * resize, on-screen keyboard), and only then: never on load and never because the session's size
 * changed, so devices never fight over the size.
 */
import type { IntentBody } from '../../protocol/messages.js';
import type { TermSize } from './terminal-layout.js';

/** Sends `resize` intents for settled viewport changes. */
export class ResizeRequests {
  /** The size that fitted this device's viewport when it was last looked at. */
  private lastFit: TermSize;

  constructor(
    private readonly preferredSize: () => TermSize,
    private readonly send: (intent: IntentBody) => void,
  ) {
    this.lastFit = preferredSize();
  }

  /** The viewport settled at a new size: take over the terminal size if our fit changed. */
  viewportSettled(): void {
    const fit = this.preferredSize();
    if (fit.cols === this.lastFit.cols && fit.rows === this.lastFit.rows) return;
    this.lastFit = fit;
    this.send({ type: 'resize', cols: fit.cols, rows: fit.rows });
  }
}
