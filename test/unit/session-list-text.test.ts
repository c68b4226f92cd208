/** The session list's wording: relative times, the devices line, and which names the list refuses before asking the host. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relativeTime } from '../../client/web/relative-time.js';
import { devicesText, nameProblem } from '../../client/web/session-card.js';

test('relative time: just now, minutes, hours, days; never in the future', () => {
  const now = Date.UTC(2025, 0, 10, 12, 0, 0);
  assert.equal(relativeTime(now, now), 'just now');
  assert.equal(relativeTime(now - 59_000, now), 'just now');
  assert.equal(relativeTime(now + 30_000, now), 'just now', 'a host clock ahead of this one');
  assert.equal(relativeTime(now - 2 * 60_000, now), '2 min ago');
  assert.equal(relativeTime(now - 59 * 60_000, now), '59 min ago');
  assert.equal(relativeTime(now - 3 * 3_600_000, now), '3 h ago');
  assert.equal(relativeTime(now - 30 * 3_600_000, now), 'yesterday');
  assert.equal(relativeTime(now - 5 * 86_400_000, now), '5 d ago');
  assert.equal(relativeTime(Number.NaN, now), 'just now');
});

test('devices line: count and names, repeated names counted once', () => {
  assert.equal(devicesText([]), 'No devices');
  assert.equal(devicesText(['Chrome on Android']), '1 device · Chrome on Android');
  assert.equal(devicesText(['Chrome on Linux', 'Safari on iPhone', 'Chrome on Linux']), '3 devices · Chrome on Linux (2), Safari on iPhone');
});

test('names: empty, too long, slashes, control and invisible characters are refused before sending', () => {
  assert.equal(nameProblem('fix-login'), null);
  assert.equal(nameProblem('with spaces ok'), null);
  assert.match(String(nameProblem('')), /Enter a name/);
  assert.match(String(nameProblem('x'.repeat(65))), /64/);
  assert.match(String(nameProblem('a/b')), /slashes/);
  assert.match(String(nameProblem('a\\b')), /slashes/);
  assert.match(String(nameProblem('a\u0007b')), /control/);
  assert.match(String(nameProblem('a\u009bb')), /control/, 'C1');
  assert.match(String(nameProblem('evil\u202eexe')), /invisible/, 'bidi override');
  assert.match(String(nameProblem('a\u200bb')), /invisible/, 'zero-width space');
});
