/**
 * The prompt box: a growing textarea named "Message" and a Send button. Enter sends on a desktop
 * (Shift+Enter for a new line); on a touch screen Enter is a new line and Send sends. When the agent
 * accepts images, pasting one (or picking one with the attach button) adds it as a thumbnail chip
 * that can be removed before sending. Typing `/` lists the agent's slash commands (command-menu.ts).
 */
import { MAX_PROMPT_CHARS, MAX_PROMPT_IMAGES, type PromptImage } from '../../protocol/messages.js';
import { button, element } from './dom.js';
import { readPromptImage } from './image-attachments.js';
import { CommandMenu } from './command-menu.js';
import type { AgentCommandInfo } from '../../protocol/agent-offer.js';

/** What the composer needs from the page. */
export interface ComposerActions {
  /** Sends a prompt; resolves true when the host accepted it. */
  send(text: string, images: PromptImage[]): Promise<boolean>;
  /** Tells the user something briefly. */
  notify(text: string): void;
}

/** Phones and tablets: Enter must stay a newline (there is no Shift on their keyboards). */
const coarsePointer = (): boolean => window.matchMedia('(pointer: coarse)').matches;

/** The prompt box. */
export class Composer {
  readonly element = element('form', 'composer');
  readonly textarea = element('textarea', 'composer-input');
  private readonly sendButton = button('', 'send-button', 'Send');
  private readonly attachButton = button('', 'attach-button', 'Attach image');
  private readonly fileInput = element('input', 'file-input');
  private readonly chips = element('ul', 'attachments');
  private readonly menu: CommandMenu;
  private images: PromptImage[] = [];
  private imagesAllowed = false;
  private enabled = true;
  private reading = 0;
  /** The animation frame that will size the box (see grow). */
  private growFrame = 0;

  constructor(private readonly actions: ComposerActions) {
    this.element.setAttribute('aria-label', 'New message');
    this.textarea.setAttribute('aria-label', 'Message');
    this.textarea.rows = 1;
    this.textarea.maxLength = MAX_PROMPT_CHARS;
    this.textarea.enterKeyHint = coarsePointer() ? 'enter' : 'send';
    this.sendButton.type = 'submit';
    this.fileInput.type = 'file';
    this.fileInput.accept = 'image/*';
    this.fileInput.multiple = true;
    this.fileInput.hidden = true;
    this.fileInput.tabIndex = -1;
    this.attachButton.hidden = true;
    this.chips.setAttribute('aria-label', 'Attached images');
    this.chips.hidden = true;

    const row = element('div', 'composer-row');
    row.append(this.attachButton, this.textarea, this.sendButton);
    // Before the composer's own keys: Enter on a highlighted command inserts it rather than sending.
    this.menu = new CommandMenu(this.textarea);
    this.element.append(this.menu.element, this.chips, row, this.fileInput);

    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.textarea.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || coarsePointer()) return;
      event.preventDefault();
      this.submit();
    });
    this.textarea.addEventListener('input', () => this.changed());
    this.textarea.addEventListener('paste', (event) => this.paste(event));
    this.attachButton.addEventListener('click', () => this.fileInput.click());
    this.fileInput.addEventListener('change', () => {
      const files = Array.from(this.fileInput.files ?? []);
      this.fileInput.value = '';
      void this.attach(files);
    });
    window.addEventListener('resize', () => this.grow());
    this.changed();
  }

  /** The agent's slash commands, listed when `/` is typed. */
  setCommands(commands: AgentCommandInfo[]): void {
    this.menu.setCommands(commands);
  }

  /** Whether the agent accepts images (the attach button and pasting follow it). */
  setImagesAllowed(allowed: boolean): void {
    this.imagesAllowed = allowed;
    this.attachButton.hidden = !allowed || !this.enabled;
  }

  /** Enables or disables the box, with a placeholder saying what sending does now. */
  setState(enabled: boolean, placeholder: string): void {
    this.enabled = enabled;
    this.textarea.disabled = !enabled;
    this.attachButton.disabled = !enabled;
    this.attachButton.hidden = !this.imagesAllowed || !enabled;
    if (this.textarea.placeholder !== placeholder) this.textarea.placeholder = placeholder;
    this.changed();
  }

  focus(): void {
    // The box is docked in view: scrolling it there would only lay the page out early.
    this.textarea.focus({ preventScroll: true });
  }

  /** Puts `text` in the message box (replacing what was there) for the user to edit or send. */
  fill(text: string): void {
    this.textarea.value = text;
    this.changed();
    this.textarea.focus();
  }

  private changed(): void {
    this.sendButton.disabled = !this.enabled || this.reading > 0 || (this.textarea.value.trim() === '' && this.images.length === 0);
    this.grow();
  }

  /**
   * Grows with its text up to ~40% of the visible height, then scrolls. Measured in the next animation
   * frame, once however many changes came before it: reading scrollHeight forces a layout, and forced while
   * a conversation is being built it laid out the whole page an extra time on open (~17 ms on a phone-sized
   * page). The frame comes before the next paint, so typing never shows a wrong height.
   */
  private grow(): void {
    if (this.growFrame !== 0) return;
    this.growFrame = requestAnimationFrame(() => {
      this.growFrame = 0;
      const max = Math.max(72, Math.round((window.visualViewport?.height ?? window.innerHeight) * 0.4));
      this.textarea.style.height = 'auto';
      this.textarea.style.height = `${Math.min(this.textarea.scrollHeight + 2, max)}px`;
    });
  }

  private submit(): void {
    if (this.sendButton.disabled) return;
    const text = this.textarea.value.replace(/\s+$/, '');
    const images = this.images;
    this.textarea.value = '';
    this.images = [];
    this.renderChips();
    this.changed();
    void this.actions.send(text, images).then((ok) => {
      // Refused (the reason is shown): give the words back rather than lose them.
      if (!ok && this.textarea.value === '' && this.images.length === 0) {
        this.textarea.value = text;
        this.images = images;
        this.renderChips();
        this.changed();
      }
    });
  }

  private paste(event: ClipboardEvent): void {
    const files = Array.from(event.clipboardData?.items ?? [])
      .filter((item) => item.kind === 'file' && item.type.startsWith('image/'))
      .map((item) => item.getAsFile())
      .filter((file): file is File => file !== null);
    if (files.length === 0) return;
    // Any text in the clipboard still pastes as usual; the image becomes an attachment.
    void this.attach(files);
  }

  private async attach(files: File[]): Promise<void> {
    if (files.length === 0) return;
    if (!this.imagesAllowed) {
      this.actions.notify('This agent does not accept images.');
      return;
    }
    const room = MAX_PROMPT_IMAGES - this.images.length;
    if (files.length > room) this.actions.notify(`A message can carry at most ${MAX_PROMPT_IMAGES} images.`);
    this.reading++;
    this.changed();
    try {
      for (const file of files.slice(0, Math.max(0, room))) {
        try {
          this.images.push(await readPromptImage(file));
        } catch (err) {
          this.actions.notify(err instanceof Error ? err.message : String(err));
        }
      }
    } finally {
      this.reading--;
      this.renderChips();
      this.changed();
    }
  }

  private renderChips(): void {
    this.chips.hidden = this.images.length === 0;
    this.chips.replaceChildren(
      ...this.images.map((image, i) => {
        const chip = element('li', 'attachment');
        const thumb = element('img', 'attachment-thumb');
        thumb.src = `data:${image.mimeType};base64,${image.data}`;
        thumb.alt = `Image ${i + 1}`;
        const remove = button('×', 'attachment-remove', `Remove image ${i + 1}`);
        remove.addEventListener('click', () => {
          this.images.splice(i, 1);
          this.renderChips();
          this.changed();
          this.textarea.focus();
        });
        chip.append(thumb, remove);
        return chip;
      }),
    );
  }
}
