/**
 * The interactive chat (a real PTY) with what the agent offers: its slash commands listed and run,
 * settings listed and changed with /config and /<setting>, a question answered field by field,
 * /usage, and /login running the agent's login program right in the terminal; an agent that cannot open
 * a session without a login stops tether with its login methods and what to do.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPtyCli, type PtyCli } from '../helpers/pty-cli.js';
import { SCRIPTED_AGENT, SCRIPTED_AGENT_ARGV } from '../helpers/scripted-agent-command.js';

const folder = realpathSync(mkdtempSync(join(tmpdir(), 'tether-chat-features-')));
const running: PtyCli[] = [];
after(() => {
  for (const p of running) p.kill();
});

test('chat: agent commands, settings, a question answered field by field, usage', async () => {
  const cli = startPtyCli(['--agent', SCRIPTED_AGENT, '--local', '--port', '0'], folder);
  running.push(cli);
  await cli.waitFor(/\/help for commands/);
  // The agent advertises its commands a moment after the session opens (slower on a loaded machine): a
  // `/` typed before lists only tether's own. Ask again until the agent's are there.
  for (let attempt = 1; ; attempt++) {
    cli.type('/\r');
    try {
      await cli.waitFor(/\/echo <text to repeat> — Repeat the text back/, 3_000);
      break;
    } catch (err) {
      if (attempt === 5) throw err;
    }
  }
  cli.type('/echo from a slash\r');
  await cli.waitFor(/You said: from a slash/);

  cli.type('/config\r');
  await cli.waitFor(/Model \(\/model <number or value>\):\n\s+● \[1\] Scripted Fast/);
  cli.type('/model 2\r');
  await cli.waitFor(/● \[2\] Scripted Smart/);
  cli.type('/verbose on\r');
  await cli.waitFor(/Verbose \(\/verbose on\|off\): on/);
  cli.type('/model gpt-imaginary\r');
  await cli.waitFor(/'gpt-imaginary' is not a value of Model/);
  cli.type('config\r');
  await cli.waitFor(/config: model=scripted-smart effort=medium verbose=true/);

  cli.type('ask\r');
  await cli.waitFor(/\? What should the scripted agent use\?/);
  await cli.waitFor(/› Name — Who is asking: type it/);
  cli.type('Ada\r');
  await cli.waitFor(/Color: \[1\] Red  \[2\] Green  \[3\] Blue/);
  cli.type('9\r');
  await cli.waitFor(/Color: type the number of a choice/);
  cli.type('3\r');
  cli.type('-\r');
  cli.type('y\r');
  cli.type('2\r');
  await cli.waitFor(/answer: accept \{"name":"Ada","color":"blue","agree":true,"extras":\["docs"\]\}/);

  cli.type('usage 1500 100000\r');
  await cli.waitFor(/context: 1.5k of 100k tokens \(2%\)/);
  cli.type('/usage\r');
  await cli.waitFor(/Context: 1.5k of 100k tokens \(2%\)/);
  cli.type('/quit\r');
  assert.equal(await cli.exited, 0);
});

test('chat: a prompt refused for want of a login shows the methods; /login runs the login program here', async () => {
  const home = mkdtempSync(join(tmpdir(), 'tether-chat-login-'));
  // A preset maps the agent's method id to the variable, so tether logs in with it (and session/new works).
  const config = join(home, 'config.json');
  writeFileSync(config, JSON.stringify({ presets: { locked: { command: [...SCRIPTED_AGENT_ARGV, '--auth'], authEnv: { 'scripted-key': 'SCRIPTED_API_KEY' } } } }));
  const cli = startPtyCli(['--agent', 'locked', '--config', config, '--local', '--port', '0'], folder, { SCRIPTED_AGENT_HOME: home, SCRIPTED_API_KEY: 'sk-test' });
  running.push(cli);
  await cli.waitFor(/\/help for commands/);
  cli.type('authfail\r');
  await cli.waitFor(/Scripted Agent needs a login\. Its login methods:/);
  await cli.waitFor(/Log in to Scripted \(runs the agent's login program\)/);
  cli.type('/login\r');
  await cli.waitFor(/Type the code shown on your other screen:/);
  cli.type('ok\r');
  await cli.waitFor(/Logged in\. Send your prompt again\./);
  cli.type('echo still here\r');
  await cli.waitFor(/You said: still here/);
  cli.type('/quit\r');
  assert.equal(await cli.exited, 0);
});

test('interactive: an agent that refuses to open a session without a login says how to log in, and exits 1', async () => {
  const home = mkdtempSync(join(tmpdir(), 'tether-chat-nologin-'));
  const config = join(home, 'config.json');
  writeFileSync(config, JSON.stringify({ presets: { locked: { command: [...SCRIPTED_AGENT_ARGV, '--auth'], login: 'type ok in the login terminal', authEnv: { 'scripted-key': 'SCRIPTED_API_KEY' } } } }));
  const cli = startPtyCli(['--agent', 'locked', '--config', config, '--local', '--port', '0'], folder, { SCRIPTED_AGENT_HOME: home, SCRIPTED_API_KEY: '' });
  running.push(cli);
  assert.equal(await cli.exited, 1);
  assert.match(cli.text(), /\(AGENT_LOGIN_REQUIRED\)/);
  assert.match(cli.text(), /Scripted Agent needs a login\. Its login methods:/);
  assert.match(cli.text(), /Use SCRIPTED_API_KEY \(set SCRIPTED_API_KEY\)/);
  assert.match(cli.text(), /To log in: type ok in the login terminal/);
});
