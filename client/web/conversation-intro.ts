/**
 * What an empty conversation shows instead of a black page: which agent works in which folder, and a
 * few prompts to try (a tap puts one in the message box, to edit or send).
 */
import { button, element, setText } from './dom.js';
import { icon } from './icons.js';

/** Prompts that make sense for any coding agent in any repository. */
const SUGGESTIONS: readonly string[] = [
  'Explain what this project does and how it is organised',
  'Find a failing test and fix it',
  'Review the uncommitted changes',
];

/** The intro above the (empty) conversation; hidden once there is anything to show. */
export class ConversationIntro {
  readonly element = element('section', 'conversation-intro');
  private readonly title = element('h2', 'intro-title');
  private readonly folder = element('span', 'intro-folder-text');

  /** `use` receives the suggestion tapped. */
  constructor(use: (text: string) => void) {
    this.element.setAttribute('aria-label', 'New conversation');
    const where = element('p', 'intro-folder');
    where.append(icon('folder'), this.folder);
    const list = element('ul', 'intro-suggestions');
    for (const text of SUGGESTIONS) {
      const item = element('li');
      const suggestion = button(text, 'intro-suggestion');
      suggestion.addEventListener('click', () => use(text));
      item.append(suggestion);
      list.append(item);
    }
    this.element.append(this.title, where, element('p', 'intro-try', 'Try one of these, or type your own below:'), list);
  }

  /** Shows the intro for `agent` working in `folder`, or hides it (`show` false). */
  update(show: boolean, agent: string, folder: string): void {
    this.element.hidden = !show;
    setText(this.title, `${agent} is ready`);
    setText(this.folder, folder);
    this.folder.title = folder;
  }
}
