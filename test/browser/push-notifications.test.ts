/**
 * Notifications in the page (issue #12): on an https origin the service worker shows a push the host
 * sent (delivered here through Chromium's DevTools protocol: there is no vendor push service without the
 * internet) as a notification naming the session, unless a visible window already shows that session;
 * the bell in the top bar offers the choices and says plainly why it cannot work on plain http, or when
 * the browser's push service cannot be reached; a page open but hidden alerts by itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, PHONE_CONTEXT } from '../helpers/chromium.js';
import { startCli, type CliHost } from '../helpers/cli-host.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-tls.js';
import { typeInTerminal, UI_TIMEOUT_MS, waitForLine, waitForLive } from '../helpers/terminal-page.js';
import { bounded, waitFor } from '../helpers/wait-for.js';
import { tempStateDir } from '../helpers/trust-host.js';
import type { PushPayload } from '../../protocol/push.js';

/** A name that resolves to loopback but is not a secure context (like a LAN address over plain http). */
const LAN_NAME = 'lan.tether.test';

interface ShownNotification {
  title: string;
  body: string;
  data: { sessionId: string | null; focus: string | null };
}

const shown = (page: Page): Promise<ShownNotification[]> =>
  page.evaluate(`navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => ({ title: n.title, body: n.body, data: n.data })))`) as Promise<ShownNotification[]>;

describe('browser: notifications', () => {
  let certs: TestCertificates;
  let cli: CliHost | undefined;
  let plain: CliHost | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let list: Page;
  let serverUrl: string;
  let sessionId: string;
  let sessionUrl: string;

  before(async () => {
    certs = makeTestCertificates();
    cli = startCli(['remote-control', 'build', '--json', '--local', '--port', '0', '--tls-cert', certs.cert, '--tls-key', certs.key, '--state-dir', tempStateDir(), '--', '/bin/sh']);
    const ready = await cli.event('ready', 30_000);
    serverUrl = String(ready.serverUrl);
    sessionUrl = String(ready.url);
    sessionId = /\/s\/([\w-]{22})/.exec(sessionUrl)![1]!;
    browser = await launchChromium(['--ignore-certificate-errors']);
    context = await browser.newContext({ ...PHONE_CONTEXT, ignoreHTTPSErrors: true });
    await context.grantPermissions(['notifications'], { origin: new URL(serverUrl).origin });
    list = await context.newPage();
    await list.goto(serverUrl);
    await waitForLive(list);
    await waitFor(async () => (await list.evaluate('navigator.serviceWorker.getRegistrations().then((r) => r.length)')) === 1, UI_TIMEOUT_MS, 'service worker registered');
    await list.evaluate('navigator.serviceWorker.ready');
  });

  after(async () => {
    await browser?.close();
    for (const host of [cli, plain]) {
      host?.kill();
      await host?.exited;
    }
    rmSync(certs.dir, { recursive: true, force: true });
  });

  /**
   * Delivers `payload` to the page's service worker as the push service would. The DevTools session stays
   * open for the whole suite: detaching it right after a delivery can stop the worker mid-push.
   */
  let pushSession: { deliver(payload: PushPayload): Promise<void> } | null = null;
  async function deliver(page: Page, payload: PushPayload): Promise<void> {
    if (!pushSession) {
      const cdp = await context.newCDPSession(page);
      const registrationId = new Promise<string>((resolve) => {
        cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }: { registrations: Array<{ registrationId: string; isDeleted: boolean }> }) => {
          const live = registrations.find((r) => !r.isDeleted);
          if (live) resolve(live.registrationId);
        });
      });
      await cdp.send('ServiceWorker.enable');
      const id = await bounded(registrationId, 10_000, 'no service worker registration reported');
      pushSession = { deliver: async (p) => void (await cdp.send('ServiceWorker.deliverPushMessage', { origin: new URL(serverUrl).origin, registrationId: id, data: JSON.stringify(p) })) };
    }
    await pushSession.deliver(payload);
  }

  /**
   * Delivers `payload` until its notification shows. About one push in ten that DevTools delivers reaches
   * the worker (its push listener runs) but no notification follows, with nothing thrown (cause not found:
   * see the closing note of #12; seen on a first push and, in stop 28's CI, on a later one). The same push
   * is delivered again then, at most three times: it replaces its own notification (the same tag), so it
   * never shows twice, and a worker that never shows fails.
   */
  async function deliverUntilShown(payload: PushPayload): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await deliver(list, payload);
      const appeared = await waitFor(async () => (await shown(list)).some((n) => n.title === payload.title), 5000, 'the notification').then(() => true, () => false);
      if (appeared) return;
      if (attempt === 3) assert.fail(`three pushes, no notification '${payload.title}'`);
    }
  }

  it('a push shows a notification naming the session; tapping it is set to open the waiting card', async () => {
    const payload: PushPayload = { v: 1, kind: 'attention', title: 'build', body: 'Waiting for your approval.', sessionId, focus: 'attention' };
    await deliverUntilShown(payload);
    assert.deepEqual(await shown(list), [{ title: 'build', body: 'Waiting for your approval.', data: { sessionId, focus: 'attention' } }]);
  });

  it('a window that already shows the session gets no notification for it', async () => {
    const watching = await context.newPage();
    await watching.goto(sessionUrl);
    await waitForLive(watching);
    await list.evaluate('navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((l) => l.forEach((n) => n.close()))');
    await deliver(list, { v: 1, kind: 'turn-ended', title: 'build', body: 'Finished its turn.', sessionId, focus: null });
    // And one for another session, which is shown: the first was skipped, not late.
    await deliverUntilShown({ v: 1, kind: 'ended', title: 'other', body: 'Ended: exited with code 0', sessionId: 'A'.repeat(22), focus: null });
    assert.deepEqual((await shown(list)).map((n) => n.title), ['other']);
    await watching.close();
  });

  it('the bell offers the choices, and says so when the browser cannot reach its push service', async () => {
    const bell = list.locator('summary', { hasText: 'Notifications' });
    await bell.click();
    const box = list.getByRole('checkbox', { name: 'Needs my approval or an answer' });
    // Headless Chromium here has no vendor push service to subscribe with (no internet): the attempt
    // fails at once, so the box is clicked rather than checked (it does not stay checked).
    await box.click();
    await list.getByText(/push service could not be reached/).waitFor({ timeout: 30_000 });
    assert.equal(await box.isChecked(), false, 'nothing is left half on');
  });

  it('a page that is open but hidden alerts by itself for what the device chose, with no push service', async () => {
    const page = await context.newPage();
    // What the page asks its service worker registration to show, and whether the browser took it. (The
    // shown list itself is what Chromium keeps: about one time in ten a notification it accepted does not
    // appear there — see the first test — which says nothing about the page.)
    await page.addInitScript(() => {
      const calls: Array<{ title: string; body: string; data: unknown; accepted: boolean | null }> = [];
      (window as unknown as { __notifications: typeof calls }).__notifications = calls;
      const show = ServiceWorkerRegistration.prototype.showNotification;
      ServiceWorkerRegistration.prototype.showNotification = function (title: string, options?: NotificationOptions) {
        const call = { title, body: options?.body ?? '', data: options?.data as unknown, accepted: null as boolean | null };
        calls.push(call);
        return show.call(this, title, options).then(
          () => void (call.accepted = true),
          (err: unknown) => {
            call.accepted = false;
            throw err;
          },
        );
      };
    });
    await page.goto(sessionUrl);
    await waitForLive(page);
    // This device chose "ended" (stored as the bell stores it; subscribing needs a push service).
    await page.evaluate(`localStorage.setItem('tether:notify', JSON.stringify({ kinds: ['ended'], sessions: {} }))`);
    // The tab is in the background (headless pages are always visible, so the page is told so).
    await page.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })`);
    await typeInTerminal(page, 'exit 3\n');
    const requested = async (): Promise<Array<{ title: string; body: string; data: unknown; accepted: boolean | null }>> => page.evaluate('window.__notifications') as never;
    await waitFor(async () => (await requested()).some((n) => n.accepted !== null), UI_TIMEOUT_MS, 'the page asking for a notification', async () =>
      `the page shows: ${JSON.stringify((await page.locator('body').innerText()).slice(-300))}`,
    );
    assert.deepEqual(await requested(), [{ title: 'build', body: 'Ended: exited with code 3', data: { sessionId, focus: null }, accepted: true }]);
    await page.close();
  });

  it('on plain http (a LAN address) the bell says notifications need https, and a hidden page still chimes for what was ticked', async () => {
    plain = startCli(['remote-control', 'plain', '--json', '--local', '--port', '0', '--state-dir', tempStateDir(), '--', '/bin/sh']);
    const ready = await plain.event('ready', 30_000);
    // A name that resolves to loopback but is not a secure context, as a LAN address over plain http is.
    const lan = await launchChromium([`--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`, '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable']);
    try {
      const page = await (await lan.newContext(PHONE_CONTEXT)).newPage();
      // Counts the notes the page plays and the vibrations it asks for.
      await page.addInitScript(() => {
        const seen = { notes: 0, vibrations: 0 };
        (window as unknown as { __alerts: typeof seen }).__alerts = seen;
        const start = OscillatorNode.prototype.start;
        OscillatorNode.prototype.start = function (...args: Parameters<typeof start>) {
          seen.notes++;
          return start.apply(this, args);
        };
        navigator.vibrate = () => {
          seen.vibrations++;
          return true;
        };
      });
      await page.goto(String(ready.url).replace('//127.0.0.1:', `//${LAN_NAME}:`));
      await waitForLive(page);
      assert.equal(await page.evaluate('window.isSecureContext'), false);
      await page.locator('summary', { hasText: 'Notifications' }).click();
      await page.getByText(/need this page over https/).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByText(/still chimes and vibrates/).waitFor({ timeout: UI_TIMEOUT_MS });
      // The tick is the gesture that lets the page play sound later.
      await page.getByRole('checkbox', { name: 'Ended or crashed' }).check();
      await page.getByText('On while this page is open.').waitFor({ timeout: UI_TIMEOUT_MS });
      assert.equal(await page.getByRole('checkbox', { name: 'Needs my approval or an answer' }).isChecked(), false);
      await page.locator('summary', { hasText: 'Notifications' }).click();
      await page.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })`);
      await typeInTerminal(page, 'exit 3\n');
      const alerts = (): Promise<{ notes: number; vibrations: number }> => page.evaluate('window.__alerts') as never;
      await waitFor(async () => (await alerts()).notes === 2, UI_TIMEOUT_MS, 'the chime (two notes)', async () => `alerts: ${JSON.stringify(await alerts())}`);
      assert.deepEqual(await alerts(), { notes: 2, vibrations: 0 }, 'a chime; vibration is for what needs the user');
    } finally {
      await lan.close();
    }
  });
});

describe('browser: sound for alerts is set up only for a device that wants alerts', () => {
  let cli: CliHost | undefined;
  let browser: Browser | undefined;

  before(async () => {
    cli = startCli(['remote-control', 'quiet', '--json', '--local', '--port', '0', '--state-dir', tempStateDir(), '--', '/bin/sh']);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await cli?.stop();
  });

  it("a key typed on a page that chose no alerts starts no audio (creating it stalls the page: 30–300 ms); once alerts are chosen, a visit's first key unlocks it", async () => {
    const url = String((await cli!.event('ready', 30_000)).url);
    const page = await (await browser!.newContext(PHONE_CONTEXT)).newPage();
    // Counts the audio contexts the page creates.
    await page.addInitScript(() => {
      const Base = window.AudioContext;
      const counter = { made: 0 };
      (window as unknown as { __audio: typeof counter }).__audio = counter;
      window.AudioContext = class extends Base {
        constructor(...args: ConstructorParameters<typeof Base>) {
          super(...args);
          counter.made++;
        }
      };
    });
    const made = (): Promise<number> => page.evaluate('window.__audio.made') as Promise<number>;
    await page.goto(url);
    await waitForLive(page);
    await page.locator('.stage').click();
    await typeInTerminal(page, 'echo typed-$((2+3))\n');
    await waitForLine(page, /^typed-5$/);
    assert.equal(await made(), 0, 'no audio for a device that wants no alerts');
    // Chosen on an earlier visit: this visit's first key is the gesture that lets a chime play later.
    await page.evaluate(`localStorage.setItem('tether:notify', JSON.stringify({ kinds: ['ended'], sessions: {} }))`);
    await page.reload();
    await waitForLive(page);
    await typeInTerminal(page, 'echo again\n');
    await waitForLine(page, /^again$/);
    await waitFor(async () => (await made()) === 1, UI_TIMEOUT_MS, 'the audio unlocked by the first key');
    assert.equal(await page.evaluate('window.__audio.made'), 1);
  });
});
