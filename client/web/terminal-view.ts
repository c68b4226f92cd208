/**
 * The session's terminal on this page: an xterm.js instance fed from the replicated output, rendered
 * at exactly the session's cols×rows with the font scaled to fit the stage. It never decides the size
 * itself; see terminal-layout.ts for the policy.
 */
import { Terminal } from '@xterm/xterm';
import { OutputCursor, type TerminalDocView } from '../../protocol/terminal-doc.js';
import { cellMeasure, type CellMeasure } from './cell-metrics.js';
import { OutputPacer } from './output-pacer.js';
import { terminalLinkHandler } from './terminal-links.js';
import { syncTextAreaOnRender } from './textarea-sync.js';
import { comfortableFontSize, fitSize, fontSizeToFit, renderedBox, type Box, type TermSize } from './terminal-layout.js';
import { button, element } from './dom.js';

/** System monospace fonts only: the page's CSP allows no font downloads, and none are needed. */
export const TERMINAL_FONT_FAMILY =
  'ui-monospace, "SF Mono", SFMono-Regular, Menlo, "Cascadia Mono", Consolas, "DejaVu Sans Mono", "Liberation Mono", "Roboto Mono", "Droid Sans Mono", monospace';

/** Lines kept in xterm's own scrollback (the document keeps ~1 MiB of output, replayed on reset). */
const SCROLLBACK_LINES = 5000;

/** Height kept free below the terminal for the size hint and its "Fit to this screen" button. */
const HINT_SPACE_PX = 64;

/** Colours shared with app.css. */
const THEME = {
  background: '#0b0e14',
  foreground: '#d7dce2',
  cursor: '#7aa2f7',
  cursorAccent: '#0b0e14',
  selectionBackground: '#3b4261',
  black: '#1a1e27',
  red: '#f7768e',
  green: '#9ece6a',
  yellow: '#e0af68',
  blue: '#7aa2f7',
  magenta: '#bb9af7',
  cyan: '#7dcfff',
  white: '#c0caf5',
  brightBlack: '#565f89',
  brightRed: '#ff899d',
  brightGreen: '#b9f27c',
  brightYellow: '#ffc777',
  brightBlue: '#8db0ff',
  brightMagenta: '#c7a9ff',
  brightCyan: '#a4daff',
  brightWhite: '#e6ebff',
};

/** The font that fits the session's size into the stage, and whether the size hint gets room below. */
interface TerminalFit {
  fontSize: number;
  hintRoom: boolean;
}

/** Renders a session's terminal inside `stage`. */
export class TerminalView {
  readonly term: Terminal;
  private readonly cursor = new OutputCursor();
  /** Output reaches xterm through the pacer: a device that cannot keep up skips, and says so. */
  readonly pacer: OutputPacer;
  private readonly measure: CellMeasure;
  private readonly frame: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly hintText: HTMLElement;
  private hintShown: string | null = null;
  private size: TermSize = { cols: 80, rows: 24 };
  /** preferredSize() as of the last layout: every keystroke carries it, and measuring forces a layout. */
  private preferred: TermSize | null = null;

  /** `onFit`: the user tapped "Fit to this screen". */
  constructor(private readonly stage: HTMLElement, onFit: () => void) {
    this.measure = cellMeasure(TERMINAL_FONT_FAMILY);
    this.frame = document.createElement('div');
    this.frame.className = 'terminal-frame';
    this.hint = element('div', 'size-hint');
    this.hint.hidden = true;
    this.hintText = element('span', 'size-hint-text');
    const fit = button('Fit to this screen', 'size-hint-fit');
    fit.addEventListener('click', (event) => {
      event.stopPropagation(); // a tap on the stage focuses the terminal (and opens the keyboard): not for this one
      onFit();
    });
    this.hint.append(this.hintText, fit);
    stage.append(this.frame, this.hint);
    // Until the document says the session's size: this screen's own, which the page asks for on opening
    // and gets when nobody is typing — built at it, the terminal is usually laid out once, not twice.
    const own = this.preferredSize();
    if (this.preferred) this.size = own;
    const fitted = this.fit();
    this.term = new Terminal({
      cols: this.size.cols,
      rows: this.size.rows,
      fontFamily: TERMINAL_FONT_FAMILY,
      // The fitting font from the start: changing it once xterm is open costs a second measure and
      // render of every row (70 ms of a 1.4 s first screen on a slow 2-core machine).
      fontSize: fitted?.fontSize ?? 14,
      scrollback: SCROLLBACK_LINES,
      theme: THEME,
      cursorBlink: false,
      allowProposedApi: false,
      // The host's PTY translates newlines; xterm must not add carriage returns of its own.
      convertEol: false,
      // Links in output are untrusted: http(s) only, confirmed, opened without access to this page.
      linkHandler: terminalLinkHandler(),
    });
    this.term.open(this.frame);
    syncTextAreaOnRender(this.term);
    this.pacer = new OutputPacer((data, parsed) => this.term.write(data, parsed));
    this.apply(fitted);
  }

  /** Writes the output this view has not written yet (all of it, after a reset). */
  renderOutput(view: TerminalDocView): void {
    const { reset, text } = this.cursor.next(view);
    if (reset) this.pacer.restart(text);
    else this.pacer.push(text);
  }

  /** Renders at the session's size (set by whichever device typed or resized last). */
  setSize(size: TermSize): void {
    if (size.cols === this.size.cols && size.rows === this.size.rows) return;
    this.size = { ...size };
    // The font for the new size first: xterm lays out and measures again on a font change, and resizing
    // at the old font first would lay every row out twice (30 ms of a fresh page's first screen).
    this.preferred = null;
    const fitted = this.fit();
    if (fitted && this.term.options.fontSize !== fitted.fontSize) this.term.options.fontSize = fitted.fontSize;
    this.term.resize(size.cols, size.rows);
    this.apply(fitted);
  }

  /** The space the terminal may use, in CSS pixels. */
  availableBox(): Box {
    const style = getComputedStyle(this.stage);
    const padX = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const padY = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    return {
      width: Math.max(0, this.stage.clientWidth - padX),
      height: Math.max(0, this.stage.clientHeight - padY),
    };
  }

  /** The size this device would like: what fills its screen at a comfortable font. */
  preferredSize(): TermSize {
    if (this.preferred) return this.preferred;
    const box = this.availableBox();
    const size = fitSize(box, comfortableFontSize(box), this.measure);
    // Not kept while hidden: the next layout (the stage shown) measures again.
    if (box.width > 0 && box.height > 0) this.preferred = size;
    return size;
  }

  /** Picks the font that fits the session's size into the stage; call after any layout change. */
  layout(): void {
    this.preferred = null;
    this.apply(this.fit());
  }

  /** Sizes the terminal and its frame as `fit` says (null: hidden; the next change lays out again). */
  private apply(fit: TerminalFit | null): void {
    if (!fit) return;
    if (this.term.options.fontSize !== fit.fontSize) this.term.options.fontSize = fit.fontSize;
    const rendered = renderedBox(this.size, fit.fontSize, this.measure);
    this.frame.style.width = `${rendered.width}px`;
    this.frame.style.height = `${rendered.height}px`;
    this.hint.hidden = !fit.hintRoom;
  }

  /** The font that fits the session's size into the stage, and whether the hint gets room; null while hidden. */
  private fit(): TerminalFit | null {
    const stageBox = this.availableBox();
    if (stageBox.width === 0 || stageBox.height === 0) return null;
    // The hint and its Fit button get their own space below the terminal: they never cover it.
    const hintRoom = this.hintShown !== null && stageBox.height > 3 * HINT_SPACE_PX;
    const box = { width: stageBox.width, height: stageBox.height - (hintRoom ? HINT_SPACE_PX : 0) };
    // Never larger than 1.5× a comfortable size: a tiny terminal on a big screen stays readable, not huge.
    const maxFont = comfortableFontSize(box) * 1.5;
    return { fontSize: fontSizeToFit(this.size, box, maxFont, this.measure), hintRoom };
  }

  /** A note under the terminal (why it is sized as it is) with a "Fit to this screen" button, or null for none. */
  setHint(text: string | null): void {
    if (text === this.hintShown) return;
    this.hintShown = text;
    this.hintText.textContent = text ?? '';
    this.layout();
  }

  /** Stops input (the program exited, or this device can no longer reach the host). */
  setInputEnabled(enabled: boolean): void {
    this.term.options.disableStdin = !enabled;
    this.term.options.cursorInactiveStyle = enabled ? 'outline' : 'none';
  }

  /** The program exited: hide the cursor (a local write; the document is never touched). */
  showEnded(): void {
    this.term.write('\x1b[?25l');
    this.term.blur();
  }

  focus(): void {
    this.term.focus();
  }

  /** Takes the terminal off the page for good (one built ahead for a session that is not a terminal). */
  dispose(): void {
    this.pacer.clear();
    this.term.dispose();
    this.frame.remove();
    this.hint.remove();
  }
}
