/**
 * The page's skeleton: top bar, banner, the stage that holds the terminal (with the failure card
 * over it) and the key row, filling the visible viewport.
 */
import { TopBar } from './top-bar.js';
import { Notices } from './notices.js';

/** The parts of the page other modules fill in. */
export interface PageLayout {
  root: HTMLElement;
  topBar: TopBar;
  notices: Notices;
  /** Where the terminal goes; its size is the space the terminal may use. */
  stage: HTMLElement;
}

/** Builds the skeleton inside `root`. The key row is added later, only for pages that can type. */
export function createPageLayout(root: HTMLElement): PageLayout {
  const topBar = new TopBar();
  const notices = new Notices();
  const stage = document.createElement('main');
  stage.className = 'stage';
  stage.setAttribute('aria-label', 'Terminal');
  const stageWrap = document.createElement('div');
  stageWrap.className = 'stage-wrap';
  stageWrap.append(stage, notices.card);
  root.replaceChildren(topBar.element, notices.banner, stageWrap);
  return { root, topBar, notices, stage };
}
