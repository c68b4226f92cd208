/**
 * Makes the README's screenshots (docs/screenshots/*.png): a conversation waiting for an approval with
 * its diff, the session list, on a phone (390×844) and a desktop (1280×800), a terminal with the key
 * row on a phone, and the workspace's diff of a changed file on both — with real hosts (the scripted ACP
 * agent and /bin/sh), a real git repository and Chromium. `npm run screenshots` (which loads
 * test/helpers/run-tmpdir.ts: every temporary folder goes, the hosts' too, when it exits).
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, PHONE_CONTEXT, DESKTOP_CONTEXT } from '../../test/helpers/chromium.js';
import { startCli } from '../../test/helpers/cli-host.js';
import { waitForLive, typeInTerminal } from '../../test/helpers/terminal-page.js';
import { SCRIPTED_AGENT } from '../../test/helpers/scripted-agent-command.js';
import { sendPrompt } from '../../test/helpers/conversation-page.js';
import { tempStateDir } from '../../test/helpers/trust-host.js';
import { git } from '../../test/helpers/git-repo.js';
const out = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tether-demo-'));
mkdirSync(join(work, 'src'));
writeFileSync(join(work, 'src/a.ts'), 'export const answer = 41;\n');
// A repository with a commit, so the workspace has a branch and changes to show.
git(work, 'init', '-q', '-b', 'main');
git(work, 'add', '.');
git(work, 'commit', '-q', '-m', 'initial');
const cli = startCli(['remote-control', 'demo', '--json', '--local', '--port', '0', '--state-dir', tempStateDir(), '--agent', SCRIPTED_AGENT], {}, work);
const ready = await cli.event('ready', 30_000);
const term = startCli(['remote-control', 'build', '--json', '--local', '--port', '0', '--state-dir', tempStateDir(), '--spawn', 'session', '--', '/bin/sh'], { PS1: '$ ' }, work);
const tready = await term.event('ready', 30_000);
const browser = await launchChromium();
const phoneCtx = await browser.newContext({ ...PHONE_CONTEXT, deviceScaleFactor: 1.5 });
const deskCtx = await browser.newContext(DESKTOP_CONTEXT);
const phone = await phoneCtx.newPage();
const desk = await deskCtx.newPage();
for (const p of [phone, desk]) { await p.goto(String(ready.url)); await waitForLive(p); }
await sendPrompt(phone, 'plan');
await phone.waitForTimeout(1500);
await sendPrompt(phone, 'edit src/a.ts');
await phone.locator('[data-status="pending"]').first().waitFor({ timeout: 15000 });
await phone.waitForTimeout(800);
await phone.screenshot({ path: `${out}/conversation-phone.png` });
await desk.screenshot({ path: `${out}/conversation-desktop.png` });
// The desktop's list first: its card shows the phone, still in the session.
for (const [p, n] of [[desk, 'desktop'], [phone, 'phone']] as const) { await p.goto(String(ready.serverUrl)); await waitForLive(p); await p.waitForTimeout(800); await p.screenshot({ path: `${out}/list-${n}.png` }); }
const tp = await phoneCtx.newPage();
await tp.goto(String(tready.url)); await waitForLive(tp);
await typeInTerminal(tp, 'ls -la; git --version; echo done\n');
await tp.waitForTimeout(1000);
await tp.screenshot({ path: `${out}/terminal-phone.png` });
// The workspace: what the agent changed, and one file's diff.
writeFileSync(join(work, 'src/a.ts'), '/** The answer, at last. */\nexport const answer = 42;\n\nexport function ask(): number {\n  return answer;\n}\n');
writeFileSync(join(work, 'NOTES.md'), '# Notes\n\n- answer is 42 now\n');
for (const [p, n] of [[phone, 'phone'], [desk, 'desktop']] as const) {
  await p.goto(String(ready.url)); await waitForLive(p);
  await p.getByRole('button', { name: 'Workspace' }).click();
  const sheet = p.getByRole('dialog', { name: 'Workspace' });
  await sheet.getByRole('button', { name: /src\/a\.ts/ }).click();
  await sheet.getByRole('figure', { name: 'Changes to src/a.ts' }).locator('ins').first().waitFor({ timeout: 15000 });
  await p.screenshot({ path: `${out}/workspace-${n}.png` });
}
// SIGTERM: each host ends its program and agent (SIGKILL would leave them running); their folders and
// this script's are under the one run-tmpdir.ts removes at exit.
await browser.close();
await Promise.all([cli.stop(), term.stop()]);
process.exit(0);
