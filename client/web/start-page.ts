/**
 * The app's start page (`/`) on a device that has not opened a server's session list yet: what tether
 * is and how to get to a session — scan the QR code or open the link shown on the computer.
 */
import { element } from './dom.js';

/** Shows the start page in `root`. */
export function showStartPage(root: HTMLElement): void {
  document.title = 'tether';
  document.documentElement.dataset.view = 'start';
  const main = element('main', 'start-page');
  main.append(
    element('h1', 'start-title', 'tether'),
    element('p', 'start-lead', 'Your coding agents and terminals, live from your own computer.'),
    element('h2', 'start-head', 'To open a session'),
  );
  const steps = element('ol', 'start-steps');
  steps.append(
    element('li', undefined, 'On your computer, run tether remote-control (or share a session with /rc).'),
    element('li', undefined, 'Scan the QR code it shows with this device, or open the link it prints.'),
    element('li', undefined, 'Next time, this app opens that computer\'s sessions directly.'),
  );
  main.append(steps);
  root.replaceChildren(main);
}
