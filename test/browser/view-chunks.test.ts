/**
 * Each page loads only its own view's code, and loads it while it connects: a terminal link (`?k=t`, as
 * the host prints it) fetches xterm.js and never the markdown renderer, a conversation link (`?k=c`) the
 * other way round, and both ask for that code before the host's hello. An old link without the hint still
 * opens its session (the code is asked for once the document says its kind), and a link whose hint is
 * wrong opens the session as what it is.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { freshStateDir } from '../helpers/state-dir.js';
import { waitForLine, waitForLive } from '../helpers/terminal-page.js';
import { waitForConversation } from '../helpers/conversation-page.js';
import { clientDir } from '../../host/package-paths.js';

/** The built chunk whose code contains `marker`. */
function chunkWith(marker: string): string {
  const dir = clientDir();
  const found = readdirSync(dir).filter((f) => f.endsWith('.js') && readFileSync(join(dir, f), 'utf8').includes(marker));
  assert.equal(found.length, 1, `one chunk holds ${marker}: ${found.join(', ')}`);
  return found[0]!;
}

const processes: CliHost[] = [];
let browser: Browser;
let terminalUrl: string;
let conversationUrl: string;
let xtermChunk: string;
let markdownChunk: string;

before(async () => {
  xtermChunk = chunkWith('xterm-helper-textarea');
  markdownChunk = chunkWith('DOMPurify');
  browser = await launchChromium();
  const shell = startCli(['remote-control', '--json', '--local', '--port', '0', '--', '/bin/sh'], { PS1: 'ready$ ', TETHER_STATE_DIR: freshStateDir() });
  const agent = startCli(['remote-control', '--json', '--local', '--port', '0', '--agent', SCRIPTED_AGENT], { TETHER_STATE_DIR: freshStateDir() });
  processes.push(shell, agent);
  terminalUrl = String((await shell.event('ready', 30_000)).url);
  conversationUrl = String((await agent.event('ready', 30_000)).url);
});

after(async () => {
  await browser?.close();
  for (const p of processes) p.kill();
});

/** Opens `url` in a new context (a new device, empty cache); returns the page and the scripts it asked for. */
async function open(url: string): Promise<{ page: Page; scripts: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext(DESKTOP_CONTEXT);
  const page = await context.newPage();
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname.split('/').pop()!);
  });
  await page.goto(url);
  return { page, scripts, close: () => context.close() };
}

/** When the page asked for its view's code and when the host's hello arrived (its milestones, ms). */
async function viewRequestedBeforeSync(page: Page): Promise<{ requested: number; hello: number }> {
  return (await page.evaluate(
    "({ requested: performance.getEntriesByName('tether:view-requested')[0].startTime, hello: performance.getEntriesByName('tether:hello')[0].startTime })",
  )) as { requested: number; hello: number };
}

/** The link with its `k` hint replaced (`null`: removed), as an old link or a tampered one would be. */
function withHint(url: string, letter: string | null): string {
  const u = new URL(url);
  if (letter === null) u.searchParams.delete('k');
  else u.searchParams.set('k', letter);
  return u.href;
}

describe('view code by link', () => {
  it('the host prints links that name their kind', () => {
    assert.equal(new URL(terminalUrl).searchParams.get('k'), 't');
    assert.equal(new URL(conversationUrl).searchParams.get('k'), 'c');
    // The key stays in the fragment: nothing secret in what the browser sends.
    assert.ok(new URL(terminalUrl).hash.length > 10);
  });

  it('a terminal link loads xterm.js while it connects, and never the markdown renderer', async () => {
    const { page, scripts, close } = await open(terminalUrl);
    try {
      await waitForLive(page);
      await waitForLine(page, /ready\$/);
      assert.ok(scripts.includes(xtermChunk), `xterm's chunk fetched: ${scripts.join(', ')}`);
      assert.ok(!scripts.includes(markdownChunk), `the conversation's chunk is not fetched: ${scripts.join(', ')}`);
      const t = await viewRequestedBeforeSync(page);
      assert.ok(t.requested < t.hello, `view code asked for at ${t.requested.toFixed(0)} ms, before the host's hello at ${t.hello.toFixed(0)} ms`);
    } finally {
      await close();
    }
  });

  it('a conversation link loads the markdown renderer while it connects, and never xterm.js', async () => {
    const { page, scripts, close } = await open(conversationUrl);
    try {
      await waitForConversation(page);
      assert.ok(scripts.includes(markdownChunk), `the conversation's chunk fetched: ${scripts.join(', ')}`);
      assert.ok(!scripts.includes(xtermChunk), `xterm's chunk is not fetched: ${scripts.join(', ')}`);
      const t = await viewRequestedBeforeSync(page);
      assert.ok(t.requested < t.hello, `view code asked for at ${t.requested.toFixed(0)} ms, before the host's hello at ${t.hello.toFixed(0)} ms`);
    } finally {
      await close();
    }
  });

  it('an old link without the hint still opens its session, loading only its view', async () => {
    const { page, scripts, close } = await open(withHint(terminalUrl, null));
    try {
      await waitForLive(page);
      await waitForLine(page, /ready\$/);
      assert.ok(scripts.includes(xtermChunk) && !scripts.includes(markdownChunk), scripts.join(', '));
      const t = await viewRequestedBeforeSync(page);
      assert.ok(t.requested > t.hello, 'with no hint the kind comes with the first sync, after the hello');
    } finally {
      await close();
    }
  });

  it('a link with the wrong hint opens the session as what it is', async () => {
    const asConversation = await open(withHint(terminalUrl, 'c'));
    try {
      await waitForLive(asConversation.page);
      await waitForLine(asConversation.page, /ready\$/);
      assert.equal(await asConversation.page.locator('.entries').count(), 0, 'no conversation view');
    } finally {
      await asConversation.close();
    }
    const asTerminal = await open(withHint(conversationUrl, 't'));
    try {
      await waitForConversation(asTerminal.page);
      // The terminal built ahead for the wrong hint is gone.
      assert.equal(await asTerminal.page.locator('.xterm').count(), 0, 'no terminal left on the page');
    } finally {
      await asTerminal.close();
    }
  });
});
