/**
 * A device's one connection carries every session it opens on a host (up to MAX_CHANNELS): opening many
 * sessions on it is the design, and must not look like a listener leak.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostConnection } from '../../client/core/host-connection.js';
import { SessionClient } from '../../client/core/session-client.js';
import { MemoryCredentialStore } from '../../client/core/credential-store.js';

test('32 sessions opened on one connection raise no MaxListenersExceededWarning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(`${w.name}: ${w.message}`);
  };
  process.on('warning', onWarning);
  try {
    // Never started: nothing is contacted; each session client subscribes to the connection's events.
    const connection = new HostConnection({
      origin: 'http://127.0.0.1:9',
      entrySessionId: 'AAAAAAAAAAAAAAAAAAAAAA',
      token: null,
      credentials: new MemoryCredentialStore(),
      deviceName: 'test',
      deviceKind: 'terminal',
    });
    const clients = Array.from({ length: 32 }, (_, i) => new SessionClient({ connection, sessionId: `session-${i}` }));
    for (const c of clients) c.start();
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
    for (const c of clients) c.close();
  } finally {
    process.off('warning', onWarning);
  }
});
