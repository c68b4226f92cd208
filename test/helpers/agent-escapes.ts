/** Checks on what a terminal view printed for the scripted agent's `escapes` and `crashansi` commands. */
import assert from 'node:assert/strict';

/** None of the escape sequences the agent sent reached the terminal. */
export function assertNoAgentEscapes(raw: string): void {
  assert.ok(!raw.includes('\x1b]'), 'no OSC (OSC 52 clipboard write, OSC 8 link) reaches the terminal');
  assert.ok(!raw.includes('rm -rf ~\x1b'), 'the tool title cannot erase its own command');
  assert.ok(!/\x1b\[31mfatal|\x1b\[1mstack/.test(raw), "no colour codes from the agent's stderr");
}

/** The numbered approval prompt names the real command, on one line with what it pretends to be. */
export function assertApprovalShowsCommand(raw: string, text: string): void {
  assert.ok(raw.includes('?\x1b[0m rm -rf ~ Read README.md'), 'approval prompt shows rm -rf ~');
  // An option name cannot start a line of its own.
  assert.match(text, /\[1\] Allow once +\[2\] Reject +\[9\] Allow always/);
}
