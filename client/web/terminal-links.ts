/**
 * What happens when a link in terminal output (an OSC 8 hyperlink) is clicked: only http(s) targets
 * open, after a confirmation showing the real target (the visible text of an OSC 8 link can say
 * anything), in a new tab that gets no handle on this page (noopener) and no referrer.
 */
import type { ILinkHandler } from '@xterm/xterm';

/** Longest target shown in the confirmation; the tab still gets the whole URL. */
const MAX_SHOWN = 300;

/** The target when it may be opened (http or https), else null. */
export function openableLink(uri: string): URL | null {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null; // not a URL at all: nothing to open
  }
}

/** xterm's link handler for terminal output; `confirmOpen` is window.confirm in the page. */
export function terminalLinkHandler(confirmOpen: (question: string) => boolean = (q) => window.confirm(q)): ILinkHandler {
  return {
    allowNonHttpProtocols: false,
    activate(_event, uri) {
      const url = openableLink(uri);
      if (!url) return;
      const shown = url.href.length > MAX_SHOWN ? `${url.href.slice(0, MAX_SHOWN)}…` : url.href;
      if (!confirmOpen(`Open this link from the terminal in a new tab?\n\n${shown}`)) return;
      window.open(url.href, '_blank', 'noopener,noreferrer');
    },
  };
}
