/**
 * 1 MiB pastes (16 intents) into the real `tether remote-control` process: into cat, into bash as a
 * bracketed paste and into vim, complete and in order, with /healthz and a second session answering
 * throughout. Apart from paste.test.ts so each file stays well inside the test runner's timeout.
 */
import { after } from 'node:test';
import { closePasteHosts, pasteProgramTests } from '../helpers/paste-host.js';

after(closePasteHosts);

pasteProgramTests(1024 * 1024);
