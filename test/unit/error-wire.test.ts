/**
 * Errors that cross the data channel stay decodable: the fuzzers found that untrusted text quoted in an
 * error (an intent's unknown key of 600 characters) made the host send replies and ERROR frames whose
 * message broke the 500-character limit of the device's own schemas, so the device could not read them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { TetherError } from '../../protocol/errors.js';
import { decodeJson, encodeJson, ErrorFrameSchema, IntentReplySchema, IntentSchema } from '../../protocol/messages.js';
import { newId } from '../../protocol/ids.js';
import { TerminalSession } from '../../host/terminal-session.js';

describe('errors on the wire', () => {
  it('an ERROR frame made from any TetherError decodes on a device', () => {
    const err = new TetherError('FRAME_MALFORMED', `bad: ${'x'.repeat(5_000)}`);
    const frame = decodeJson(ErrorFrameSchema, encodeJson(err.toJSON()));
    assert.equal(frame.code, 'FRAME_MALFORMED');
    assert.ok(frame.message.startsWith('bad: xxx'));
  });

  it('the host answers an intent with a long unknown key with a reply the device can decode', async () => {
    const session = new TerminalSession({ name: 't', command: { file: '/bin/true', args: [], display: 'true' }, cwd: process.cwd(), env: {}, cols: 80, rows: 24, log: pino({ level: 'silent' }) });
    const id = newId();
    const raw = { id, type: 'resize', cols: 80, rows: 24, ['k'.repeat(600)]: 1 };
    const reply = await session.core.handleIntent({ peerId: 'p', deviceId: 'd', name: 'n', kind: 'terminal', role: 'owner' }, id, raw);
    const decoded = decodeJson(IntentReplySchema, encodeJson(reply));
    assert.equal(decoded.ok, false);
    assert.equal(decoded.ok === false && decoded.error.code, 'INTENT_INVALID');
    session.core.close();
  });

  it('decodeJson quotes a bounded part of what it refuses', () => {
    const payload = encodeJson({ id: newId(), type: 'stop', ['k'.repeat(300_000)]: 1 });
    assert.throws(
      () => decodeJson(IntentSchema, payload),
      (e: TetherError) => e.code === 'FRAME_MALFORMED' && e.message.length <= 1_000 && /Unrecognized key/.test(e.message),
    );
  });
});
