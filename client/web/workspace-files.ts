/**
 * The Files tab of the workspace: a read-only browser of the session's folder — the path as a row of
 * buttons back up, the folder's entries (folders first), and a tap on a file shows its text (its beginning
 * when large; a binary file is named, not shown). The host confines every path to the folder.
 */
import type { DirEntry, WorkspaceFile, WorkspaceList } from '../../protocol/workspace.js';
import { button, element, plural, srOnly } from './dom.js';
import { icon } from './icons.js';
import { backButton, visibleName } from './workspace-changes.js';

/** How the tab asks the host for a folder and a file. */
export interface FileFetchers {
  list(path: string): Promise<WorkspaceList>;
  read(path: string): Promise<WorkspaceFile>;
}

/** "1.2 KB". */
function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const join = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

/** The Files tab. */
export class WorkspaceFiles {
  readonly element = element('div', 'ws-browser');
  private readonly crumbs = element('nav', 'ws-crumbs');
  private readonly body = element('div', 'ws-browser-body');
  private folder = '';
  private loaded = false;

  constructor(private readonly fetch: FileFetchers, private readonly rootName: () => string) {
    this.crumbs.setAttribute('aria-label', 'Folder path');
    this.element.append(this.crumbs, this.body);
  }

  /** Shows the folder's top the first time the tab opens. */
  show(): void {
    if (!this.loaded) void this.openFolder('');
  }

  private renderCrumbs(path: string, file: string | null): void {
    const parts = path === '' ? [] : path.split('/');
    const items: Node[] = [];
    const crumb = (label: string, target: string): HTMLButtonElement => {
      const b = button(visibleName(label), 'ws-crumb');
      b.addEventListener('click', () => void this.openFolder(target));
      return b;
    };
    items.push(crumb(this.rootName() || 'folder', ''));
    parts.forEach((part, i) => {
      items.push(element('span', 'ws-crumb-sep', '/'));
      items.push(crumb(part, parts.slice(0, i + 1).join('/')));
    });
    if (file !== null) items.push(element('span', 'ws-crumb-sep', '/'), element('span', 'ws-crumb-file', visibleName(file)));
    this.crumbs.replaceChildren(...items);
  }

  private async openFolder(path: string): Promise<void> {
    this.folder = path;
    this.loaded = true;
    this.renderCrumbs(path, null);
    this.body.replaceChildren(element('p', 'ws-loading', 'Loading…'));
    let list: WorkspaceList;
    try {
      list = await this.fetch.list(path);
    } catch (err) {
      if (this.folder === path) this.body.replaceChildren(element('p', 'ws-error', (err as Error).message));
      return;
    }
    if (this.folder !== path) return;
    const ul = element('ul', 'ws-entries');
    ul.setAttribute('aria-label', `Contents of ${visibleName(path || this.rootName() || 'the folder')}`);
    for (const entry of list.entries) ul.append(this.entryItem(path, entry));
    if (list.entries.length === 0) ul.append(element('li', 'ws-more', 'Empty folder'));
    if (list.more > 0) ul.append(element('li', 'ws-more', `… and ${plural(list.more, 'more entry')} not listed`));
    this.body.replaceChildren(ul);
  }

  private entryItem(dir: string, entry: DirEntry): HTMLLIElement {
    const li = element('li', 'ws-entry');
    const b = button('', 'ws-entry-button');
    b.dataset.type = entry.type;
    const kind = entry.type === 'dir' ? 'folder' : entry.type === 'link' ? 'link' : entry.type === 'other' ? 'special file' : 'file';
    if (entry.type === 'dir') b.append(icon('folder'));
    else b.append(element('span', 'ws-entry-mark', entry.type === 'link' ? '↪' : ''));
    b.append(element('span', 'ws-entry-name', visibleName(entry.name) + (entry.type === 'dir' ? '/' : '')), srOnly(`, ${kind}`));
    if (entry.size !== undefined) b.append(element('span', 'ws-entry-size', size(entry.size)));
    const path = join(dir, entry.name);
    b.addEventListener('click', () => void (entry.type === 'dir' ? this.openFolder(path) : this.openFile(path, entry.name)));
    li.append(b);
    return li;
  }

  private async openFile(path: string, name: string): Promise<void> {
    const dir = this.folder;
    this.renderCrumbs(dir, name);
    const back = backButton('Back to folder');
    back.addEventListener('click', () => void this.openFolder(dir));
    this.body.replaceChildren(back, element('p', 'ws-loading', 'Loading…'));
    back.focus();
    let content: HTMLElement;
    try {
      const file = await this.fetch.read(path);
      if (file.binary) content = element('p', 'ws-note', `Binary file (${size(file.size)}) — not shown.`);
      else {
        content = element('div', 'ws-file-view');
        const pre = element('pre', 'ws-file-text', file.text);
        pre.setAttribute('aria-label', `Text of ${visibleName(name)}`);
        pre.tabIndex = 0;
        content.append(pre);
        if (file.truncated) content.append(element('p', 'ws-note', `Only the first ${size(file.text.length)} of ${size(file.size)} are shown.`));
      }
    } catch (err) {
      content = element('p', 'ws-error', (err as Error).message);
    }
    if (this.body.firstElementChild === back) this.body.replaceChildren(back, content);
  }
}
