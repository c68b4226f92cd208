/**
 * Keeps a scrolling conversation pinned to its newest content while the reader is at the bottom, and
 * leaves them alone once they scroll up (a "jump to latest" button brings them back). Growth is
 * noticed with a ResizeObserver, so streamed text, opened cards and a shrinking viewport (the phone's
 * keyboard) all keep the bottom in view without any per-chunk work.
 */

/** How close to the bottom still counts as "at the bottom", in CSS pixels. */
const AT_BOTTOM_PX = 48;

/** Follows the bottom of `scroller` as `content` grows. */
export class ScrollFollow {
  private stuck = true;
  private lastTop = 0;
  /** Set when the reader opens or closes a card: that growth must not move what they just tapped. */
  private holdOnce = false;

  constructor(
    private readonly scroller: HTMLElement,
    content: HTMLElement,
    private readonly onFollowChange: (following: boolean) => void,
  ) {
    scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    const grew = (): void => {
      if (this.holdOnce) {
        this.holdOnce = false;
        this.setStuck(this.atBottom());
      } else if (this.stuck) {
        this.toBottom();
      }
    };
    const observer = new ResizeObserver(grew);
    observer.observe(content);
    observer.observe(scroller);
    content.addEventListener('toggle', (event) => {
      // Opening the last card at the bottom should still show it; any other card stays where it is.
      const target = event.target as HTMLElement;
      if (target.nextElementSibling !== null || !this.stuck) this.holdOnce = true;
    }, true);
  }

  /** Whether new content scrolls into view. */
  get following(): boolean {
    return this.stuck;
  }

  /** Scrolls to the newest content and follows it again. */
  jumpToLatest(): void {
    this.setStuck(true);
    this.toBottom();
  }

  /** Runs `change` (content added above) without moving what the reader sees. */
  keepPosition(change: () => void): void {
    const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
    change();
    this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
    this.lastTop = this.scroller.scrollTop;
  }

  private atBottom(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < AT_BOTTOM_PX;
  }

  private toBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.lastTop = this.scroller.scrollTop;
  }

  private onScroll(): void {
    const top = this.scroller.scrollTop;
    // Content growing never moves scrollTop, so only a reader scrolling up lowers it.
    if (this.atBottom()) this.setStuck(true);
    else if (top < this.lastTop - 1) this.setStuck(false);
    this.lastTop = top;
  }

  private setStuck(stuck: boolean): void {
    if (stuck === this.stuck) return;
    this.stuck = stuck;
    this.onFollowChange(stuck);
  }
}
