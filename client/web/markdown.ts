/**
 * Renders agent output — untrusted text — as markdown, safely: markdown-it with raw HTML off, links
 * only to http(s) and mailto (opened in a new tab without referrer or opener), no images; then
 * DOMPurify with a short allowlist as a second layer. The result is a fragment of inert elements.
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';

/** The only link targets rendered as links; anything else (javascript:, data:, relative paths) stays text. */
const SAFE_URL = /^(?:https?:|mailto:)/i;

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
// Images would load from anywhere the agent names (a tracking beacon); the page's CSP blocks them anyway.
md.disable(['image']);
md.validateLink = (url: string): boolean => SAFE_URL.test(url.trim());

/** Every element markdown-it can produce with the settings above; nothing else survives. */
const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 's', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
];
const ALLOWED_ATTR = ['href', 'title', 'start'];

/** Markdown → HTML string (markdown-it only). Exported for tests of the first layer. */
export function markdownToHtml(text: string): string {
  return md.render(text);
}

/** Markdown → a sanitized fragment owned by this document; links open in a new tab, without opener or referrer. */
export function renderMarkdown(text: string): DocumentFragment {
  const fragment = DOMPurify.sanitize(markdownToHtml(text), {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: SAFE_URL,
    RETURN_DOM_FRAGMENT: true,
  });
  for (const link of fragment.querySelectorAll('a')) {
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
  }
  return fragment;
}

/**
 * Renders `text` into `target`, replacing only the top-level blocks that changed: while a message
 * streams, the paragraphs already written keep their nodes (and any text selection in them).
 */
export function renderMarkdownInto(target: HTMLElement, text: string): void {
  const next = Array.from(renderMarkdown(text).childNodes).filter((n) => !(n.nodeType === Node.TEXT_NODE && n.textContent === '\n'));
  const current = target.childNodes;
  let same = 0;
  while (same < next.length && same < current.length && current[same]!.isEqualNode(next[same]!)) same++;
  while (current.length > same) target.lastChild!.remove();
  for (let i = same; i < next.length; i++) target.append(next[i]!);
}
