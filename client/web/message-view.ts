/**
 * An agent message or thought, rendered as markdown while it streams. It observes only its own Y.Text
 * and re-renders at most once per animation frame, less often when rendering gets expensive (a long
 * answer: render-spacing.ts), so a fast stream never re-renders the conversation or blocks input. When it
 * stops streaming, its last words show at once. Thoughts are dimmed
 * and collapsed, showing their latest line; their markdown is rendered only when opened.
 */
import type * as Y from 'yjs';
import { entryText, entryTextType } from '../../protocol/conversation-doc.js';
import { renderMarkdownInto } from './markdown.js';
import { element } from './dom.js';
import type { EntryView } from './entry-view.js';
import { afterRender, BEFORE_FIRST_RENDER, renderDelay, type LastRender } from './render-spacing.js';

/** Render without waiting for an animation frame after this long. */
const FRAME_FALLBACK_MS = 200;

/** Longest thought preview in the collapsed line. */
const PREVIEW_CHARS = 160;

/** A streamed agent message or thought. */
export class MessageView implements EntryView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly preview: HTMLElement | null = null;
  private readonly text: Y.Text | null;
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private fallback: ReturnType<typeof setTimeout> | null = null;
  private lastRender: LastRender = BEFORE_FIRST_RENDER;
  private rendered = false;
  private readonly onChange = (): void => this.schedule();

  constructor(
    private readonly entry: Y.Map<unknown>,
    private readonly kind: 'agent' | 'thought',
  ) {
    this.text = entryTextType(entry);
    this.body = element('div', 'markdown');
    if (kind === 'agent') {
      this.element = element('article', 'entry agent');
      this.element.setAttribute('aria-label', 'Agent');
      this.element.append(this.body);
    } else {
      const details = element('details', 'entry thought');
      const summary = element('summary', 'thought-summary');
      this.preview = element('span', 'thought-preview');
      summary.append(element('span', 'thought-label', 'Thought'), this.preview);
      this.body.classList.add('thought-body');
      details.append(summary, this.body);
      details.addEventListener('toggle', () => {
        if (details.open && !this.rendered) this.render();
      });
      this.element = details;
    }
    this.text?.observe(this.onChange);
    this.render();
  }

  setStreaming(streaming: boolean): void {
    this.element.classList.toggle('streaming', streaming);
    if (!streaming && (this.frame || this.timer)) {
      this.cancelScheduled();
      this.render();
    }
  }

  destroy(): void {
    this.text?.unobserve(this.onChange);
    this.cancelScheduled();
  }

  private cancelScheduled(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.timer) clearTimeout(this.timer);
    if (this.fallback) clearTimeout(this.fallback);
    this.frame = 0;
    this.timer = null;
    this.fallback = null;
  }

  /** Coalesces changes: one render per frame, spaced by their cost (render-spacing.ts). */
  private schedule(): void {
    if (this.frame || this.timer) return;
    const wait = renderDelay(this.lastRender, performance.now());
    const onFrame = (): void => {
      this.frame = 0;
      if (this.fallback) clearTimeout(this.fallback);
      this.fallback = null;
      this.render();
    };
    const requestFrame = (): void => {
      this.frame = requestAnimationFrame(onFrame);
      // A hidden or throttled page may not get frames for long: keep its text current anyway.
      this.fallback = setTimeout(() => {
        this.fallback = null;
        if (!this.frame) return;
        cancelAnimationFrame(this.frame);
        onFrame();
      }, FRAME_FALLBACK_MS);
    };
    if (wait > 16) {
      this.timer = setTimeout(() => {
        this.timer = null;
        requestFrame();
      }, wait);
    } else {
      requestFrame();
    }
  }

  private render(): void {
    const text = this.text ? this.text.toString() : entryText(this.entry);
    if (this.preview) {
      const last = text.trim().split('\n').at(-1) ?? '';
      this.preview.textContent = last.length > PREVIEW_CHARS ? `…${last.slice(-PREVIEW_CHARS)}` : last;
      if (!(this.element as HTMLDetailsElement).open) {
        this.rendered = false;
        return;
      }
    }
    const started = performance.now();
    renderMarkdownInto(this.body, text);
    this.rendered = true;
    const at = performance.now();
    this.lastRender = afterRender(this.lastRender, at, at - started, text.trim() === '');
  }
}
