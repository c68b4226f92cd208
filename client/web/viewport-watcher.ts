/**
 * Watches the screen area the page may use (window resize, rotation, the on-screen keyboard through
 * visualViewport). Reports every change at once for re-layout, and once more when changes have
 * settled: that settled change is what makes this device ask for a new terminal size.
 */

/** Callbacks of a viewport watcher. */
export interface ViewportHandlers {
  /** Any change: re-layout now. */
  onChange(): void;
  /** No change for `settleMs`: the viewport itself changed size. */
  onSettled(): void;
}

/** Starts watching; returns a function that stops it. */
export function watchViewport(handlers: ViewportHandlers, settleMs = 150): () => void {
  let settleTimer: ReturnType<typeof setTimeout> | null = null;
  const changed = (): void => {
    handlers.onChange();
    if (settleTimer) clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      settleTimer = null;
      handlers.onSettled();
    }, settleMs);
  };
  const viewport = window.visualViewport;
  window.addEventListener('resize', changed);
  window.addEventListener('orientationchange', changed);
  viewport?.addEventListener('resize', changed);
  return () => {
    if (settleTimer) clearTimeout(settleTimer);
    window.removeEventListener('resize', changed);
    window.removeEventListener('orientationchange', changed);
    viewport?.removeEventListener('resize', changed);
  };
}

/**
 * Sizes `element` to the visible viewport. On phones the on-screen keyboard shrinks the visual
 * viewport (iOS never shrinks the layout viewport), and the terminal must stay above the keyboard.
 */
export function pinToVisualViewport(element: HTMLElement): () => void {
  const viewport = window.visualViewport;
  if (!viewport) return () => undefined;
  const apply = (): void => {
    // Pinch-zoomed in: the visual viewport is a magnified part of the page, not room taken by a keyboard.
    if (viewport.scale > 1.01) return;
    element.style.height = `${viewport.height}px`;
    element.style.top = `${viewport.offsetTop}px`;
  };
  // The first look waits for the frame: reading the viewport lays the page out, and a view being built
  // would be laid out twice (~15 ms of a conversation's first screen). The CSS already fills the
  // layout viewport, so the styles are written only when the visual viewport is not that.
  const firstLook = requestAnimationFrame(() => {
    const box = element.getBoundingClientRect();
    if (viewport.scale > 1.01 || (Math.abs(box.height - viewport.height) < 0.5 && Math.abs(box.top - viewport.offsetTop) < 0.5)) return;
    apply();
  });
  viewport.addEventListener('resize', apply);
  viewport.addEventListener('scroll', apply);
  return () => {
    cancelAnimationFrame(firstLook);
    viewport.removeEventListener('resize', apply);
    viewport.removeEventListener('scroll', apply);
  };
}
