/**
 * Pastes into the real `tether remote-control` process (a real PTY, real WebRTC): 64 KiB into cat,
 * into bash as a bracketed paste and into vim arrives complete and in order while /healthz and a
 * second session keep answering; SIGTERM still ends the host in the middle of a paste; a program
 * that never reads gets a bounded backlog and a coded refusal, not a frozen host.
 * (1 MiB pastes: paste-large.test.ts.)
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { closePasteHosts, pasteProgramTests, startPasteHost, whileWatching } from '../helpers/paste-host.js';
import { bounded } from '../helpers/wait-for.js';
import { asTyped, pasteText, sendPaste } from '../helpers/paste.js';
import { waitFor } from '../helpers/wait-for.js';
import { MAX_INPUT_CHARS } from '../../protocol/messages.js';
import { readTerminal } from '../../protocol/terminal-doc.js';

const MIB = 1024 * 1024;

after(closePasteHosts);

pasteProgramTests(64 * 1024);

test('SIGTERM ends the host within 2 s in the middle of a 1 MiB paste', async () => {
  const host = await startPasteHost(['tee', 'pasted.txt']);
  const file = join(host.dir, 'pasted.txt');
  const text = pasteText(MIB);
  // Not awaited: the host is stopped before the paste is through.
  void sendPaste(host.device.client, asTyped(text, false));
  await waitFor(() => existsSync(file) && statSync(file).size > 64 * 1024, 30_000, 'the paste is under way');
  const t0 = performance.now();
  host.cli.child.kill('SIGTERM');
  const code = await bounded(host.cli.exited, 5000, 'the host to exit after SIGTERM');
  const elapsed = performance.now() - t0;
  assert.equal(code, 0);
  assert.ok(elapsed < 2000, `took ${elapsed.toFixed(0)} ms`);
  assert.ok(statSync(file).size < Buffer.byteLength(text), 'it really was stopped mid-paste');
});

test('a program that never reads: the backlog is bounded, further input is refused with INPUT_BACKLOG, the session still works', async () => {
  const host = await startPasteHost(['/bin/sh', '-c', 'sleep 1000']);
  const chunk = asTyped(pasteText(MAX_INPUT_CHARS), false).slice(0, MAX_INPUT_CHARS);
  let accepted = 0;
  let refusal = null as { code: string; message: string } | null;
  await whileWatching(host, async () => {
    for (let i = 0; i < 100 && !refusal; i++) {
      const reply = await bounded(host.device.client.sendIntent({ type: 'input', data: chunk }), 10_000, `input intent ${i}`);
      if (reply.ok) accepted += Buffer.byteLength(chunk);
      else refusal = reply.error;
    }
  });
  assert.equal(refusal?.code, 'INPUT_BACKLOG', `refused after ${accepted} bytes: ${JSON.stringify(refusal)}`);
  // 4 MiB queued on the host, plus what the kernel's PTY buffer took.
  assert.ok(accepted >= 4 * MIB && accepted <= 5 * MIB, `accepted ${accepted} bytes before refusing`);
  // Every size the device sees from here on: intents apply in order, so a size taken by the refused
  // input would show before the resize that follows it.
  const sizes: number[] = [];
  const record = (): number => sizes.push(readTerminal(host.device.client.view).cols);
  host.device.client.doc.on('update', record);
  const sized = await bounded(host.device.client.sendIntent({ type: 'input', data: chunk, cols: 77, rows: 22 }), 5000, 'input with a size');
  assert.equal(!sized.ok && sized.error.code, 'INPUT_BACKLOG', 'still refused');
  const resize = await bounded(host.device.client.sendIntent({ type: 'resize', cols: 90, rows: 30 }), 5000, 'resize');
  assert.equal(resize.ok, true, 'other intents still work');
  await waitFor(() => sizes.includes(90), 5000, 'the resize reaches the device');
  host.device.client.doc.off('update', record);
  assert.equal(sizes.includes(77), false, 'a refused input changes nothing, not even the size');
  const t0 = performance.now();
  host.cli.child.kill('SIGTERM');
  assert.equal(await bounded(host.cli.exited, 5000, 'the host to exit after SIGTERM'), 0);
  assert.ok(performance.now() - t0 < 2000, 'a full backlog does not delay shutdown');
});
