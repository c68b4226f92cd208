/**
 * The conversation page against the real CLI and a real ACP agent (the scripted fixture as a child
 * process): a phone-size page and a desktop page share one conversation. Streaming, approvals with the
 * diff shown first, hostile markdown, Stop, the queue, modes, images, and the agent crashing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP_CONTEXT, launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { SCRIPTED_AGENT } from '../helpers/scripted-agent-command.js';
import { UI_TIMEOUT_MS } from '../helpers/terminal-page.js';
import {
  agentMessages,
  permissionCard,
  sendPrompt,
  waitForAgentStatus,
  waitForAgentText,
  waitForConversation,
} from '../helpers/conversation-page.js';
import { waitFor } from '../helpers/wait-for.js';

/** Screenshots go here when TETHER_SCREENSHOTS names a folder. */
const SHOTS = process.env.TETHER_SCREENSHOTS;

/** The device names the pages' user agents give (see client/web/device-name.ts). */
const PHONE_NAME = 'Chrome on Android';
const DESKTOP_NAME = 'Chrome on Linux';

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('browser: one conversation shared by a phone and a desktop page', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;
  let phone: Page;
  let desktop: Page;
  let url: string;
  const pageErrors: string[] = [];

  const both = (): Page[] => [phone, desktop];
  const shot = async (name: string): Promise<void> => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await phone.screenshot({ path: join(SHOTS, `${name}-phone.png`) });
    await desktop.screenshot({ path: join(SHOTS, `${name}-desktop.png`) });
  };

  before(async () => {
    cli = startCli(['remote-control', '--json', '--local', '--port', '0', '--spawn', 'session', '--agent', SCRIPTED_AGENT]);
    const ready = await cli.event('ready');
    assert.equal(ready.kind, 'conversation');
    browser = await launchChromium();
    phone = await (await browser.newContext(PHONE_CONTEXT)).newPage();
    desktop = await (await browser.newContext(DESKTOP_CONTEXT)).newPage();
    for (const page of both()) page.on('pageerror', (err) => pageErrors.push(err.message));
    url = String(ready.url);
    await Promise.all(both().map((page) => page.goto(url)));
    await Promise.all(both().map((page) => waitForConversation(page)));
  });

  after(async () => {
    await browser?.close();
    cli?.kill();
  });

  it('a prompt from the phone streams into one message on both pages, then the agent is idle', async () => {
    // Mark what is on the page now: streaming must update one entry, never rebuild the others.
    await sendPrompt(phone, 'echo before');
    await Promise.all(both().map((page) => waitForAgentText(page, /^You said: before$/)));
    await Promise.all(both().map((page) => waitForAgentStatus(page, 'Idle')));
    const marked: number[] = [];
    for (const page of both()) marked.push(await page.evaluate('document.querySelectorAll(".entry").forEach((e) => { e.__kept = true; }) || document.querySelectorAll(".entry").length'));
    const before = await agentMessages(desktop).count();

    await sendPrompt(phone, 'stream 100 10');
    await waitForAgentStatus(desktop, 'Working…');
    const expected = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
    for (const [i, page] of both().entries()) {
      await waitForAgentText(page, /w99\s*$/);
      await waitForAgentStatus(page, 'Idle');
      assert.equal((await agentMessages(page).last().innerText()).trim(), expected);
      assert.equal(await agentMessages(page).count(), before + 1, 'one message, not one per chunk');
      const kept = await page.evaluate('Array.from(document.querySelectorAll(".entry")).filter((e) => e.__kept).length');
      assert.equal(kept, marked[i], 'the earlier entries kept their DOM nodes');
    }
    const prompt = desktop.getByRole('article', { name: `Prompt from ${PHONE_NAME}` }).last();
    assert.match(await prompt.innerText(), /stream 100 10/);
    await shot('conversation');
  });

  it('an edit asks for permission with its diff shown first; approving on the phone resolves it on the desktop', async () => {
    await sendPrompt(desktop, 'edit src/a.ts');
    for (const page of both()) {
      const card = permissionCard(page, 'Edit src/a.ts');
      await card.waitFor({ timeout: UI_TIMEOUT_MS });
      // The change itself is on screen before anyone answers.
      assert.equal(await card.locator('.diff-del', { hasText: 'old line' }).isVisible(), true);
      assert.equal(await card.locator('.diff-add', { hasText: 'new line' }).isVisible(), true);
      assert.match(await card.locator('.diff-path').innerText(), /^src\/a\.ts$/);
      for (const name of ['Allow once', 'Allow always', 'Reject']) {
        assert.equal(await card.getByRole('button', { name }).isVisible(), true, `${name} button`);
      }
      await waitForAgentStatus(page, 'Waiting for approval');
    }
    await shot('permission');

    await permissionCard(phone, 'Edit src/a.ts').getByRole('button', { name: 'Allow once' }).click();
    const card = permissionCard(desktop, 'Edit src/a.ts');
    await card.locator('.permission-outcome', { hasText: `Allow once — answered by ${PHONE_NAME}` }).waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await card.getByRole('button', { name: 'Allow once' }).count(), 0, 'options gone once answered');
    await waitForAgentText(desktop, /^edit applied$/);
    await desktop.locator('.entry.tool[data-status="completed"]', { hasText: 'Edit src/a.ts' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await permissionCard(phone, 'Edit src/a.ts').getByText(`answered by ${PHONE_NAME} (you)`).waitFor({ timeout: UI_TIMEOUT_MS });
    await Promise.all(both().map((page) => waitForAgentStatus(page, 'Idle')));
    await shot('permission-answered');
  });

  it('when both devices answer at once, one wins and the other is told who answered', async () => {
    await sendPrompt(phone, 'permission');
    const cards = both().map((page) => permissionCard(page, 'Do something risky'));
    await Promise.all(cards.map((card) => card.waitFor({ timeout: UI_TIMEOUT_MS })));
    // Take both buttons first, then click both: the second click lands even if the first answer already
    // reached that page and removed its buttons (a real user's tap in flight).
    const buttons = await Promise.all([
      cards[0]!.getByRole('button', { name: 'Reject' }).elementHandle({ timeout: UI_TIMEOUT_MS }),
      cards[1]!.getByRole('button', { name: 'Allow always' }).elementHandle({ timeout: UI_TIMEOUT_MS }),
    ]);
    await Promise.all(buttons.map((b) => b.dispatchEvent('click')));
    await waitForAgentText(desktop, /^permission: (reject-once|allow-always)$/);
    const winner = (await agentMessages(desktop).last().innerText()).includes('reject-once') ? 'Reject' : 'Allow always';
    const [winnerName, loser] = winner === 'Reject' ? [PHONE_NAME, desktop] : [DESKTOP_NAME, phone];
    await loser.getByRole('alert').filter({ hasText: `Already answered by ${winnerName} (${winner})` }).waitFor({ timeout: UI_TIMEOUT_MS });
    for (const card of cards) {
      await card.locator('.permission-outcome', { hasText: new RegExp(`^${winner} — answered by ${winnerName}`) }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    await Promise.all(both().map((page) => waitForAgentStatus(page, 'Idle')));
  });

  it('opened from a notification (?focus=attention), a page lands on the waiting card, its first answer focused', async () => {
    // A history longer than the screen, so landing on the card takes scrolling.
    for (let i = 0; i < 3; i++) {
      await sendPrompt(phone, 'markdown');
      await waitForAgentStatus(phone, 'Idle');
    }
    await sendPrompt(phone, 'permission');
    // The one that waits (an earlier test answered one with the same title).
    const pending = (page: Page) => permissionCard(page, 'Do something risky').and(page.locator('[data-status="pending"]'));
    await pending(phone).waitFor({ timeout: UI_TIMEOUT_MS });
    const tapped = await (await browser!.newContext(PHONE_CONTEXT)).newPage();
    const notified = new URL(url);
    notified.searchParams.set('focus', 'attention');
    await tapped.goto(notified.href);
    const card = pending(tapped);
    await card.waitFor({ timeout: UI_TIMEOUT_MS });
    await waitFor(async () => (await tapped.evaluate(`document.activeElement?.classList.contains('permission-option') ?? false`)) === true, UI_TIMEOUT_MS, 'an answer focused');
    assert.equal(await tapped.evaluate('document.activeElement.textContent'), 'Allow once');
    const box = (await card.boundingBox())!;
    assert.ok(box.y >= 0 && box.y < 844, `the card is on screen (y ${box.y})`);
    await card.getByRole('button', { name: 'Reject' }).click();
    await waitForAgentStatus(phone, 'Idle');
    await tapped.context().close();
  });

  it('hostile markdown renders inert', async () => {
    await sendPrompt(phone, 'hostile');
    for (const page of both()) {
      const message = await waitForAgentText(page, /bold/);
      assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
      assert.equal(await page.locator('main script, main img, main iframe, [onerror], [onload]').count(), 0);
      assert.equal(await page.locator('a[href^="javascript" i]').count(), 0);
      assert.equal(await message.locator('a').count(), 0, 'the javascript: link is plain text');
      assert.match(await message.innerText(), /\[click\]\(javascript:window\.__pwned=3\)/);
      assert.match(await message.innerText(), /<script>window\.__pwned=1<\/script>/, 'tags show as text');
      assert.equal(await message.locator('strong').innerText(), 'bold');
      assert.equal(await message.locator('code').innerText(), 'code');
    }
    await sendPrompt(desktop, 'markdown');
    for (const page of both()) {
      const message = await waitForAgentText(page, /Scripted heading/);
      const link = message.getByRole('link', { name: 'the example site' });
      assert.equal(await link.getAttribute('href'), 'https://example.com');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      assert.match(await message.locator('pre code').innerText(), /const answer: number = 42;/);
      assert.equal(await message.getByRole('heading', { name: 'Scripted heading' }).count(), 1);
    }
    await Promise.all(both().map((page) => waitForAgentStatus(page, 'Idle')));
  });

  it('Stop mid-stream stops the agent and the state returns to idle', async () => {
    const earlier = await agentMessages(desktop).count();
    const earlierOnPhone = await agentMessages(phone).count();
    const turnOn = async (page: Page, from: number): Promise<string> => (await agentMessages(page).allInnerTexts()).slice(from).join(' ');
    await sendPrompt(phone, 'stream 2000 5');
    // This turn's text (an earlier answer also contains "w20").
    await waitFor(async () => /\bw20\b/.test(await turnOn(phone, earlierOnPhone)), UI_TIMEOUT_MS, 'stream under way on the phone');
    const stop = phone.getByRole('button', { name: 'Stop' });
    const box = await stop.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 844, `Stop is on screen without scrolling: ${JSON.stringify(box)}`);
    await stop.click();
    for (const page of both()) {
      await waitForAgentStatus(page, 'Idle', 5000);
      await page.getByText(`Stopped by ${PHONE_NAME}`).waitFor({ timeout: UI_TIMEOUT_MS });
      assert.equal(await page.getByRole('button', { name: 'Stop' }).isVisible(), false, 'no Stop while idle');
    }
    // The page renders a streaming message on a later frame: wait until this turn's text reached w20.
    const turnText = (): Promise<string> => turnOn(desktop, earlier);
    await waitFor(async () => /\bw20\b/.test(await turnText()), UI_TIMEOUT_MS, 'the desktop shows the stream up to the stop').catch(async (err: Error) => {
      throw new Error(`${err.message}; desktop shows: …${(await turnText()).slice(-80)}; phone shows: …${(await agentMessages(phone).allInnerTexts()).join(' ').slice(-80)}`);
    });
    const stream = await turnText();
    assert.ok(!stream.includes('w1999'), `the stream was cut short: …${stream.slice(-60)}`);
  });

  it('prompts sent while the agent works queue; any device edits or removes them; the rest run in order', async () => {
    await sendPrompt(phone, 'stream 400 20');
    // 8 s of streaming: time for both pages to queue, edit and remove on a loaded machine before the turn ends.
    await waitForAgentStatus(desktop, 'Working…');
    // Desktop: Enter sends. Phone: the Send button.
    const desktopBox = desktop.getByRole('textbox', { name: 'Message' });
    await desktopBox.fill('echo first-queued');
    await desktopBox.press('Enter');
    await sendPrompt(phone, 'echo second-queued');
    await sendPrompt(phone, 'echo third-queued');
    for (const page of both()) {
      const queue = page.getByRole('region', { name: 'Queued messages' });
      await waitFor(async () => (await queue.getByRole('listitem').count()) === 3, UI_TIMEOUT_MS, 'three queued');
      assert.deepEqual(
        (await queue.locator('.queue-text').allInnerTexts()).map((t) => t.trim()),
        ['echo first-queued', 'echo second-queued', 'echo third-queued'],
      );
    }
    await shot('queue');
    await desktop.getByRole('listitem').filter({ hasText: 'echo first-queued' }).getByRole('button', { name: 'Remove' }).click();
    const third = phone.getByRole('listitem').filter({ hasText: 'echo third-queued' });
    await third.getByRole('button', { name: 'Edit' }).click();
    await phone.getByRole('textbox', { name: 'Edit queued message' }).fill('echo third-edited');
    await phone.getByRole('button', { name: 'Save' }).click();
    for (const page of both()) {
      const queue = page.getByRole('region', { name: 'Queued messages' });
      await waitFor(
        async () => JSON.stringify((await queue.locator('.queue-text').allInnerTexts()).map((t) => t.trim())) === '["echo second-queued","echo third-edited"]',
        UI_TIMEOUT_MS,
        'first removed and third edited on both',
      );
    }
    for (const page of both()) {
      await waitForAgentText(page, /^You said: third-edited$/);
      await waitForAgentStatus(page, 'Idle');
      assert.equal(await page.getByRole('region', { name: 'Queued messages' }).isVisible(), false, 'queue hidden when empty');
    }
    // A long streamed answer re-renders at a pace set by its render cost: wait for its last words, do not sample.
    await waitForAgentText(desktop, /^w0 w1 .* w399$/);
    const answers = (await agentMessages(desktop).allInnerTexts()).map((t) => t.trim()).slice(-3);
    assert.match(answers[0]!, /^w0 w1 .* w399$/);
    assert.deepEqual(answers.slice(1), ['You said: second-queued', 'You said: third-edited']);
    assert.equal(await desktop.getByText('echo first-queued').count(), 0, 'the removed prompt never ran');
  });

  it('Stop pauses the queue: the queued prompts wait until a device taps "Run queued (n)"', async () => {
    await sendPrompt(phone, 'stream 2000 5');
    await waitForAgentStatus(desktop, 'Working…');
    await sendPrompt(phone, 'echo paused-one');
    await sendPrompt(phone, 'echo paused-two');
    for (const page of both()) {
      await waitFor(async () => (await page.getByRole('region', { name: 'Queued messages' }).getByRole('listitem').count()) === 2, UI_TIMEOUT_MS, 'two queued');
    }
    await phone.getByRole('button', { name: 'Stop' }).click();
    for (const page of both()) {
      // The host goes idle and starts the next prompt in one change: seeing Idle with both still queued proves the pause.
      await waitForAgentStatus(page, 'Idle', 5000);
      assert.equal(await page.getByRole('region', { name: 'Queued messages' }).getByRole('listitem').count(), 2, 'both still queued after Stop');
      await page.getByRole('button', { name: 'Run queued (2)' }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    const run = phone.getByRole('button', { name: 'Run queued (2)' });
    const box = await run.boundingBox();
    assert.ok(box && box.height >= 44 && box.y + box.height <= 844, `Run queued is a tap target on screen: ${JSON.stringify(box)}`);
    await shot('queue-paused');
    await desktop.getByRole('button', { name: 'Run queued (2)' }).click();
    for (const page of both()) {
      await waitForAgentText(page, /^You said: paused-two$/);
      await waitForAgentStatus(page, 'Idle');
      assert.equal(await page.getByRole('region', { name: 'Queued messages' }).isVisible(), false, 'queue hidden when empty');
    }
    const answers = (await agentMessages(desktop).allInnerTexts()).map((t) => t.trim()).slice(-2);
    assert.deepEqual(answers, ['You said: paused-one', 'You said: paused-two']);
  });

  it('plans show as checklists, thoughts dimmed and collapsed, tool cards collapsed with their status', async () => {
    await sendPrompt(phone, 'plan');
    await waitForAgentText(desktop, /^here is the plan$/);
    const plan = desktop.getByRole('region', { name: 'Plan' }).last();
    assert.deepEqual(
      await plan.locator('.plan-item').evaluateAll((items) => items.map((i) => `${(i as HTMLElement).dataset.status}:${i.querySelector('.plan-text')!.textContent}`)),
      ['completed:Read the code', 'in_progress:Change the code', 'pending:Run the tests'],
    );
    await sendPrompt(phone, 'think');
    await waitForAgentText(desktop, /^done thinking$/);
    const thought = desktop.locator('details.thought').last();
    assert.equal(await thought.evaluate((d) => (d as HTMLDetailsElement).open), false, 'thoughts start collapsed');
    assert.match(await thought.innerText(), /Thought\s+thinking about it/);
    await sendPrompt(phone, 'run ls -la');
    await waitForAgentText(desktop, /^command finished$/);
    for (const page of both()) {
      const card = page.locator('details.tool', { hasText: 'Run ls -la' }).last();
      assert.equal(await card.getAttribute('data-status'), 'completed');
      assert.equal(await card.evaluate((d) => (d as HTMLDetailsElement).open), false, 'tool cards start collapsed');
      assert.equal(await card.getByText('line 2').isVisible(), false);
      await card.locator('summary').click();
      await card.getByText(/\$ ls -la\s+line 1\s+line 2/).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    await waitForAgentStatus(desktop, 'Idle');
  });

  it('Enter sends on the desktop (Shift+Enter is a new line); on the phone Enter is a new line', async () => {
    const desktopBox = desktop.getByRole('textbox', { name: 'Message' });
    await desktopBox.fill('echo two');
    await desktopBox.press('Shift+Enter');
    await desktopBox.pressSequentially('lines');
    assert.equal(await desktopBox.inputValue(), 'echo two\nlines');
    const phoneBox = phone.getByRole('textbox', { name: 'Message' });
    await phoneBox.fill('echo tapped');
    await phoneBox.press('Enter');
    assert.equal(await phoneBox.inputValue(), 'echo tapped\n', 'the phone keeps Enter as a new line');
    await phoneBox.fill('');
    await desktopBox.press('Enter');
    await waitForAgentText(phone, /^You said: two\s+lines$/);
    assert.equal(await desktopBox.inputValue(), '');
    await waitForAgentStatus(phone, 'Idle');
  });

  it('the message box grows with its text up to 40 % of the screen, then scrolls, and shrinks back', async () => {
    const box = phone.getByRole('textbox', { name: 'Message' });
    const height = (): Promise<number> => box.evaluate((el) => el.getBoundingClientRect().height);
    const empty = await height();
    await box.fill('one\ntwo\nthree\nfour');
    await waitFor(async () => (await height()) > empty + 40, UI_TIMEOUT_MS, 'the box grows with four lines');
    await box.fill(Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n'));
    await waitFor(async () => (await height()) >= 0.4 * 844 - 2, UI_TIMEOUT_MS, 'the box grows to its cap');
    assert.ok((await height()) <= 0.4 * 844 + 2, `capped at 40 % of the screen: ${await height()}`);
    assert.ok(await box.evaluate((el) => el.scrollHeight > el.clientHeight), 'the rest scrolls inside the box');
    await box.fill('');
    await waitFor(async () => Math.abs((await height()) - empty) < 1, UI_TIMEOUT_MS, 'the box shrinks back when emptied');
  });

  it('the mode switcher changes the agent mode for every device', async () => {
    const select = desktop.getByRole('combobox', { name: 'Mode', exact: true });
    assert.equal(await select.inputValue(), 'code');
    await select.selectOption({ label: 'Ask' });
    await waitFor(async () => (await phone.getByRole('combobox', { name: 'Mode', exact: true }).inputValue()) === 'ask', UI_TIMEOUT_MS, 'phone shows Ask');
    await sendPrompt(phone, 'mode');
    await waitForAgentText(desktop, /^mode: ask$/);
    await waitForAgentStatus(desktop, 'Idle');
  });

  it('an image pasted (desktop) or attached (phone) goes with the prompt', async () => {
    const box = desktop.getByRole('textbox', { name: 'Message' });
    await box.focus();
    const paste = `(() => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(PNG.toString('base64'))}), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
      document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    })()`;
    await desktop.evaluate(paste);
    await desktop.getByRole('img', { name: 'Image 1', exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    await desktop.getByRole('button', { name: 'Remove image 1' }).click();
    assert.equal(await desktop.getByRole('img', { name: 'Image 1', exact: true }).count(), 0);
    await desktop.evaluate(paste);
    await desktop.getByRole('img', { name: 'Image 1', exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    await box.fill('image');
    await box.press('Enter');
    await waitForAgentText(phone, /^images: 1 image\/png$/);
    assert.equal(await desktop.getByRole('img', { name: 'Image 1', exact: true }).count(), 0, 'attachments cleared after sending');
    await waitForAgentStatus(phone, 'Idle');

    await phone.locator('input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    await phone.getByRole('img', { name: 'Image 1', exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    await sendPrompt(phone, 'image');
    // The second such answer: the first one (the desktop's paste) already matches.
    await agentMessages(desktop).filter({ hasText: /^images: 1 image\/png$/ }).nth(1).waitFor({ timeout: UI_TIMEOUT_MS });
    const prompt = desktop.getByRole('article', { name: `Prompt from ${PHONE_NAME}` }).last();
    assert.match(await prompt.innerText(), /1 image/);
    await waitForAgentStatus(desktop, 'Idle');
  });

  it('a page reloaded mid-session shows the whole conversation again', async () => {
    const before = await agentMessages(desktop).allInnerTexts();
    await phone.reload();
    await waitForConversation(phone);
    await waitFor(async () => JSON.stringify(await agentMessages(phone).allInnerTexts()) === JSON.stringify(before), UI_TIMEOUT_MS, 'same messages');
  });

  it('when the agent crashes, every page shows why with its stderr, and the conversation stays readable', async () => {
    await sendPrompt(phone, 'crash');
    for (const page of both()) {
      await waitForAgentStatus(page, 'Ended');
      const card = page.getByRole('region', { name: 'Agent ended' });
      await card.waitFor({ timeout: UI_TIMEOUT_MS });
      assert.match(await card.innerText(), /exited with code 3/);
      assert.match(await card.innerText(), /fatal: scripted crash line 5/);
      assert.equal(await page.getByRole('textbox', { name: 'Message' }).isDisabled(), true);
      assert.ok((await agentMessages(page).count()) > 5, 'history still there');
    }
    await shot('ended');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });
});
